package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.OrderedReceiver;
import io.chatwire.testing.ServerProcess;
import io.chatwire.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordered delivery per conversation with real server processes: SIGKILL during a burst (a SQLite
 * node, and one of three PostgreSQL nodes) keeps every conversation in order, repeats of delivered
 * positions aside; two nodes ingesting one conversation at once deliver it in the order of the commits.
 */
@Timeout(150)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrderedCrashTest {
    private static final int CONVERSATIONS = 12;
    private static final int PER_CONVERSATION = 10;
    private static final int KILL_AFTER = 40;

    @TempDir
    Path dataDir;

    private final List<ServerProcess> servers = new CopyOnWriteArrayList<>();
    /** Three PostgreSQL nodes, started once for the tests that need them (starting is the slow part). */
    private List<ServerProcess> cluster;
    private Optional<String> schema = Optional.empty();

    @AfterAll
    void cleanUp() {
        servers.forEach(ServerProcess::kill);
        schema.ifPresent(TestDatabases::dropSchema);
    }

    private List<ServerProcess> cluster() throws Exception {
        if (cluster == null) {
            long start = System.nanoTime();
            schema = Optional.of(TestDatabases.newSchema());
            ServerProcess node1 = start("node-1", ServerProcess.freePort(), postgres());
            cluster = new CopyOnWriteArrayList<>(List.of(node1));
            try (ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<ServerProcess> node2 = starters.submit(() -> start("node-2", ServerProcess.freePort(), postgres()));
                Future<ServerProcess> node3 = starters.submit(() -> start("node-3", ServerProcess.freePort(), postgres()));
                cluster.add(node2.get());
                cluster.add(node3.get());
            }
            System.out.printf("ordered crash: three nodes up in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        }
        return cluster;
    }

    @Test
    @Order(3)
    void aSqliteNodeKilledDuringABurstKeepsEveryConversationInOrder() throws Exception {
        int port = ServerProcess.freePort();
        ServerProcess first = start("solo", port, Map.of());
        List<ServerProcess> nodes = new CopyOnWriteArrayList<>(List.of(first));
        try (OrderedReceiver receiver = OrderedReceiver.start(7L, 0.3)) {
            String chatbot = orderedEndpoint(first, receiver);
            burst(nodes, chatbot, accepted -> {
                first.kill();
                // Started again on the same file and port; posts cut short meanwhile are sent again.
                nodes.set(0, start("solo", port, Map.of()));
            });
            assertEveryConversationDeliveredInOrder(receiver);
        }
    }

    @Test
    @Order(2)
    void onePostgresNodeOfThreeKilledDuringABurstKeepsEveryConversationInOrder() throws Exception {
        List<ServerProcess> nodes = cluster();
        try (OrderedReceiver receiver = OrderedReceiver.start(11L, 0.3)) {
            String chatbot = orderedEndpoint(nodes.getFirst(), receiver);
            long burstStart = System.nanoTime();
            burst(nodes, chatbot, accepted -> nodes.get(1).kill());
            System.out.printf("ordered crash: burst %d ms%n", (System.nanoTime() - burstStart) / 1_000_000);
            assertEveryConversationDeliveredInOrder(receiver);
        }
    }

    @Test
    @Order(1)
    void twoPostgresNodesIngestingOneConversationAtOnceDeliverItInCommitOrder() throws Exception {
        ServerProcess node1 = cluster().get(0);
        ServerProcess node2 = cluster().get(2);
        int perNode = 20;
        record Post(String eventId, long sentAt, long acceptedAt) {
        }
        try (OrderedReceiver receiver = OrderedReceiver.start(13L, 0.2)) {
            String chatbot = orderedEndpoint(node1, receiver);
            List<Post> posts = new CopyOnWriteArrayList<>();
            try (ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (ServerProcess node : List.of(node1, node2)) {
                    done.add(posters.submit(() -> {
                        for (int i = 1; i <= perNode; i++) {
                            long sentAt = System.nanoTime();
                            ApiClient.Response r = node.operator().post("/v1/events",
                                    OrderedReceiver.event(chatbot, "shared", i));
                            assertThat(r.status()).as(r.raw()).isEqualTo(202);
                            posts.add(new Post(r.text("id"), sentAt, System.nanoTime()));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            List<Long> all = LongStream.rangeClosed(1, 2L * perNode).boxed().toList();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(receiver.delivered().get("shared")).isEqualTo(all));
            receiver.assertOrdered();

            Map<String, Long> positionOf = new ConcurrentHashMap<>();
            receiver.arrivals().forEach(a -> positionOf.put(a.eventId(), a.position()));
            assertThat(positionOf).hasSize(2 * perNode);
            // An event whose 202 came before another was even sent committed first: it has the lower position.
            for (Post earlier : posts) {
                for (Post later : posts) {
                    if (earlier.acceptedAt() < later.sentAt()) {
                        assertThat(positionOf.get(earlier.eventId())).as("%s accepted before %s was sent",
                                earlier.eventId(), later.eventId()).isLessThan(positionOf.get(later.eventId()));
                    }
                }
            }
        }
    }

    private Map<String, String> postgres() {
        return Map.of("CHATWIRE_DB_URL", TestDatabases.POSTGRES_URL, "CHATWIRE_DB_SCHEMA", schema.orElseThrow());
    }

    private ServerProcess start(String nodeId, int port, Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("CHATWIRE_RETRY_SCHEDULE", "0s,100ms,200ms,300ms,300ms,300ms");
        ServerProcess server = ServerProcess.start(dataDir, port, nodeId, all);
        servers.add(server);
        return server;
    }

    private static String orderedEndpoint(ServerProcess node, OrderedReceiver receiver) {
        ServerProcess.Account account = node.createAccount("professional");
        String chatbot = node.createChatbot(account);
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + receiver.url() + "\",\"events\":[\"chat\"],\"ordering\":\"conversation\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return chatbot;
    }

    /**
     * Posts every conversation's events in order, conversations side by side and round-robin over the
     * nodes, each with an idempotency key so that a post cut short by the kill can be sent again
     * (to the next node) without making a second event. {@code kill} runs once, mid-burst.
     */
    private static void burst(List<ServerProcess> nodes, String chatbot, java.util.function.IntConsumer kill)
            throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger turn = new AtomicInteger();
        try (ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CONVERSATIONS; c++) {
                String conversation = "conv-" + c;
                done.add(posters.submit(() -> {
                    for (int i = 1; i <= PER_CONVERSATION; i++) {
                        postUntilAccepted(nodes, turn, chatbot, conversation, i);
                        accepted.incrementAndGet();
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.get() >= KILL_AFTER);
            kill.accept(accepted.get());
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static void postUntilAccepted(List<ServerProcess> nodes, AtomicInteger turn, String chatbot,
            String conversation, int index) {
        Function<ServerProcess, Boolean> post = node -> {
            try {
                return node.isAlive() && node.operator().post("/v1/events",
                        OrderedReceiver.event(chatbot, conversation, index),
                        "Idempotency-Key", conversation + "-" + index).status() == 202;
            } catch (RuntimeException cutShort) {
                return false;
            }
        };
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!post.apply(nodes.get(Math.floorMod(turn.getAndIncrement(), nodes.size())))) {
            assertThat(System.nanoTime()).as("%s #%d accepted in time", conversation, index).isLessThan(deadline);
            io.chatwire.testing.Waits.sleep(Duration.ofMillis(50));
        }
    }

    private static void assertEveryConversationDeliveredInOrder(OrderedReceiver receiver) {
        long start = System.nanoTime();
        List<Long> all = LongStream.rangeClosed(1, PER_CONVERSATION).boxed().toList();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Map<String, List<Long>> delivered = receiver.delivered();
            assertThat(delivered).hasSize(CONVERSATIONS);
            delivered.values().forEach(positions -> assertThat(positions).isEqualTo(all));
        });
        receiver.assertOrdered();
        // Positions are the acceptance order: a conversation's events were posted one after the other.
        assertThat(receiver.arrivals()).allSatisfy(a -> assertThat(a.position()).isEqualTo(a.index()));
        long repeats = receiver.arrivals().stream().filter(OrderedReceiver.Arrival::succeeded).count()
                - (long) CONVERSATIONS * PER_CONVERSATION;
        System.out.printf("ordered crash: %d arrivals, %d repeats of delivered positions, all in %d ms after the burst%n",
                receiver.arrivals().size(), repeats, (System.nanoTime() - start) / 1_000_000);
    }
}
