package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.TcpProxy;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL goes away under a running server (a TCP proxy in front of it is cut) and comes back:
 * ingest answers 503 and stores nothing meanwhile, readiness says so, and once the database is back
 * the same process accepts and delivers again, pending retries included. No restart.
 */
@Timeout(90)
class DatabaseOutageTest {
    /** Hikari's connection timeout is 5 s; a refused ingest may wait for a writer and then for that. */
    private static final Duration REFUSAL_BOUND = Duration.ofSeconds(15);

    private String schema;
    private TcpProxy proxy;
    private RunningChatwire chatwire;
    private final List<TestReceiver> receivers = new ArrayList<>();

    @BeforeEach
    void proxiedDatabase() {
        schema = TestDatabases.newSchema();
        URI pg = URI.create(TestDatabases.POSTGRES_URL.substring("jdbc:".length()));
        proxy = TcpProxy.start(pg.getHost(), pg.getPort() < 0 ? 5432 : pg.getPort());
    }

    @AfterEach
    void cleanUp() {
        if (chatwire != null) {
            proxy.restore(); // so that the shutdown can give its leases back
            chatwire.close();
        }
        proxy.close();
        receivers.forEach(TestReceiver::close);
        TestDatabases.dropSchema(schema);
    }

    @Test
    void ingestAnswers503WhileTheDatabaseIsDownAndRecoversByItself() {
        TestReceiver receiver = receiver();
        start(Map.of());
        RunningChatwire.TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
        ApiClient operator = chatwire.operator();

        Set<String> accepted = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(accept(operator, chatbot, "before-" + i));
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> deliveredIds(receiver).containsAll(accepted));

