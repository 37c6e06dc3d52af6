package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.signing.SecretCipher;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's rate limit holds over every node (two servers on one PostgreSQL schema in the
 * PostgreSQL run; one on SQLite, where a database has one node), and the deliveries beyond it wait
 * rather than fail. A receiver's 429 + Retry-After pauses its endpoint, holding back its other
 * deliveries too, without using up any of the delivery's retries.
 */
class EndpointPacingTest {
    private final List<RunningChatwire> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.reversed().forEach(RunningChatwire::close);
    }

    /** The nodes of one cluster: they share the database (and so the secret key its secrets are sealed with). */
    private List<RunningChatwire> cluster(Map<String, String> settings) {
        String key = SecretCipher.generateKey();
        RunningChatwire first = RunningChatwire.start(with(settings, Map.of("CHATWIRE_SECRET_KEY", key,
                "CHATWIRE_NODE_ID", "node-1")));
        nodes.add(first);
        if (TestDatabases.serverTestsOnPostgres()) {
            nodes.add(RunningChatwire.start(with(settings, Map.of("CHATWIRE_SECRET_KEY", key, "CHATWIRE_NODE_ID", "node-2",
                    "CHATWIRE_DB_SCHEMA", first.pgSchema().orElseThrow()))));
        }
        return nodes;
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }

    private static JsonNode deliveries(TestAccount account, String eventId) {
        return account.api().get("/v1/events/" + eventId + "/deliveries").json().path("data");
    }

    private static boolean delivered(TestAccount account, String eventId) {
        JsonNode d = deliveries(account, eventId);
        return d.size() == 1 && d.get(0).path("status").asText().equals("delivered");
    }

    @Test
    void holdsTheRateLimitOverEveryNodeAndDeliversWhatWaited() throws Exception {
        List<RunningChatwire> cluster = cluster(Map.of());
        RunningChatwire node1 = cluster.getFirst();
        TestAccount account = node1.createAccount("professional");
        String chatbot = node1.createChatbot(account);
        int perSecond = 5;
        int events = 16;
        try (TestReceiver receiver = TestReceiver.start()) {
            // One delivery first, unpaced, so that the measured ones do not include a cold connection's set-up.
            ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"" + receiver.url() + "\"}");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            String warmUp = node1.postEvent(RunningChatwire.chatEvent(chatbot, "warm-up"));
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered(account, warmUp));
            ApiClient.Response limited = account.api().patch("/v1/endpoints/" + created.json().path("id").asText(),
                    "{\"rate_limit\":" + perSecond + "}");
            assertThat(limited.status()).as(limited.raw()).isEqualTo(200);
            assertThat(limited.json().path("rate_limit").asInt()).isEqualTo(perSecond);

            // Events arrive at every node at once, far faster than the limit.
            Set<String> eventIds = ConcurrentHashMap.newKeySet();
            try (ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < events; i++) {
                    RunningChatwire node = cluster.get(i % cluster.size());
                    String question = "paced " + i;
                    posters.submit(() -> eventIds.add(node.postEvent(RunningChatwire.chatEvent(chatbot, question))));
                }
            }
            assertThat(eventIds).hasSize(events);

            await().atMost(Duration.ofSeconds(30)).until(() -> eventIds.stream().allMatch(id -> delivered(account, id)));
            List<Instant> arrivals = receiver.received().stream().skip(1).map(TestReceiver.Received::at).sorted().toList();
            assertThat(arrivals).hasSize(events);
            // At most N in any second: the (N+1)th request after any one comes a second later. Measured at
            // the receiver, on a busy machine, a request sent late to its slot comes close to the next one,
            // so a quarter second is allowed; a limit kept per node (N/s on each of two) would halve the gap.
            for (int i = 0; i + perSecond < arrivals.size(); i++) {
                assertThat(Duration.between(arrivals.get(i), arrivals.get(i + perSecond)).toMillis())
                        .as("requests %d to %d of %s", i, i + perSecond, arrivals).isGreaterThanOrEqualTo(750L);
            }
            assertThat(Duration.between(arrivals.getFirst(), arrivals.getLast()).toMillis())
                    .isGreaterThanOrEqualTo((events - 1) * 1000L / perSecond - 250);
            // Waiting is neither an attempt nor a retry: each delivery made exactly one attempt.
            for (String id : eventIds) {
                assertThat(deliveries(account, id).get(0).path("attempt_count").asInt()).as(id).isEqualTo(1);
            }
        }
    }

    @Test
    void pausesTheEndpointOnTooManyRequestsWithoutUsingUpRetries() {
        List<RunningChatwire> cluster = cluster(Map.of());
        RunningChatwire node = cluster.getFirst();
        TestAccount account = node.createAccount("professional");
        String chatbot = node.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            // The first 429 asks for a pause in seconds, the fourth with an HTTP date; the rest are taken.
            receiver.answering(n -> switch (n) {
                case 1 -> Answer.status(429).withHeader("Retry-After", "2");
                case 4 -> Answer.status(429).withHeader("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME
                        .format(Instant.now().plusSeconds(3).atOffset(ZoneOffset.UTC)));
                default -> Answer.status(204);
            });
            // No retries at all: an answer that used one up would fail the delivery.
            ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"" + receiver.url() + "\",\"retry_schedule\":[]}");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            String endpointId = created.json().path("id").asText();

            String first = node.postEvent(RunningChatwire.chatEvent(chatbot, "too many"));
            JsonNode paused = await().atMost(Duration.ofSeconds(5)).until(
                    () -> account.api().get("/v1/endpoints/" + endpointId).json(), e -> e.has("paused_until"));
            Instant firstAnswer = receiver.received().getFirst().at();
            assertThat(Instant.parse(paused.path("paused_until").asText())).isAfter(firstAnswer.plusMillis(1500));
            // Sent during the pause (to another node, on PostgreSQL): it waits with the endpoint's other deliveries.
            String second = cluster.getLast().postEvent(RunningChatwire.chatEvent(chatbot, "during the pause"));
            await().atMost(Duration.ofSeconds(15)).until(() -> delivered(account, first) && delivered(account, second));
            List<TestReceiver.Received> got = receiver.received();
            assertThat(got).hasSize(3);
            for (TestReceiver.Received later : got.subList(1, 3)) {
                assertThat(Duration.between(firstAnswer, later.at()).toMillis()).isGreaterThanOrEqualTo(1900L);
            }

            // A pause given as a date (whole seconds: at least two of the three asked for remain).
            String third = node.postEvent(RunningChatwire.chatEvent(chatbot, "too many again"));
            await().atMost(Duration.ofSeconds(15)).until(() -> delivered(account, third));
            got = receiver.received();
            assertThat(got).hasSize(5);
            assertThat(Duration.between(got.get(3).at(), got.get(4).at()).toMillis()).isGreaterThanOrEqualTo(1900L);

            // The 429s are in the attempt log, as retries that used nothing up; the endpoint stays healthy.
            JsonNode attempts = account.api().get("/v1/attempts?endpoint_id=" + endpointId).json().path("data");
            assertThat(attempts.findValuesAsText("http_status")).containsExactlyInAnyOrder("429", "204", "204", "429", "204");
            assertThat(attempts.findValuesAsText("outcome")).containsExactlyInAnyOrder("retry", "delivered", "delivered",
                    "retry", "delivered");
            JsonNode endpoint = account.api().get("/v1/endpoints/" + endpointId).json();
            assertThat(endpoint.path("health").path("status").asText()).isEqualTo("healthy");
            assertThat(endpoint.path("health").path("consecutive_failures").asInt()).isZero();
        }
    }
}
