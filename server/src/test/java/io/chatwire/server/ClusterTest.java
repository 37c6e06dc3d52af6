package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.ServerProcess;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes on one PostgreSQL schema take a burst of events round-robin; one of them
 * is SIGKILLed mid-burst. Every event any node answered 202 for must reach every endpoint: the dead
 * node's leases run out and the survivors take its work over. Copies are allowed (only of work in
 * flight on the killed node), and counted; loss is not.
 */
@Timeout(120)
class ClusterTest {
    private static final int POSTERS = 32;
    private static final int BURST = 5_000;
    private static final int KILL_AT = 2_000;

    @TempDir
    Path dataDir;

    private String schema;
    private final List<ServerProcess> servers = new ArrayList<>();
    private final List<TestReceiver> receivers = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        schema = TestDatabases.newSchema();
    }

    @AfterEach
    void cleanUp() {
        servers.forEach(ServerProcess::kill);
        receivers.forEach(TestReceiver::close);
        TestDatabases.dropSchema(schema);
    }

    @Test
    void threeNodesShareOnePostgresAndLoseNothingWhenOneIsKilled() throws Exception {
        long testStart = System.nanoTime();
        TestReceiver fast = receiver();
        TestReceiver slow = receiver().answering(Answer.status(200).withBody("ok").after(Duration.ofMillis(20)));

        // node-1 applies the migrations alone; the other two then start side by side.
        ServerProcess node1 = start("node-1");
        List<ServerProcess> nodes = new ArrayList<>(List.of(node1));
        try (ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ServerProcess> node2 = starters.submit(() -> start("node-2"));
            Future<ServerProcess> node3 = starters.submit(() -> start("node-3"));
            nodes.add(node2.get());
            nodes.add(node3.get());
        }
        ServerProcess victim = nodes.get(1);
        long startedMillis = (System.nanoTime() - testStart) / 1_000_000;

        ServerProcess.Account account = node1.createAccount("standard");
        String chatbot = node1.createChatbot(account);
        node1.createEndpoint(account, chatbot, fast.url().toString());
        node1.createEndpoint(account, chatbot, slow.url().toString());

        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<String, String> acceptedBy = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> acceptedByVictim = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray perNode = new AtomicIntegerArray(nodes.size());
        AtomicInteger sequence = new AtomicInteger();
        AtomicInteger failedPosts = new AtomicInteger();
        AtomicInteger otherStatuses = new AtomicInteger();
        ConcurrentLinkedQueue<String> otherAnswers = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        int acceptedAtKill;
        long killMillis;
        long burstStart = System.nanoTime();
        try (ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < POSTERS; t++) {
                posters.submit(() -> {
                    while (!stop.get() && accepted.size() < BURST) {
                        int i = sequence.incrementAndGet();
                        int n = i % nodes.size();
                        ServerProcess node = nodes.get(n);
                        try {
                            ApiClient.Response r = node.operator().post("/v1/events",
                                    RunningChatwire.chatEvent(chatbot, "q" + i), "Idempotency-Key", "cluster-" + i);
                            if (r.status() == 202) {
                                String id = r.text("id");
                                accepted.add(id);
                                acceptedBy.put(id, node.nodeId());
                                perNode.incrementAndGet(n);
                                if (node == victim) {
                                    acceptedByVictim.add(id);
                                }
                            } else {
                                otherStatuses.incrementAndGet();
                                if (otherAnswers.size() < 5) {
                                    otherAnswers.add(node.nodeId() + ": " + r.status() + " " + r.raw());
                                }
                            }
                        } catch (RuntimeException refusedOrCut) {
                            // Expected for the killed node: only 202s count.
                            failedPosts.incrementAndGet();
                        }
                    }
                });
            }
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                        .until(() -> accepted.size() >= KILL_AT);
            } catch (ConditionTimeoutException slowMachine) {
                // Kill anyway; the assertions below say how far the burst got.
            }
            victim.kill();
            acceptedAtKill = accepted.size();
            killMillis = (System.nanoTime() - burstStart) / 1_000_000;
            try {
                await().atMost(Duration.ofSeconds(35)).pollInterval(Duration.ofMillis(20))
                        .until(() -> accepted.size() >= BURST);
            } catch (ConditionTimeoutException slowMachine) {
                // The assertion below reports it.
            }
            stop.set(true);
            // Posts still waiting for an answer are cut short (they count as not accepted), so that a
            // slow cluster fails the assertions below instead of the class timeout.
            posters.shutdownNow();
        }
        long burstMillis = (System.nanoTime() - burstStart) / 1_000_000;
        Set<String> acceptedIds = Set.copyOf(accepted);
        System.out.printf("cluster: nodes up in %d ms; burst %d ms, %d accepted (%s), killed %s at %d ms with %d "
                        + "accepted; %d posts failed, %d other statuses %s%n",
                startedMillis, burstMillis, acceptedIds.size(), perNodeText(nodes, perNode), victim.nodeId(),
                killMillis, acceptedAtKill, failedPosts.get(), otherStatuses.get(), otherAnswers);
        String logs = nodes.stream().map(n -> n.outputTail(15)).collect(Collectors.joining("\n"));
        assertThat(acceptedIds).as("events accepted in the burst\n" + logs).hasSizeGreaterThanOrEqualTo(BURST);
        assertThat(acceptedAtKill).as("accepted when %s was killed", victim.nodeId())
                .isGreaterThanOrEqualTo(KILL_AT / 2);
        assertThat(perNode.get(1)).as("events %s accepted before its kill", victim.nodeId()).isPositive();
        assertThat(otherStatuses.get()).as("answers other than 202 to well-formed events " + otherAnswers + "\n"
                + logs).isZero();

        long awaitStart = System.nanoTime();
        try {
            // Up to 90 s, within what is left of the test's budget.
            long leftMillis = 110_000 - (System.nanoTime() - testStart) / 1_000_000;
            await().atMost(Duration.ofMillis(Math.max(10_000, Math.min(90_000, leftMillis))))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> missing(fast, acceptedIds).isEmpty() && missing(slow, acceptedIds).isEmpty());
        } catch (ConditionTimeoutException e) {
            // Fall through to the assertions, which say what is missing.
        }
        long drainMillis = (System.nanoTime() - awaitStart) / 1_000_000;
        String report = report("fast", fast, acceptedIds) + "; " + report("slow", slow, acceptedIds)
                + "; extra copies by accepting node: fast " + copiesByNode(fast, acceptedIds, acceptedBy)
                + ", slow " + copiesByNode(slow, acceptedIds, acceptedBy);
        System.out.println("cluster: all delivered " + drainMillis + " ms after the burst; " + report);
        String survivorLogs = nodes.stream().filter(ServerProcess::isAlive).map(n -> n.outputTail(25))
                .collect(Collectors.joining("\n"));
        String context = acceptedIds.size() + " accepted; " + report + "\n" + victim.outputTail(15) + "\n"
                + survivorLogs;
        assertThat(missing(fast, acceptedIds)).as("accepted events the fast receiver never got; " + context).isEmpty();
        assertThat(missing(slow, acceptedIds)).as("accepted events the slow receiver never got; " + context).isEmpty();
        long bound = acceptedIds.size() / 20;
        assertThat(extraCopies(fast, acceptedIds)).as("extra copies at the fast receiver (bound %d); %s", bound, report)
                .isLessThan(bound);
        assertThat(extraCopies(slow, acceptedIds)).as("extra copies at the slow receiver (bound %d); %s", bound, report)
                .isLessThan(bound);

        // The attempt log names the nodes that made the attempts: the newest pages, and the last events
        // the killed node accepted (whose work the survivors may have taken over).
        ApiClient api = account.api();
        Map<String, Integer> attemptsByNode = new TreeMap<>();
        String cursor = null;
        for (int page = 0; page < 5; page++) {
            ApiClient.Response r = api.get("/v1/attempts?limit=200" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            r.json().path("data").forEach(a -> attemptsByNode.merge(a.path("node_id").asText(), 1, Integer::sum));
            cursor = r.json().path("next_cursor").asText(null);
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        List<String> victimsLast = new ArrayList<>(acceptedByVictim);
        victimsLast = victimsLast.subList(Math.max(0, victimsLast.size() - 40), victimsLast.size());
        Map<String, Integer> victimEventAttemptsByNode = new TreeMap<>();
        int takenOver = 0;
        for (String eventId : victimsLast) {
            ApiClient.Response r = api.get("/v1/events/" + eventId + "/deliveries");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.json().path("data").size()).as(r.raw()).isEqualTo(2);
            Set<String> nodesOfEvent = new LinkedHashSet<>();
            for (JsonNode d : r.json().path("data")) {
                d.path("attempts").forEach(a -> {
                    nodesOfEvent.add(a.path("node_id").asText());
                    victimEventAttemptsByNode.merge(a.path("node_id").asText(), 1, Integer::sum);
                });
            }
            if (nodesOfEvent.stream().anyMatch(n -> !n.equals(victim.nodeId()))) {
                takenOver++;
            }
        }
        System.out.printf("cluster: newest attempts by node %s; attempts of the last %d events %s accepted, by node "
                        + "%s (%d taken over by a survivor)%n",
                attemptsByNode, victimsLast.size(), victim.nodeId(), victimEventAttemptsByNode, takenOver);
        assertThat(attemptsByNode.keySet()).as("nodes in the newest attempts; " + attemptsByNode)
                .hasSizeGreaterThan(1)
                .allMatch(n -> n.startsWith("node-"));
        Set<String> allNodes = new LinkedHashSet<>(attemptsByNode.keySet());
        allNodes.addAll(victimEventAttemptsByNode.keySet());
        assertThat(allNodes).as("nodes seen in the attempt log").contains("node-1", "node-3");

        // Once every receiver has everything, no delivery is left failed, and none stays pending.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            ApiClient.Response pending = api.get("/v1/deliveries?status=pending&limit=10");
            assertThat(pending.json().path("data").size()).as(pending.raw()).isZero();
        });
        ApiClient.Response failed = api.get("/v1/deliveries?status=failed&limit=10");
        assertThat(failed.json().path("data").size()).as(failed.raw()).isZero();
        System.out.printf("cluster: whole test %d ms%n", (System.nanoTime() - testStart) / 1_000_000);
    }

    private ServerProcess start(String nodeId) {
        ServerProcess server = ServerProcess.start(dataDir, ServerProcess.freePort(), nodeId, Map.of(
                "CHATWIRE_DB_URL", TestDatabases.POSTGRES_URL,
                "CHATWIRE_DB_SCHEMA", schema,
                "CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8",
                "CHATWIRE_LEASE", "3s",
                "CHATWIRE_REQUEST_TIMEOUT", "2s",
                "CHATWIRE_POLL_INTERVAL", "200ms",
                "CHATWIRE_RETRY_SCHEDULE", "0s,200ms,500ms,1s,1s,1s,1s,1s"));
        synchronized (servers) {
            servers.add(server);
        }
        return server;
    }

    private TestReceiver receiver() {
        TestReceiver receiver = TestReceiver.start();
        receivers.add(receiver);
        return receiver;
    }

    private static String perNodeText(List<ServerProcess> nodes, AtomicIntegerArray perNode) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            parts.add(nodes.get(i).nodeId() + "=" + perNode.get(i));
        }
        return String.join(", ", parts);
    }

    private static Map<String, Long> countsById(TestReceiver receiver) {
        return receiver.received().stream()
                .collect(Collectors.groupingBy(r -> String.valueOf(r.header("webhook-id")), Collectors.counting()));
    }

    private static Set<String> missing(TestReceiver receiver, Set<String> accepted) {
        Map<String, Long> counts = countsById(receiver);
        return accepted.stream().filter(id -> !counts.containsKey(id)).collect(Collectors.toSet());
    }

    private static long extraCopies(TestReceiver receiver, Set<String> accepted) {
        Map<String, Long> counts = countsById(receiver);
        return accepted.stream().mapToLong(id -> Math.max(0, counts.getOrDefault(id, 0L) - 1)).sum();
    }

    /** Extra copies grouped by the node that accepted the event (and so held its first lease). */
    private static Map<String, Long> copiesByNode(TestReceiver receiver, Set<String> accepted,
            Map<String, String> acceptedBy) {
        Map<String, Long> counts = countsById(receiver);
        Map<String, Long> byNode = new TreeMap<>();
        for (String id : accepted) {
            long extra = counts.getOrDefault(id, 0L) - 1;
            if (extra > 0) {
                byNode.merge(acceptedBy.getOrDefault(id, "?"), extra, Long::sum);
            }
        }
        return byNode;
    }

    /** Missing, duplicated (delivered more than once) and not-acknowledged-but-delivered counts. */
    private static String report(String name, TestReceiver receiver, Set<String> accepted) {
        Map<String, Long> counts = countsById(receiver);
        long duplicated = accepted.stream().filter(id -> counts.getOrDefault(id, 0L) > 1).count();
        long unacknowledged = counts.keySet().stream().filter(id -> !accepted.contains(id)).count();
        return "%s: %d requests, %d missing, %d delivered more than once (%d extra copies), %d events whose 202 was lost"
                .formatted(name, receiver.count(), missing(receiver, accepted).size(), duplicated,
                        extraCopies(receiver, accepted), unacknowledged);
    }
}
