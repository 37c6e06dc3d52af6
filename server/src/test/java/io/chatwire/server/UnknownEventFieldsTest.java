package io.chatwire.server;

import static io.chatwire.testing.Waits.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A top-level event field Chatwire does not know (one the platform added, say) is accepted, stored and
 * delivered byte for byte, and counted by event type in {@code /metrics}; with
 * {@code CHATWIRE_STRICT_EVENTS=true} it is refused as before.
 */
class UnknownEventFieldsTest {
    private static final String METRIC = "chatwire_events_with_unknown_fields_total";

    private static RunningChatwire chatwire;
    private static RunningChatwire strict;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
        strict = RunningChatwire.start(Map.of("CHATWIRE_STRICT_EVENTS", "true"));
    }

    @AfterAll
    static void stop() {
        chatwire.close();
        strict.close();
    }

    /** A chat event with the given top-level fields spliced in after {@code "event"}. */
    private static String chatWith(String chatbot, String extra) {
        // replace, not replaceFirst: a regex replacement would eat the backslashes of JSON escapes.
        return RunningChatwire.chatEvent(chatbot, "hello").replace("\"event\":\"chat\",",
                "\"event\":\"chat\"," + extra + ",");
    }

    private static int eventCount(TestAccount account) {
        return account.api().get("/v1/events?limit=200").json().get("data").size();
    }

    /** The counter's value for the event type (0 before its first increment). */
    private static double counted(RunningChatwire server, String eventType) {
        String metrics = server.anonymous().get("/metrics").raw();
        return metrics.lines()
                .filter(l -> l.startsWith(METRIC + "{") && l.contains("event=\"" + eventType + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static long seriesOf(RunningChatwire server) {
        return server.anonymous().get("/metrics").raw().lines().filter(l -> l.startsWith(METRIC + "{")).count();
    }

    private static String storedPayload(RunningChatwire server, String eventId) throws Exception {
        try (Connection c = server.openJdbc();
                PreparedStatement ps = c.prepareStatement("SELECT payload FROM events WHERE id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("event " + eventId + " is stored").isTrue();
                return rs.getString(1);
            }
        }
    }

    @Test
    void anEventWithUnknownFieldsIsAcceptedStoredAndDeliveredByteForByte() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            // Odd but valid: nested containers, a number past double range and one past long, an
            // escaped name, escaped and raw non-ASCII (an escaped surrogate pair too), odd spacing.
            String body = "{ \"platform_meta\" :{\"nested\":[1,{\"deep\":null},[]],\"big\":1e400,"
                    + "\"long\":123456789012345678901234567890,\"neg\":-0.000E-0},"
                    + chatWith(chatbot, "\"caf\\u00e9\":\"\\u00e9\\ud83d\\ude00 and 😀 and \\\"quoted\\\"\","
                    + "\"flag\":true,\"nothing\":null,\"ratio\":0.10000000000000000000000001").substring(1);
            byte[] sent = body.getBytes(StandardCharsets.UTF_8);

            ApiClient.Response accepted = chatwire.operator().postBytes("/v1/events", sent);

            assertThat(accepted.status()).as(accepted.raw()).isEqualTo(202);
            assertThat(storedPayload(chatwire, accepted.text("id"))).isEqualTo(body);
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            assertThat(receiver.received().getFirst().body()).isEqualTo(sent);
        }
    }

    @Test
    void anEventWithUnknownFieldsIsCountedUnderItsEventType() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        double chats = counted(chatwire, "chat");
        double escalations = counted(chatwire, "live-chat-escalation");

        chatwire.postEvent(chatWith(chatbot, "\"sentiment\":\"happy\",\"language\":\"en\""));
        chatwire.postEvent("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"" + chatbot + "\",\"priority\":1}");

        // One per event, however many unknown fields it has.
        assertThat(counted(chatwire, "chat")).isEqualTo(chats + 1);
        assertThat(counted(chatwire, "live-chat-escalation")).isEqualTo(escalations + 1);
    }

    @Test
    void anEventOfKnownFieldsOnlyIsNotCounted() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        double before = counted(chatwire, "chat");

        chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "plain"));

        assertThat(counted(chatwire, "chat")).isEqualTo(before);
    }

    @Test
    void aReplayedEventIsCountedOnce() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String body = chatWith(chatbot, "\"sentiment\":\"happy\"");
        double before = counted(chatwire, "chat");

        chatwire.operator().post("/v1/events", body, "Idempotency-Key", "unknown-fields-1");
        ApiClient.Response again = chatwire.operator().post("/v1/events", body, "Idempotency-Key", "unknown-fields-1");

        assertThat(again.json().path("duplicate").asBoolean()).isTrue();
        assertThat(counted(chatwire, "chat")).isEqualTo(before + 1);
    }

    @Test
    void unknownFieldNamesNeverBecomeMetricSeries() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.postEvent(chatWith(chatbot, "\"warm_up\":1"));
        long series = seriesOf(chatwire);
        String marker = "fieldname" + UUID.randomUUID().toString().replace("-", "");

        for (int i = 0; i < 30; i++) {
            chatwire.postEvent(chatWith(chatbot, "\"" + marker + i + "\":" + i));
        }

        assertThat(seriesOf(chatwire)).isEqualTo(series);
        assertThat(chatwire.anonymous().get("/metrics").raw()).doesNotContain(marker);
    }

    @Test
    void theNamesAreLoggedAtDebugCutShortAndCleanedButNeverTheValues() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        Logger logger = (Logger) LoggerFactory.getLogger("io.chatwire.api.EventRoutes");
        Level before = logger.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        logger.setLevel(Level.DEBUG);
        String secretValue = "value-" + UUID.randomUUID();
        try {
            chatwire.postEvent(chatWith(chatbot, "\"customer_note\":\"" + secretValue + "\","
                    + "\"line\\nbreak\\u001b[31m\":{\"v\":\"" + secretValue + "\"},\"" + "n".repeat(500) + "\":1"));
        } finally {
            logger.detachAppender(captured);
            logger.setLevel(before);
        }

        String logged = captured.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("does not know")).findFirst().orElseThrow();
        assertThat(logged).contains("'customer_note'", "'line?break?[31m'", "'" + "n".repeat(64) + "...'")
                .doesNotContain("n".repeat(65), "\n", "\u001b");
        assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains(secretValue));
    }

    // --- CHATWIRE_STRICT_EVENTS=true ---------------------------------------------------------------

    @Test
    void inStrictModeAnUnknownFieldIsRefusedNamingItAndNothingIsStoredOrDelivered() {
        TestAccount account = strict.createAccount("standard");
        String chatbot = strict.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            strict.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);

            ApiClient.Response r = strict.operator().post("/v1/events",
                    RunningChatwire.chatEvent(chatbot, "x").replace("\"source\"", "\"sauce\""));

            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.text("error")).isEqualTo("unknown_field");
            assertThat(r.text("message")).isEqualTo("unknown field 'sauce'");
            assertThat(eventCount(account)).isZero();
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isZero();
            assertThat(counted(strict, "chat")).isZero();
        }
    }

    @Test
    void inStrictModeAFieldWithAHostileNameIsRefusedLikeAnyUnknownField() {
        TestAccount account = strict.createAccount("standard");
        String chatbot = strict.createChatbot(account);

        ApiClient.Response r = strict.operator().post("/v1/events",
                chatWith(chatbot, "\"'; DROP TABLE events;--\":1"));

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("unknown_field");
        assertThat(r.text("message")).contains("'; DROP TABLE events;--");
        assertThat(eventCount(account)).isZero();
    }

    @Test
    void inStrictModeAnEventOfKnownFieldsIsAccepted() {
        TestAccount account = strict.createAccount("standard");
        String chatbot = strict.createChatbot(account);

        strict.postEvent(RunningChatwire.chatEvent(chatbot, "known fields only"));

        assertThat(eventCount(account)).isEqualTo(1);
    }
}
