package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.OrderedReceiver;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoints with {@code "ordering": "conversation"} get each conversation's events one at a time, in
 * acceptance order; held deliveries cost the scheduler nothing; a held conversation can be released.
 */
class OrderedDeliveryTest {
    private RunningChatwire chatwire;

    @AfterEach
    void stop() {
        if (chatwire != null) {
            chatwire.close();
        }
    }

    private TestAccount start(String retrySchedule) {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_RETRY_SCHEDULE", retrySchedule));
        return chatwire.createAccount("professional");
    }

    private static String orderedEndpoint(TestAccount account, String chatbot, String url) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":[\"chat\"],\"ordering\":\"conversation\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.text("ordering")).isEqualTo("conversation");
        return r.text("id");
    }

    /** An ordered endpoint whose receiver fails the first request (retried only in ten minutes), then succeeds. */
    private static String failingOnceThenOrdered(TestAccount account, String chatbot, TestReceiver receiver) {
        receiver.answering(n -> n == 1 ? Answer.status(500) : Answer.status(200));
        return orderedEndpoint(account, chatbot, receiver.url().toString());
    }

    /** Posts events 1 to {@code count} of the conversation, one after the other; returns their ids. */
    private List<String> post(String chatbot, String conversation, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(chatwire.postEvent(OrderedReceiver.event(chatbot, conversation, i)));
        }
        return ids;
    }

    @Test
    void deliversEveryConversationInAcceptanceOrderWhileTheReceiverFailsASeededShare() throws Exception {
        TestAccount account = start("0s,40ms,40ms,40ms");
        String chatbot = chatwire.createChatbot(account);
        int conversations = 6;
        int perConversation = 10;
        try (OrderedReceiver receiver = OrderedReceiver.start(20261201L, 0.4)) {
            orderedEndpoint(account, chatbot, receiver.url().toString());
            // Each conversation is posted in order from its own thread; conversations interleave.
            try (ExecutorService posters = Executors.newFixedThreadPool(3)) {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < conversations; c++) {
                    String conversation = "conv-" + c;
                    done.add(posters.submit(() -> {
                        for (int i = 1; i <= perConversation; i++) {
                            chatwire.postEvent(OrderedReceiver.event(chatbot, conversation, i));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }

            List<Long> all = LongStream.rangeClosed(1, perConversation).boxed().toList();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, List<Long>> delivered = receiver.delivered();
                assertThat(delivered).hasSize(conversations);
                delivered.values().forEach(positions -> assertThat(positions).isEqualTo(all));
            });
            receiver.assertOrdered();
            // Positions are the acceptance order: one conversation's events were posted one after the other.
            assertThat(receiver.arrivals()).allSatisfy(a -> assertThat(a.position()).isEqualTo(a.index()));
            assertThat(receiver.arrivals()).anySatisfy(a -> assertThat(a.succeeded()).isFalse());
        }
    }

    @Test
    void heldDeliveriesHaveNoDueTimeAndTheClaimReadsAnIndexThatLeavesThemOut() throws Exception {
        TestAccount account = start("0s,10m");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.answering(Answer.status(500));
            orderedEndpoint(account, chatbot, receiver.url().toString());
            post(chatbot, "stuck", 40);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() >= 1);

            try (Connection c = chatwire.openJdbc(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("""
                        SELECT COUNT(*) FROM deliveries
                        WHERE status = 'pending' AND conversation_id = 'stuck' AND next_attempt_at IS NULL""")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("held behind the failing head, without a due time").isEqualTo(39);
                }
                String claim = """
                        SELECT id FROM deliveries
                        WHERE status = 'pending' AND next_attempt_at <= 9999999999999
                          AND (lease_until IS NULL OR lease_until < 0)
                        ORDER BY next_attempt_at LIMIT 500""";
                String plan;
                String index;
                if (chatwire.pgSchema().isPresent()) {
                    // A table this small is read whole whatever the indexes; what is asked here is which
                    // rows the index the claim uses holds, so the planner is told to use one.
                    st.execute("SET enable_seqscan = off");
                    plan = text(st, "EXPLAIN ANALYZE " + claim);
                    assertThat(plan.lines().filter(l -> l.contains("deliveries_due")).findFirst().orElseThrow())
                            .as("the index scan meets the head alone, not the 39 held behind it")
                            .contains("rows=1 loops=1");
                    index = text(st, "SELECT indexdef FROM pg_indexes WHERE indexname = 'deliveries_due'"
                            + " AND schemaname = current_schema()");
                } else {
                    plan = text(st, "EXPLAIN QUERY PLAN " + claim);
                    index = text(st, "SELECT sql FROM sqlite_master WHERE name = 'deliveries_due'");
                }
                assertThat(plan).contains("deliveries_due");
                assertThat(index.replace("(", "").replace(")", "")).containsIgnoringCase("next_attempt_at IS NOT NULL");
                // Only the head is in the claim's index: the held ones are not rows it can touch.
                try (ResultSet rs = st.executeQuery("""
                        SELECT COUNT(*) FROM deliveries
                        WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND endpoint_id IN
                            (SELECT id FROM endpoints WHERE url = '%s')""".formatted(receiver.url()))) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        }
    }

    private static String text(Statement st, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    out.append(rs.getString(i)).append(' ');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    @Test
    void aHeldConversationIsListedAndReleasingItFailsItsHeadSoTheRestGoOn() {
        TestAccount account = start("0s,10m");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = failingOnceThenOrdered(account, chatbot, receiver);
            List<String> events = post(chatbot, "blocked", 3);
            chatwire.postEvent(OrderedReceiver.event(chatbot, "flowing", 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() >= 2);

            ApiClient.Response held = account.api().get("/v1/endpoints/" + endpoint + "/held-conversations");
            assertThat(held.status()).as(held.raw()).isEqualTo(200);
            assertThat(held.json().get("data")).hasSize(1);
            JsonNode blocked = held.json().get("data").get(0);
            assertThat(blocked.path("conversation_id").asText()).isEqualTo("blocked");
            assertThat(blocked.path("waiting").asInt()).isEqualTo(2);
            assertThat(blocked.path("held_since").asText()).isNotBlank();
            assertThat(blocked.path("head").path("position").asInt()).isEqualTo(1);
            assertThat(blocked.path("head").path("attempts").asInt()).isEqualTo(1);
            assertThat(chatwire.anonymous().get("/metrics").raw())
                    .containsPattern("chatwire_ordering_held_conversations\\{[^}]*} 1.0")
                    .contains("chatwire_ordering_oldest_held_age_seconds");

            // Another account sees neither the list nor the release.
            TestAccount stranger = chatwire.createAccount("professional");
            assertThat(stranger.api().get("/v1/endpoints/" + endpoint + "/held-conversations").status()).isEqualTo(404);
            ApiClient.Response refused = stranger.api().post("/v1/endpoints/" + endpoint
                    + "/held-conversations/release", "{\"conversation_id\":\"blocked\"}");
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.text("error")).isEqualTo("not_found");
            assertThat(receiver.count()).isEqualTo(2);

            ApiClient.Response released = account.api().post("/v1/endpoints/" + endpoint
                    + "/held-conversations/release", "{\"conversation_id\":\"blocked\"}");
            assertThat(released.status()).as(released.raw()).isEqualTo(200);
            assertThat(released.text("delivery_id")).isNotBlank();
            assertThat(released.json().path("position").asInt()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 4);
            List<String> blockedOrder = receiver.received().stream()
                    .filter(r -> r.bodyText().contains("\"blocked\""))
                    .map(r -> r.header("x-chatwire-sequence")).toList();
            assertThat(blockedOrder).containsExactly("1", "2", "3");
            assertThat(account.api().get("/v1/events/" + events.getFirst() + "/deliveries").json()
                    .get("data").get(0).path("status").asText()).isEqualTo("failed");
            assertThat(account.api().get("/v1/endpoints/" + endpoint + "/held-conversations").json().get("data"))
                    .isEmpty();
            ApiClient.Response nothingPending = account.api().post("/v1/endpoints/" + endpoint
                    + "/held-conversations/release", "{\"conversation_id\":\"nobody\"}");
            assertThat(nothingPending.status()).isEqualTo(404);
        }
    }

    @Test
    void switchingOrderingOffLetsHeldDeliveriesGoAndSwitchingOnOrdersOnlyLaterEvents() {
        TestAccount account = start("0s,10m");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = failingOnceThenOrdered(account, chatbot, receiver);
            post(chatbot, "c", 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 1);

            ApiClient.Response off = account.api().patch("/v1/endpoints/" + endpoint, "{\"ordering\":\"none\"}");
            assertThat(off.status()).as(off.raw()).isEqualTo(200);
            assertThat(off.text("ordering")).isEqualTo("none");
            // The two held deliveries go at once, as unordered ones; the failed head keeps its retry time.
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 3);
            // Events accepted while ordering is off carry no position.
            chatwire.postEvent(OrderedReceiver.event(chatbot, "c", 4));
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 4);
            assertThat(receiver.received().get(3).header("x-chatwire-sequence")).isNull();

            // Switched on again, positions go on from where the conversation was.
            receiver.answering(n -> Answer.status(500));
            assertThat(account.api().patch("/v1/endpoints/" + endpoint, "{\"ordering\":\"conversation\"}").status())
                    .isEqualTo(200);
            chatwire.postEvent(OrderedReceiver.event(chatbot, "c", 5));
            chatwire.postEvent(OrderedReceiver.event(chatbot, "c", 6));
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 5);
            assertThat(receiver.received().get(4).header("x-chatwire-sequence")).isEqualTo("4");
            // The new head failed and the later event waits behind it; the old head, unordered since the switch, holds nothing.
            assertThat(account.api().get("/v1/endpoints/" + endpoint + "/held-conversations").json()
                    .get("data").get(0).path("waiting").asInt()).isEqualTo(1);
        }
    }

    @Test
    void eventsWithoutAConversationAreNotOrderedAndAnUnknownOrderingIsRefused() {
        TestAccount account = start("0s,10m");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.answering(Answer.status(500));
            String endpoint = orderedEndpoint(account, chatbot, receiver.url().toString());
            String noConversation = """
                    {"event":"chat","messages":[{"role":"user","content":"1"}],\
                    "answer":{"role":"assistant","content":"ok"},"chatbot_id":"%s"}""".formatted(chatbot);
            chatwire.postEvent(noConversation);
            chatwire.postEvent(noConversation);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 2);
            assertThat(receiver.received()).allSatisfy(r -> assertThat(r.header("x-chatwire-sequence")).isNull());

            ApiClient.Response bad = account.api().patch("/v1/endpoints/" + endpoint, "{\"ordering\":\"fifo\"}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.text("error")).isEqualTo("invalid_field");
            assertThat(bad.text("message")).contains("ordering");
            assertThat(account.api().get("/v1/endpoints/" + endpoint).text("ordering")).isEqualTo("conversation");
        }
    }
}
