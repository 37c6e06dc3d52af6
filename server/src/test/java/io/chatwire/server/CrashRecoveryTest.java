package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.ServerProcess;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once under SIGKILL: a real server process is killed mid-work and started again on the
 * same database; every event it answered 202 for must still reach every endpoint. Copies are
 * allowed (and counted), loss is not.
 */
@Timeout(80)
class CrashRecoveryTest {
    private static final int POSTERS = 32;

    @TempDir
    Path dataDir;

    private int port;
    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<TestReceiver> receivers = new ArrayList<>();

    @BeforeEach
    void pickPort() {
        port = ServerProcess.freePort();
    }

    @AfterEach
    void killLeftovers() {
        servers.forEach(ServerProcess::kill);
        receivers.forEach(TestReceiver::close);
    }

    @Test
    void everyAcceptedEventIsDeliveredAfterSigkillDuringABurst() throws Exception {
        TestReceiver fast = receiver();
        TestReceiver slow = receiver().answering(Answer.status(200).withBody("ok").after(Duration.ofMillis(50)));

        ServerProcess run1 = start("crash-run-1");
        ServerProcess.Account account = run1.createAccount("standard");
        String chatbot = run1.createChatbot(account);
        run1.createEndpoint(account, chatbot, fast.url().toString());
        run1.createEndpoint(account, chatbot, slow.url().toString());

        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger sequence = new AtomicInteger();
        AtomicInteger failedPosts = new AtomicInteger();
        AtomicInteger otherStatuses = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ApiClient operator = run1.operator();
        int atKillFast;
        int atKillSlow;
        long burstStart = System.nanoTime();
        try (ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < POSTERS; t++) {
                posters.submit(() -> {
                    while (!stop.get()) {
                        int i = sequence.incrementAndGet();
                        try {
                            ApiClient.Response r = operator.post("/v1/events",
                                    RunningChatwire.chatEvent(chatbot, "q" + i), "Idempotency-Key", "burst-" + i);
                            if (r.status() == 202) {
                                accepted.add(r.text("id"));
                            } else {
                                otherStatuses.incrementAndGet();
                            }
                        } catch (RuntimeException refusedOrCut) {
                            // Expected once the server is killed: only 202s count.
                            failedPosts.incrementAndGet();
                        }
                    }
                });
            }
            // Kill at 300 accepted or after ~1.5 s; on a loaded machine go on (up to 6 s) until at least
            // 100 are accepted, so the test is meaningful without being flaky.
            try {
                await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(10)).until(() ->
                        accepted.size() >= 300
                                || (accepted.size() >= 100 && System.nanoTime() - burstStart >= 1_500_000_000L));
            } catch (ConditionTimeoutException slowMachine) {
                // The assertion below reports it.
            }
            run1.kill();
            atKillFast = fast.count();
            atKillSlow = slow.count();
            stop.set(true);
        }
        long burstMillis = (System.nanoTime() - burstStart) / 1_000_000;
        Set<String> acceptedIds = Set.copyOf(accepted);
        System.out.printf("burst: %d ms, %d accepted, %d posts failed after the kill, %d other statuses; "
                        + "at the kill the fast receiver had %d requests, the slow one %d%n",
                burstMillis, acceptedIds.size(), failedPosts.get(), otherStatuses.get(), atKillFast, atKillSlow);
        assertThat(acceptedIds).as("events accepted before the kill (the test needs a real burst)\n"
                + run1.outputTail(30)).hasSizeGreaterThanOrEqualTo(100);
        assertThat(otherStatuses.get()).as("answers other than 202 to well-formed events\n" + run1.outputTail(30))
                .isZero();

        ServerProcess run2 = start("crash-run-2");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> missing(fast, acceptedIds).isEmpty() && missing(slow, acceptedIds).isEmpty());
        } catch (ConditionTimeoutException e) {
            // Fall through to the assertions, which say what is missing.
        }
        String report = report("fast", fast, acceptedIds) + "; " + report("slow", slow, acceptedIds);
        System.out.println("after restart: " + report);
        String context = acceptedIds.size() + " accepted; " + report + "\n" + run1.outputTail(20) + "\n"
                + run2.outputTail(40);
        assertThat(missing(fast, acceptedIds)).as("accepted events the fast receiver never got; " + context).isEmpty();
        assertThat(missing(slow, acceptedIds)).as("accepted events the slow receiver never got; " + context).isEmpty();
    }

    @Test
    void aStartAfterSigkillResumesPendingRetries() {
        TestReceiver receiver = receiver().answering(n -> n <= 2
                ? Answer.status(500).withBody("not yet")
                : Answer.status(200).withBody("ok"));

        ServerProcess run1 = start("retry-run-1");
        ServerProcess.Account account = run1.createAccount("standard");
        String chatbot = run1.createChatbot(account);
        run1.createEndpoint(account, chatbot, receiver.url().toString());

        ApiClient.Response posted = run1.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "retry me"));
        assertThat(posted.status()).as(posted.raw()).isEqualTo(202);
        String eventId = posted.text("id");

        // Kill as soon as the first (failing) attempt is in the log, i.e. a retry is pending: it is due
        // 200 ms later, so the kill almost always comes before it is sent.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> attemptsOf(account, eventId).size() >= 1);
        run1.kill();
        int atKill = receiver.count();
        System.out.println("requests seen at the kill: " + atKill);
        assertThat(atKill).as("requests at the receiver when the first attempt was logged").isGreaterThanOrEqualTo(1);

        ServerProcess run2 = start("retry-run-2");
        String context = "\n" + run1.outputTail(20);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(receiver.count()).as("requests at the receiver" + context
                        + "\n" + run2.outputTail(30)).isGreaterThanOrEqualTo(3));
        assertThat(receiver.received()).allSatisfy(r -> assertThat(r.header("webhook-id")).isEqualTo(eventId));

        // The 200 is recorded just after it is answered.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.json().path("data").size()).as(r.raw()).isEqualTo(1);
            assertThat(r.json().path("data").get(0).path("status").asText()).as(r.raw()).isEqualTo("delivered");
        });
        JsonNode delivery = account.api().get("/v1/events/" + eventId + "/deliveries").json().path("data").get(0);
        List<JsonNode> attempts = new ArrayList<>();
        delivery.path("attempts").forEach(attempts::add);
        System.out.println("attempt log after restart: " + attempts.stream()
                .map(a -> a.path("node_id").asText() + ":" + a.path("http_status").asText() + ":" + a.path("outcome").asText())
                .toList());
        // An attempt in flight at the kill may be missing from the log; the ones after the restart are not.
        assertThat(attempts).as(delivery.toPrettyString()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(attempts.getFirst().path("node_id").asText()).as("the logged attempt of the first run survives; "
                + delivery.toPrettyString()).isEqualTo("retry-run-1");
        assertThat(attempts.getFirst().path("http_status").asInt()).as(delivery.toPrettyString()).isEqualTo(500);
        assertThat(attempts.getLast().path("http_status").asInt()).as(delivery.toPrettyString()).isEqualTo(200);
        assertThat(attempts.getLast().path("node_id").asText()).as(delivery.toPrettyString()).isEqualTo("retry-run-2");
        assertThat(attempts.stream().filter(a -> a.path("http_status").asInt() == 200))
                .as(delivery.toPrettyString()).hasSize(1);
    }

    private static List<JsonNode> attemptsOf(ServerProcess.Account account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<JsonNode> attempts = new ArrayList<>();
        r.json().path("data").forEach(d -> d.path("attempts").forEach(attempts::add));
        return attempts;
    }

    private ServerProcess start(String nodeId) {
        ServerProcess server = ServerProcess.start(dataDir, port, nodeId);
        servers.add(server);
        return server;
    }

    private TestReceiver receiver() {
        TestReceiver receiver = TestReceiver.start();
        receivers.add(receiver);
        return receiver;
    }

    private static Map<String, Long> countsById(TestReceiver receiver) {
        return receiver.received().stream()
                .collect(Collectors.groupingBy(r -> String.valueOf(r.header("webhook-id")), Collectors.counting()));
    }

    private static Set<String> missing(TestReceiver receiver, Set<String> accepted) {
        Map<String, Long> counts = countsById(receiver);
        return accepted.stream().filter(id -> !counts.containsKey(id)).collect(Collectors.toSet());
    }

    /** Missing, duplicated (delivered more than once) and not-acknowledged-but-delivered counts. */
    private static String report(String name, TestReceiver receiver, Set<String> accepted) {
        Map<String, Long> counts = countsById(receiver);
        long duplicated = accepted.stream().filter(id -> counts.getOrDefault(id, 0L) > 1).count();
        long extraCopies = accepted.stream().mapToLong(id -> Math.max(0, counts.getOrDefault(id, 0L) - 1)).sum();
        long unacknowledged = counts.keySet().stream().filter(id -> !accepted.contains(id)).count();
        return "%s: %d requests, %d missing, %d delivered more than once (%d extra copies), %d events whose 202 was lost"
                .formatted(name, receiver.count(), missing(receiver, accepted).size(), duplicated, extraCopies,
                        unacknowledged);
    }
}
