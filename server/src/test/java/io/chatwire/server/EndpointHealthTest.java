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
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's health record: failures are counted, an endpoint that fails every attempt for
 * CHATWIRE_AUTO_DISABLE_AFTER is disabled by Chatwire, and enabling it again or a success clears it.
 */
class EndpointHealthTest {
    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start(Map.of(
                "CHATWIRE_AUTO_DISABLE_AFTER", "1s",
                "CHATWIRE_RETRY_SCHEDULE", "0s,300ms,300ms,300ms,300ms,300ms,300ms"));
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    private static JsonNode endpoint(TestAccount account, String id) {
        ApiClient.Response r = account.api().get("/v1/endpoints/" + id);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode delivery(TestAccount account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("data")).hasSize(1);
        return r.json().get("data").get(0);
    }

    @Test
    void aNewEndpointIsHealthy() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String id = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/x", "[\"chat\"]", true);

        JsonNode health = endpoint(account, id).get("health");

        assertThat(health.path("status").asText()).isEqualTo("healthy");
        assertThat(health.path("consecutive_failures").asInt()).isZero();
        assertThat(health.has("failing_since")).isFalse();
        assertThat(health.has("disabled_reason")).isFalse();
        assertThat(health.has("disabled_at")).isFalse();
    }

    @Test
    void failedAttemptsMakeTheEndpointFailing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            Instant before = Instant.now();

            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "fails"));

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> "failing".equals(endpoint(account, id).path("health").path("status").asText()));
            JsonNode view = endpoint(account, id);
            JsonNode health = view.get("health");
            assertThat(view.path("enabled").asBoolean()).isTrue();
            assertThat(health.path("consecutive_failures").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(Instant.parse(health.path("failing_since").asText())).isAfterOrEqualTo(before.minusMillis(5));
            assertThat(health.has("disabled_reason")).isFalse();
        }
    }

    @Test
    void anEndpointThatFailsForLongerThanTheLimitIsDisabledAutomatically() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);

            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "keeps failing"));

            await().atMost(Duration.ofSeconds(5)).until(() -> !endpoint(account, id).path("enabled").asBoolean());
            JsonNode view = endpoint(account, id);
            JsonNode health = view.get("health");
            assertThat(health.path("status").asText()).isEqualTo("disabled");
            assertThat(health.path("disabled_reason").asText()).isNotBlank();
            Instant disabledAt = Instant.parse(health.path("disabled_at").asText());
            Instant failingSince = Instant.parse(health.path("failing_since").asText());
            assertThat(Duration.between(failingSince, disabledAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(health.path("consecutive_failures").asInt()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void theRemainingAttemptsOfADisabledEndpointEndFailedWithoutBeingSent() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String first = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "one"));
            String second = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "two"));

            await().atMost(Duration.ofSeconds(5)).until(() -> !endpoint(account, id).path("enabled").asBoolean());
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    "failed".equals(delivery(account, first).path("status").asText())
                            && "failed".equals(delivery(account, second).path("status").asText()));
            int sent = receiver.count();

            for (String eventId : new String[] {first, second}) {
                JsonNode attempts = delivery(account, eventId).get("attempts");
                JsonNode last = attempts.get(attempts.size() - 1);
                assertThat(last.path("outcome").asText()).isEqualTo("failed");
                assertThat(last.path("error_kind").asText()).isEqualTo("endpoint_disabled");
                assertThat(last.has("http_status")).isFalse();
                assertThat(attempts.size()).as("stopped before the schedule ran out").isLessThan(7);
            }
            ApiClient.Response later = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "x"));
            assertThat(later.json().path("deliveries").asInt()).isZero();
            sleep(Duration.ofMillis(700));
            assertThat(receiver.count()).isEqualTo(sent);
        }
    }

    @Test
    void enablingWithOnePatchClearsTheHealthRecord() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "breaks it"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !endpoint(account, id).path("enabled").asBoolean());

            ApiClient.Response r = account.api().patch("/v1/endpoints/" + id, "{\"enabled\":true}");

            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            for (JsonNode view : new JsonNode[] {r.json(), endpoint(account, id)}) {
                assertThat(view.path("enabled").asBoolean()).isTrue();
                JsonNode health = view.get("health");
                assertThat(health.path("status").asText()).isEqualTo("healthy");
                assertThat(health.path("consecutive_failures").asInt()).isZero();
                assertThat(health.has("failing_since")).isFalse();
                assertThat(health.has("disabled_reason")).isFalse();
                assertThat(health.has("disabled_at")).isFalse();
            }
        }
    }

    @Test
    void aReEnabledEndpointReceivesNewEvents() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(Answer.status(500))) {
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "breaks it"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !endpoint(account, id).path("enabled").asBoolean());
            receiver.answering(Answer.status(200));
            account.api().patch("/v1/endpoints/" + id, "{\"enabled\":true}");

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "fixed"));

            await().atMost(Duration.ofSeconds(5)).until(() -> "delivered".equals(delivery(account, eventId).path("status").asText()));
            assertThat(endpoint(account, id).path("health").path("status").asText()).isEqualTo("healthy");
        }
    }

    @Test
    void aSuccessResetsConsecutiveFailures() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            receiver.answering(n -> n <= 2 ? Answer.status(500) : Answer.status(200));
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "flaky"));

            await().atMost(Duration.ofSeconds(5)).until(() -> "delivered".equals(delivery(account, eventId).path("status").asText()));
            assertThat(delivery(account, eventId).get("attempts")).extracting(a -> a.path("outcome").asText())
                    .containsExactly("retry", "retry", "delivered");
            JsonNode view = endpoint(account, id);
            assertThat(view.path("enabled").asBoolean()).isTrue();
            assertThat(view.path("health").path("status").asText()).isEqualTo("healthy");
            assertThat(view.path("health").path("consecutive_failures").asInt()).isZero();
            assertThat(view.path("health").has("failing_since")).isFalse();
        }
    }

    @Test
    void aSuccessBeforeTheLimitRestartsTheClock() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            // Fail, succeed, then fail again more than 1 s after the first failure: the success ended the
            // first run, so the new run is young and nothing is disabled.
            receiver.answering(n -> n == 2 ? Answer.status(200) : Answer.status(500));
            String id = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String first = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "first"));
            await().atMost(Duration.ofSeconds(5)).until(() -> "delivered".equals(delivery(account, first).path("status").asText()));
            sleep(Duration.ofMillis(1100));

            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "second"));

            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> endpoint(account, id).path("health").path("consecutive_failures").asInt() >= 1);
            JsonNode view = endpoint(account, id);
            assertThat(view.path("enabled").asBoolean()).isTrue();
            assertThat(view.path("health").path("status").asText()).isEqualTo("failing");
        }
    }
}