        // No ingest is in flight: every post from here on starts after the cut, so none can have committed.
        proxy.cut();
        Map<String, String> refused = new LinkedHashMap<>();
        List<Long> refusalMillis = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String question = "during-" + i;
            long t0 = System.nanoTime();
            ApiClient.Response r = operator.post("/v1/events", RunningChatwire.chatEvent(chatbot, question),
                    "Idempotency-Key", "outage-" + i);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            refusalMillis.add(millis);
            assertThat(r.status()).as("ingest while the database is down: " + r.raw()).isEqualTo(503);
            assertThat(r.text("error")).as(r.raw()).isEqualTo("unavailable");
            assertThat(r.text("message")).as(r.raw()).isNotBlank();
            assertThat(Duration.ofMillis(millis)).as("time to refuse").isLessThan(REFUSAL_BOUND);
            refused.put("outage-" + i, question);
        }
        long t0 = System.nanoTime();
        ApiClient.Response ready = chatwire.anonymous().get("/readyz");
        long readyMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ready.status()).as("readiness while the database is down: " + ready.raw()).isEqualTo(503);
        assertThat(Duration.ofMillis(readyMillis)).as("time to answer /readyz").isLessThan(REFUSAL_BOUND);
        ApiClient.Response health = chatwire.anonymous().get("/healthz");
        assertThat(health.status()).as("liveness while the database is down: " + health.raw()).isEqualTo(200);
        System.out.printf("outage: refusals took %s ms, /readyz %d ms%n", refusalMillis, readyMillis);

        proxy.restore();
        long restored = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response r = chatwire.anonymous().get("/readyz");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
        });
        // The first ingest after the restore may still meet a pooled connection the cut broke; it must
        // be refused cleanly then (503, nothing stored), and a later one accepted.
        List<String> afterAnswers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String question = "after-" + i;
            String key = "after-" + i;
            String id = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                ApiClient.Response r = operator.post("/v1/events", RunningChatwire.chatEvent(chatbot, question),
                        "Idempotency-Key", key);
                afterAnswers.add(key + ":" + r.status());
                assertThat(r.status()).as(r.raw()).isIn(202, 503);
                return r.status() == 202 ? r.text("id") : null;
            }, java.util.Objects::nonNull);
            accepted.add(id);
        }
        System.out.printf("outage: ingest accepted again %d ms after the restore; answers %s%n",
                (System.nanoTime() - restored) / 1_000_000, afterAnswers);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(deliveredIds(receiver)).as("delivered event ids")
                        .containsAll(accepted));

        List<JsonNode> stored = allEvents(account.api());
        Set<String> storedIds = stored.stream().map(e -> e.path("id").asText()).collect(Collectors.toSet());
        assertThat(storedIds).as("stored events").containsAll(accepted);
        for (JsonNode e : stored) {
            JsonNode body = e.path("payload");
            String payload = body.isTextual() ? body.asText() : body.toString();
            refused.values().forEach(q -> assertThat(payload).as("an event refused with 503 was stored: " + e)
                    .doesNotContain("\"" + q + "\""));
        }
        assertThat(stored).as("stored events: exactly the accepted ones").hasSize(accepted.size());
        assertThat(deliveredIds(receiver)).as("deliveries reach only accepted events").isEqualTo(accepted);
    }

    @Test
    void pendingRetriesResumeAfterAnOutage() {
        TestReceiver receiver = receiver().answering(n -> n <= 1
                ? Answer.status(500).withBody("not yet")
                : Answer.status(200).withBody("ok"));
        // The retry is due 2 s after the failed attempt: the database is cut before it comes due and
        // stays down past it.
        start(Map.of("CHATWIRE_RETRY_SCHEDULE", "0s,2s,2s,2s"));
        RunningChatwire.TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
        String eventId = accept(chatwire.operator(), chatbot, "retry across an outage");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> attemptsOf(account, eventId).size() >= 1);
        proxy.cut();
        long cutAt = System.nanoTime();
        assertThat(receiver.count()).as("requests at the receiver when the database was cut").isEqualTo(1);

        // Down for 5 s, well past the retry's due time; the scheduler cannot claim it meanwhile.
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
        assertThat(chatwire.anonymous().get("/readyz").status()).as("readiness during the outage").isEqualTo(503);
        int duringOutage = receiver.count();
        proxy.restore();
        System.out.printf("outage: database down %d ms with a retry pending; receiver had %d requests%n",
                (System.nanoTime() - cutAt) / 1_000_000, duringOutage);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(receiver.count()).as("requests at the receiver").isGreaterThanOrEqualTo(2));
        assertThat(receiver.received()).allSatisfy(r -> assertThat(r.header("webhook-id")).isEqualTo(eventId));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.json().path("data").size()).as(r.raw()).isEqualTo(1);
            assertThat(r.json().path("data").get(0).path("status").asText()).as(r.raw()).isEqualTo("delivered");
        });
        List<JsonNode> attempts = attemptsOf(account, eventId);
        System.out.println("outage: attempt log " + attempts.stream()
                .map(a -> a.path("http_status").asText() + ":" + a.path("outcome").asText()).toList()
                + "; receiver got " + receiver.count());
        assertThat(attempts.getFirst().path("http_status").asInt()).as(attempts.toString()).isEqualTo(500);
        assertThat(attempts.getLast().path("http_status").asInt()).as(attempts.toString()).isEqualTo(200);
        assertThat(attempts.getLast().path("outcome").asText()).as(attempts.toString()).isEqualTo("delivered");
        assertThat(attempts.stream().filter(a -> a.path("http_status").asInt() == 200)).as(attempts.toString())
                .hasSize(1);
    }

    private void start(Map<String, String> extra) {
        URI pg = URI.create(TestDatabases.POSTGRES_URL.substring("jdbc:".length()));
        String query = pg.getRawQuery() == null ? "" : pg.getRawQuery() + "&";
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getRawPath() + "?" + query
                + "connectTimeout=2&socketTimeout=5";
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("CHATWIRE_DB_URL", url);
        settings.put("CHATWIRE_DB_SCHEMA", schema);
        settings.put("CHATWIRE_NODE_ID", "outage-node");
        settings.putAll(extra);
        chatwire = RunningChatwire.start(settings);
    }

    private TestReceiver receiver() {
        TestReceiver receiver = TestReceiver.start();
        receivers.add(receiver);
        return receiver;
    }

    private static String accept(ApiClient operator, String chatbot, String question) {
        ApiClient.Response r = operator.post("/v1/events", RunningChatwire.chatEvent(chatbot, question),
                "Idempotency-Key", "key-" + question.replace(' ', '-'));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r.text("id");
    }

    private static Set<String> deliveredIds(TestReceiver receiver) {
        return receiver.received().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }

    private static List<JsonNode> allEvents(ApiClient api) {
        List<JsonNode> events = new ArrayList<>();
        String cursor = null;
        do {
            ApiClient.Response r = api.get("/v1/events?limit=200" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            r.json().path("data").forEach(events::add);
            cursor = r.json().path("next_cursor").asText(null);
        } while (cursor != null && !cursor.isEmpty());
        return events;
    }

    private static List<JsonNode> attemptsOf(RunningChatwire.TestAccount account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<JsonNode> attempts = new ArrayList<>();
        r.json().path("data").forEach(d -> d.path("attempts").forEach(attempts::add));
        return attempts;
    }
}
