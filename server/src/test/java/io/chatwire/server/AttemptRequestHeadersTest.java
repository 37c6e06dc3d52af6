package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each attempt records the signing and content headers it sent, signatures shortened: the attempt log
 * then shows what a receiver got, also after the secret was rotated, and never a whole signature.
 */
class AttemptRequestHeadersTest {
    private static RunningChatwire chatwire;
    private static TestReceiver receiver;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_SECRET_GRACE_PERIOD", "1h"));
        receiver = TestReceiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        chatwire.close();
    }

    @Test
    void keepsTheSignaturesEachAttemptSentAcrossARotation() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.url("/rotation").toString(), "[\"chat\"]", true);

        String before = deliver(chatbot, "before the rotation");
        ApiClient.Response rotated = account.api().post("/v1/account/signing-secret/rotate", "");
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
        String after = deliver(chatbot, "after the rotation");

        for (String eventId : new String[] {before, after}) {
            TestReceiver.Received got = received(eventId);
            JsonNode recorded = attemptOf(account, eventId).path("request_headers");
            assertThat(recorded.path("content-type").asText()).isEqualTo(got.header("content-type"));
            assertThat(recorded.path("x-chat-data-topic").asText()).isEqualTo("chat");
            assertThat(recorded.path("webhook-id").asText()).isEqualTo(eventId);
            assertThat(recorded.path("webhook-timestamp").asText()).isEqualTo(got.header("webhook-timestamp"));
            assertThat(recorded.path("x-chat-data-hmac-sha256").asText())
                    .isEqualTo(got.header("x-chat-data-hmac-sha256").substring(0, 6) + "…");
            assertThat(recorded.path("webhook-signature").asText()).isEqualTo(shortened(got.header("webhook-signature")));
        }
        // The first attempt was signed by the old secret alone; the second by the new one and the old one.
        String oldSignature = received(before).header("webhook-signature");
        String newSignatures = received(after).header("webhook-signature");
        assertThat(oldSignature.split(" ")).hasSize(1);
        assertThat(newSignatures.split(" ")).hasSize(2);
        assertThat(attemptOf(account, before).path("request_headers").path("webhook-signature").asText())
                .as("the old attempt still shows the signature it was sent with")
                .isEqualTo(shortened(oldSignature))
                .isNotEqualTo(shortened(newSignatures.split(" ")[0]));

        // Never a whole signature, in either list of the log.
        String log = account.api().get("/v1/attempts?limit=200").raw()
                + account.api().get("/v1/events/" + after + "/deliveries").raw();
        for (String signature : (newSignatures + " " + oldSignature).split(" ")) {
            assertThat(log).doesNotContain(signature.substring(3));
        }
        assertThat(log).doesNotContain(received(after).header("x-chat-data-hmac-sha256"));
    }

    @Test
    void leavesOutTheHeadersOfAttemptsLoggedBeforeTheyWereRecorded() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.url("/old").toString(), "[\"chat\"]", true);
        String eventId = deliver(chatbot, "an attempt from an older version");
        // As a row written before this version: no request_headers column value.
        try (Connection c = chatwire.openJdbc(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE attempts SET request_headers = NULL WHERE event_id = '" + eventId + "'");
        }
        JsonNode attempt = attemptOf(account, eventId);
        assertThat(attempt.path("outcome").asText()).isEqualTo("delivered");
        assertThat(attempt.has("request_headers")).as(attempt.toString()).isFalse();
    }

    private static String deliver(String chatbot, String question) {
        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, question));
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().stream()
                .anyMatch(r -> eventId.equals(r.header("webhook-id"))));
        return eventId;
    }

    private static TestReceiver.Received received(String eventId) {
        return receiver.received().stream().filter(r -> eventId.equals(r.header("webhook-id"))).findFirst().orElseThrow();
    }

    private static JsonNode attemptOf(TestAccount account, String eventId) {
        // The attempt is committed a moment after the receiver answered.
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            ApiClient.Response r = account.api().get("/v1/attempts?event_id=" + eventId);
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            return r.json().path("data").path(0);
        }, a -> !a.isMissingNode());
    }

    /** "v1,abc… v1,def…": each signature's first six characters. */
    private static String shortened(String header) {
        StringBuilder sb = new StringBuilder();
        for (String signature : header.split(" ")) {
            sb.append(sb.isEmpty() ? "" : " ").append(signature, 0, 9).append('…');
        }
        return sb.toString();
    }
}
