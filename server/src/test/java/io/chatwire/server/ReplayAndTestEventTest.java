package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import io.chatwire.verify.WebhookVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** "Send test event" to one endpoint, and recovering an endpoint's failed deliveries since a time. */
class ReplayAndTestEventTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        // One attempt per delivery: a failure is final at once, which is what recover is for.
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_RETRY_SCHEDULE", "0s"));
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    private static JsonNode delivery(TestAccount account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("data")).hasSize(1);
        return r.json().get("data").get(0);
    }

    private static String status(TestAccount account, String eventId) {
        return delivery(account, eventId).path("status").asText();
    }

    // --- test event -----------------------------------------------------------------------------

    @Test
    void aTestEventIsSentAtOnceAndAnsweredWithItsAttempt() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test", "");

            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            String eventId = r.text("event_id");
            assertThat(eventId).isNotBlank();
            JsonNode attempt = r.json().get("attempt");
            assertThat(attempt.path("http_status").asInt()).isEqualTo(200);
            assertThat(attempt.path("outcome").asText()).isEqualTo("delivered");
            assertThat(attempt.path("endpoint_id").asText()).isEqualTo(endpoint);
            assertThat(attempt.path("event_id").asText()).isEqualTo(eventId);

            assertThat(receiver.count()).isEqualTo(1);
            TestReceiver.Received got = receiver.received().getFirst();
            assertThat(got.header("x-chat-data-topic")).isEqualTo("chat");
            assertThat(got.header("webhook-id")).isEqualTo(eventId);
            JsonNode body = JSON.readTree(got.body());
            assertThat(body.path("event").asText()).isEqualTo("chat");
            assertThat(body.path("chatbot_id").asText()).isEqualTo(chatbot);
            WebhookVerifier.forSecret(account.signingSecret()).verify(got.body(), got.headers());
        }
    }

    @Test
    void aTestEventIsListedAsATestWithItsAttempt() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String real = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "a real one"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "delivered".equals(status(account, real)));

            String testEvent = account.api().post("/v1/endpoints/" + endpoint + "/test", "").text("event_id");

            JsonNode events = account.api().get("/v1/events").json().get("data");
            assertThat(events).extracting(e -> e.path("id").asText() + ":" + e.path("test").asBoolean())
                    .containsExactly(testEvent + ":true", real + ":false");
            ApiClient.Response event = account.api().get("/v1/events/" + testEvent);
            assertThat(event.json().path("test").asBoolean()).isTrue();
            assertThat(event.text("chatbot_id")).isEqualTo(chatbot);
            JsonNode attempts = account.api().get("/v1/attempts?endpoint_id=" + endpoint).json().get("data");
            assertThat(attempts).extracting(a -> a.path("event_id").asText()).containsExactly(testEvent, real);
            assertThat(attempts.get(0).path("outcome").asText()).isEqualTo("delivered");
        }
    }

    @Test
    void aTestEventToAFailingReceiverAnswersTheFailedAttempt() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500).withBody("broken"))) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test", "");

            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            JsonNode attempt = r.json().get("attempt");
            assertThat(attempt.path("http_status").asInt()).isEqualTo(500);
            assertThat(attempt.path("error_kind").asText()).isEqualTo("http_status");
            assertThat(attempt.path("response_body").asText()).isEqualTo("broken");
            assertThat(attempt.path("outcome").asText()).isNotEqualTo("delivered");
        }
    }

    @Test
    void aTestEventReachesADisabledEndpointToo() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", false);

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test", "");

            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.json().path("attempt").path("outcome").asText()).isEqualTo("delivered");
            assertThat(receiver.count()).isEqualTo(1);
        }
    }

    @Test
    void aTestEventForAnUnknownEndpointIsNotFound() {
        TestAccount account = chatwire.createAccount("standard");

        assertThat(account.api().post("/v1/endpoints/ep_nope/test", "").status()).isEqualTo(404);
        assertThat(account.api().get("/v1/events").json().get("data")).isEmpty();
    }

    // --- recover --------------------------------------------------------------------------------

    @Test
    void recoverPutsTheFailedDeliveriesSinceATimeBackAndTheyAreDelivered() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            Instant since = Instant.now().minusSeconds(1);
            List<String> events = List.of(
                    chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "one")),
                    chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "two")),
                    chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "three")));
            await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().allMatch(e -> "failed".equals(status(account, e))));
            receiver.answering(Answer.status(200));

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/recover",
                    "{\"since\":\"" + since + "\"}");

            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            assertThat(r.json().path("recovered").asInt()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().allMatch(e -> "delivered".equals(status(account, e))));
            for (String e : events) {
                JsonNode d = delivery(account, e);
                assertThat(d.path("attempt_count").asInt()).isEqualTo(2);
                assertThat(d.get("attempts")).extracting(a -> a.path("outcome").asText())
                        .containsExactly("failed", "delivered");
            }
            assertThat(receiver.count()).isEqualTo(6);
        }
    }

    @Test
    void recoverWithASinceAfterTheFailuresRecoversNothing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String event = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "old failure"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(status(account, event)));
            sleep(Duration.ofMillis(20));
            Instant since = Instant.now();
            receiver.answering(Answer.status(200));

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/recover",
                    "{\"since\":\"" + since + "\"}");

            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            assertThat(r.json().path("recovered").asInt()).isZero();
            sleep(Duration.ofMillis(500));
            assertThat(status(account, event)).isEqualTo("failed");
            assertThat(receiver.count()).isEqualTo(1);
        }
    }

    @Test
    void recoverLeavesDeliveredDeliveriesAndOtherEndpointsAlone() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver failing = TestReceiver.start().answering(Answer.status(500));
             TestReceiver other = TestReceiver.start().answering(Answer.status(500))) {
            String endpoint = chatwire.createEndpoint(account, chatbot, failing.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, chatbot, other.url().toString(), "[\"chat\"]", true);
            Instant since = Instant.now().minusSeconds(1);
            String event = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "both fail"));
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.count() == 1 && other.count() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> account.api().get("/v1/events/" + event + "/deliveries")
                    .json().get("data").findValuesAsText("status").equals(List.of("failed", "failed")));
            failing.answering(Answer.status(200));

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/recover",
                    "{\"since\":\"" + since + "\"}");

            assertThat(r.json().path("recovered").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.count() == 2);
            sleep(Duration.ofMillis(300));
            assertThat(other.count()).isEqualTo(1);
            ApiClient.Response again = account.api().post("/v1/endpoints/" + endpoint + "/recover",
                    "{\"since\":\"" + since + "\"}");
            assertThat(again.json().path("recovered").asInt()).isZero();
        }
    }

    @Test
    void recoverWithABadSinceIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/x", "[\"chat\"]", true);
        String path = "/v1/endpoints/" + endpoint + "/recover";

        for (String body : List.of("{\"since\":\"yesterday\"}", "{\"since\":\"2026-13-01T00:00:00Z\"}",
                "{\"since\":1700000000}", "{}", "{\"since\":\"2026-01-01T00:00:00Z\",\"until\":\"x\"}", "not json")) {
            ApiClient.Response r = account.api().post(path, body);
            assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(400);
        }
        ApiClient.Response named = account.api().post(path, "{\"since\":\"yesterday\"}");
        assertThat(named.text("message")).contains("since");
    }

    @Test
    void recoverOfAnUnknownEndpointIsNotFound() {
        TestAccount account = chatwire.createAccount("standard");

        assertThat(account.api().post("/v1/endpoints/ep_nope/recover", "{\"since\":\"2026-01-01T00:00:00Z\"}").status())
                .isEqualTo(404);
    }
}
