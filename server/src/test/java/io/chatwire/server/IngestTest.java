package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ingest accepts what it can store and deliver, refuses the rest with a clear 4xx, and stores nothing then. */
class IngestTest {
    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    private static int eventCount(TestAccount account) {
        return account.api().get("/v1/events?limit=200").json().get("data").size();
    }

    @Test
    void aRepeatedPostWithTheSameIdempotencyKeyReturnsTheFirstEvent() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String body = RunningChatwire.chatEvent(chatbot, "once");

            ApiClient.Response first = chatwire.operator().post("/v1/events", body, "Idempotency-Key", "chat-42");
            ApiClient.Response again = chatwire.operator().post("/v1/events", body, "Idempotency-Key", "chat-42");

            assertThat(first.status()).isEqualTo(202);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.text("id")).isEqualTo(first.text("id"));
            assertThat(again.json().path("duplicate").asBoolean()).isTrue();
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(eventCount(account)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isEqualTo(1);
        }
    }

    @Test
    void reusingAnIdempotencyKeyForADifferentEventIsAConflict() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "one"), "Idempotency-Key", "k-1");

        ApiClient.Response r = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "two"),
                "Idempotency-Key", "k-1");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.text("error")).isEqualTo("idempotency_key_reused");
        assertThat(eventCount(account)).isEqualTo(1);
    }

    @Test
    void aFourthEndpointOnAChatbotIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        for (int i = 0; i < 3; i++) {
            chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/hook" + i, "[\"chat\"]", true);
        }

        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/hook4\"}");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.text("error")).isEqualTo("endpoint_limit_reached");
        assertThat(r.text("message")).contains("3 of 3");
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).hasSize(3);
    }

    @Test
    void aFreeAccountCannotRegisterEndpoints() {
        TestAccount account = chatwire.createAccount("free");
        String chatbot = chatwire.createChatbot(account);

        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"https://example.com/hook\"}");

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.text("error")).isEqualTo("plan_without_webhooks");
        assertThat(r.text("message")).contains("free plan");
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).isEmpty();
    }

    @Test
    void refusesMalformedJsonWithAClearMessage() {
        ApiClient.Response r = chatwire.operator().post("/v1/events", "{\"event\":\"chat\",");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("invalid_json");
        assertThat(r.text("message")).contains("not valid JSON").doesNotContain("REDACTED");
    }

    @Test
    void refusesAnEventWithoutChatbotId() {
        ApiClient.Response r = chatwire.operator().post("/v1/events",
                "{\"event\":\"chat\",\"messages\":[],\"answer\":{\"role\":\"assistant\",\"content\":\"hi\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("message")).isEqualTo("chatbot_id is required");
    }

    @Test
    void refusesAnEventForAnUnknownChatbot() {
        ApiClient.Response r = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent("no-such-bot", "hi"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text("message")).contains("chatbot no-such-bot does not exist");
    }

    @Test
    void refusesAKnownFieldOfTheWrongTypeNamingTheField() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        ApiClient.Response wrongType = chatwire.operator().post("/v1/events",
                RunningChatwire.chatEvent(chatbot, "x").replace("\"cost_credits\":20", "\"cost_credits\":\"20\""));

        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.text("message")).contains("cost_credits").contains("number");
        assertThat(eventCount(account)).isZero();
    }

    @Test
    void acceptsAnUnknownTopLevelFieldByDefault() {
        // The platform may add a field before Chatwire knows it (UnknownEventFieldsTest has the rest).
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        ApiClient.Response unknown = chatwire.operator().post("/v1/events",
                RunningChatwire.chatEvent(chatbot, "x").replace("\"source\"", "\"sauce\""));

        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(202);
        assertThat(eventCount(account)).isEqualTo(1);
    }

    @Test
    void refusesABodyOverOneMebibyteAndStoresNothing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String big = RunningChatwire.chatEvent(chatbot, "x".repeat(1024 * 1024));

        ApiClient.Response r = chatwire.operator().postBytes("/v1/events", big.getBytes(StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.text("error")).isEqualTo("payload_too_large");
        assertThat(eventCount(account)).isZero();
    }

    @Test
    void refusesNonHttpEndpointUrls() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        for (String url : new String[] {"ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "example.com/hook", ""}) {
            ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints", "{\"url\":\"" + url + "\"}");
            assertThat(r.status()).as(url).isEqualTo(400);
            assertThat(r.text("error")).as(url).isIn("invalid_url", "missing_field");
        }
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).isEmpty();
    }

    @Test
    void ingestNeedsTheOperatorToken() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String body = RunningChatwire.chatEvent(chatbot, "who am i");

        assertThat(chatwire.anonymous().post("/v1/events", body).status()).isEqualTo(401);
        assertThat(chatwire.operator().as("cwop_not-a-real-token").post("/v1/events", body).status()).isEqualTo(401);
        assertThat(account.api().post("/v1/events", body).status()).isEqualTo(403);
        assertThat(eventCount(account)).isZero();
    }
}
