package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Failed attempts are retried on the configured schedule, every attempt is logged, and retries stop. */
class RetryTest {
    private RunningChatwire chatwire;

    @AfterEach
    void stop() {
        if (chatwire != null) {
            chatwire.close();
        }
    }

    private TestAccount setUp(String schedule) {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_RETRY_SCHEDULE", schedule));
        return chatwire.createAccount("professional");
    }

    private JsonNode deliveryOf(TestAccount account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("data")).hasSize(1);
        return r.json().get("data").get(0);
    }

    @Test
    void retriesFollowTheScheduleAndStopOnSuccess() {
        TestAccount account = setUp("0s,300ms,600ms,5s");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.answering(n -> n <= 2 ? Answer.status(503).withBody("busy") : Answer.status(204));
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "retry me"));

            await().atMost(Duration.ofSeconds(5)).until(() -> "delivered".equals(deliveryOf(account, eventId).path("status").asText()));
            List<TestReceiver.Received> got = receiver.received();
            assertThat(got).hasSize(3);
            // Pauses of 300 ms and 600 ms, each within the ±20 % jitter (and a little scheduling slack).
            assertThat(Duration.between(got.get(0).at(), got.get(1).at()).toMillis()).isBetween(230L, 700L);
            assertThat(Duration.between(got.get(1).at(), got.get(2).at()).toMillis()).isBetween(470L, 1100L);
            assertThat(got).extracting(r -> r.header("webhook-id")).containsOnly(eventId);

            JsonNode delivery = deliveryOf(account, eventId);
            assertThat(delivery.path("attempt_count").asInt()).isEqualTo(3);
            JsonNode attempts = delivery.get("attempts");
            assertThat(attempts).hasSize(3);
            assertThat(attempts.get(0).path("http_status").asInt()).isEqualTo(503);
            assertThat(attempts.get(0).path("error_kind").asText()).isEqualTo("http_status");
            assertThat(attempts.get(0).path("response_body").asText()).isEqualTo("busy");
            assertThat(attempts.get(0).path("outcome").asText()).isEqualTo("retry");
            assertThat(attempts.get(2).path("http_status").asInt()).isEqualTo(204);
            assertThat(attempts.get(2).path("outcome").asText()).isEqualTo("delivered");

            // Success is final: no further attempt arrives even after the next scheduled pause.
            sleep(Duration.ofMillis(800));
            assertThat(receiver.count()).isEqualTo(3);
        }
    }

    @Test
    void failsTheDeliveryWhenTheScheduleIsUsedUp() {
        TestAccount account = setUp("0s,100ms,100ms");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.answering(Answer.status(500).withBody("x".repeat(10_000)));
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "never"));

            await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(deliveryOf(account, eventId).path("status").asText()));
            JsonNode delivery = deliveryOf(account, eventId);
            assertThat(delivery.get("attempts")).hasSize(3);
            assertThat(delivery.get("attempts").get(2).path("outcome").asText()).isEqualTo("failed");
            // Only the first 4 KiB of an answer are kept.
            assertThat(delivery.get("attempts").get(0).path("response_body").asText()).hasSize(4096);
            sleep(Duration.ofMillis(400));
            assertThat(receiver.count()).isEqualTo(3);

            ApiClient.Response failed = account.api().get("/v1/deliveries?status=failed");
            assertThat(failed.json().get("data")).extracting(d -> d.path("event_id").asText()).containsExactly(eventId);
        }
    }

    @Test
    void doesNotFollowRedirects() {
        TestAccount account = setUp("0s");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver redirecting = TestReceiver.start(); TestReceiver target = TestReceiver.start()) {
            redirecting.answering(Answer.status(307).withHeader("Location", target.url().toString()));
            chatwire.createEndpoint(account, chatbot, redirecting.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "go elsewhere"));

            await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(deliveryOf(account, eventId).path("status").asText()));
            assertThat(deliveryOf(account, eventId).get("attempts").get(0).path("error_kind").asText()).isEqualTo("redirect");
            assertThat(target.count()).isZero();
        }
    }

    @Test
    void recordsTimeoutsAndRefusedConnectionsByKind() throws Exception {
        TestAccount account = setUp("0s");
        String chatbot = chatwire.createChatbot(account);
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (TestReceiver slow = TestReceiver.start()) {
            slow.answering(Answer.status(200).after(Duration.ofSeconds(4)));
            chatwire.createEndpoint(account, chatbot, slow.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:" + closedPort + "/hook", "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "anyone?"));

            await().atMost(Duration.ofSeconds(8)).until(() -> account.api().get("/v1/events/" + eventId + "/deliveries")
                    .json().get("data").findValuesAsText("status").stream().allMatch("failed"::equals));
            List<String> kinds = account.api().get("/v1/events/" + eventId + "/deliveries").json().get("data")
                    .findValuesAsText("error_kind");
            assertThat(kinds).containsExactlyInAnyOrder("timeout", "connect");
        }
    }

    @Test
    void resendSendsOneEventToOneEndpointAgain() {
        TestAccount account = setUp("0s");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.answering(n -> n == 1 ? Answer.status(500) : Answer.status(200));
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "again"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(deliveryOf(account, eventId).path("status").asText()));

            ApiClient.Response resend = account.api().post("/v1/events/" + eventId + "/resend",
                    "{\"endpoint_id\":\"" + endpoint + "\"}");
            assertThat(resend.status()).as(resend.raw()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(5)).until(() -> "delivered".equals(deliveryOf(account, eventId).path("status").asText()));
            JsonNode attempts = deliveryOf(account, eventId).get("attempts");
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(1).path("cause").asText()).isEqualTo("manual");
            assertThat(receiver.received()).extracting(r -> r.header("webhook-id")).containsExactly(eventId, eventId);
        }
    }
}
