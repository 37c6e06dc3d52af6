package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Usage and delivery analytics add up exactly from known events and attempts. */
class AnalyticsTest {
    private RunningChatwire chatwire;
    private TestAccount account;
    private String chatbot;
    private final String today = LocalDate.now(ZoneOffset.UTC).toString();

    @BeforeEach
    void start() {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_RETRY_SCHEDULE", "0s"));
        account = chatwire.createAccount("professional");
        chatbot = chatwire.createChatbot(account);
    }

    @AfterEach
    void stop() {
        chatwire.close();
    }

    private String chat(String source, String credits) {
        return RunningChatwire.chatEvent(chatbot, "q").replace("\"source\":\"widget\"", "\"source\":\"" + source + "\"")
                .replace("\"cost_credits\":20", "\"cost_credits\":" + credits);
    }

    @Test
    void usageCountsChatsBySourceCreditsLeadsAndEscalationsPerDay() {
        chatwire.postEvent(chat("widget", "20"));
        chatwire.postEvent(chat("widget", "2.5"));
        chatwire.postEvent(chat("discord", "7"));
        chatwire.postEvent(chat("whatsapp", "0"));
        chatwire.postEvent("{\"event\":\"lead-submission\",\"chatbot_id\":\"" + chatbot + "\",\"lead\":{\"uuid\":\"u-1\"}}");
        chatwire.postEvent("{\"event\":\"lead-submission\",\"chatbot_id\":\"" + chatbot + "\",\"lead\":{\"uuid\":\"u-2\"}}");
        chatwire.postEvent("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"" + chatbot + "\",\"source\":\"slack\"}");
        // Another chatbot of the same account counts in the account view but not in this chatbot's.
        String other = chatwire.createChatbot(account);
        chatwire.postEvent(RunningChatwire.chatEvent(other, "elsewhere"));

        JsonNode usage = account.api().get("/v1/analytics/usage?chatbot_id=" + chatbot + "&from=" + today + "&to=" + today).json();

        assertThat(usage.path("totals").path("chats").asLong()).isEqualTo(4);
        assertThat(usage.path("totals").path("credits").asDouble()).isEqualTo(29.5);
        assertThat(usage.path("totals").path("leads").asLong()).isEqualTo(2);
        assertThat(usage.path("totals").path("escalations").asLong()).isEqualTo(1);
        assertThat(usage.path("chats_by_source").path("widget").asLong()).isEqualTo(2);
        assertThat(usage.path("chats_by_source").path("discord").asLong()).isEqualTo(1);
        assertThat(usage.path("chats_by_source").path("whatsapp").asLong()).isEqualTo(1);
        assertThat(usage.path("chats_by_source").has("slack")).as("escalations are not chats").isFalse();
        assertThat(usage.path("days")).hasSize(1);
        assertThat(usage.path("days").get(0).path("day").asText()).isEqualTo(today);

        JsonNode account = this.account.api().get("/v1/analytics/usage?from=" + today + "&to=" + today).json();
        assertThat(account.path("totals").path("chats").asLong()).isEqualTo(5);
        assertThat(account.path("totals").path("credits").asDouble()).isEqualTo(49.5);
    }

    @Test
    void everyDayOfTheRangeIsPresentSoChartsHaveNoGaps() {
        LocalDate to = LocalDate.now(ZoneOffset.UTC);
        JsonNode usage = account.api().get("/v1/analytics/usage?from=" + to.minusDays(6) + "&to=" + to).json();
        assertThat(usage.path("days")).hasSize(7);
        assertThat(usage.path("days").get(0).path("chats").asLong()).isZero();
    }

    @Test
    void testEventsAreNotUsage() {
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            assertThat(account.api().post("/v1/endpoints/" + endpoint + "/test", "{}").status()).isEqualTo(200);
            JsonNode usage = account.api().get("/v1/analytics/usage?from=" + today + "&to=" + today).json();
            assertThat(usage.path("totals").path("chats").asLong()).isZero();
        }
    }

    @Test
    void testEventsAreNotCountedInDeliverySuccessOrLatency() {
        try (TestReceiver receiver = TestReceiver.start()) {
            // The test event meets a 500 (and is not retried: one attempt in the schedule); the real one a 200.
            receiver.answering(n -> n == 1 ? TestReceiver.Answer.status(500) : TestReceiver.Answer.status(200));
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            ApiClient.Response test = account.api().post("/v1/endpoints/" + endpoint + "/test", "{}");
            assertThat(test.json().path("attempt").path("http_status").asInt()).as(test.raw()).isEqualTo(500);

            chatwire.postEvent(chat("widget", "1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> endpointView(endpoint).path("successes").asLong() == 1);

            JsonNode view = endpointView(endpoint);
            assertThat(view.path("attempts").asLong()).as("the test event's failed attempt is left out").isEqualTo(1);
            assertThat(view.path("success_rate").asDouble()).isEqualTo(1.0);
            assertThat(view.path("days").get(0).path("attempts").asLong()).isEqualTo(1);
        }
    }

    @Test
    void deliveryAnalyticsGiveSuccessRateAndLatencyPerEndpoint() {
        try (TestReceiver ok = TestReceiver.start(); TestReceiver flaky = TestReceiver.start()) {
            ok.answering(TestReceiver.Answer.status(200).after(Duration.ofMillis(30)));
            flaky.answering(n -> n % 2 == 1 ? TestReceiver.Answer.status(500) : TestReceiver.Answer.status(200));
            String okId = chatwire.createEndpoint(account, chatbot, ok.url().toString(), "[\"chat\"]", true);
            String flakyId = chatwire.createEndpoint(account, chatbot, flaky.url().toString(), "[\"chat\"]", true);
            for (int i = 0; i < 4; i++) {
                chatwire.postEvent(chat("widget", "1"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> ok.count() == 4 && flaky.count() == 4);
            await().atMost(Duration.ofSeconds(5)).until(() -> attemptsOf(okId) == 4 && attemptsOf(flakyId) == 4);

            JsonNode okView = endpointView(okId);
            assertThat(okView.path("successes").asLong()).isEqualTo(4);
            assertThat(okView.path("success_rate").asDouble()).isEqualTo(1.0);
            assertThat(okView.path("p50_ms").asLong()).isBetween(25L, 100L);
            assertThat(okView.path("p95_ms").asLong()).isGreaterThanOrEqualTo(okView.path("p50_ms").asLong());
            JsonNode flakyView = endpointView(flakyId);
            assertThat(flakyView.path("attempts").asLong()).isEqualTo(4);
            assertThat(flakyView.path("successes").asLong()).isEqualTo(2);
            assertThat(flakyView.path("success_rate").asDouble()).isEqualTo(0.5);
            assertThat(flakyView.path("days").get(0).path("day").asText()).isEqualTo(today);
        }
    }

    @Test
    void badRangesAreRefused() {
        assertThat(account.api().get("/v1/analytics/usage?from=2026-13-01").status()).isEqualTo(400);
        assertThat(account.api().get("/v1/analytics/usage?from=2026-02-01&to=2026-01-01").status()).isEqualTo(400);
        assertThat(account.api().get("/v1/analytics/usage?from=2024-01-01&to=2026-01-01").status()).isEqualTo(400);
        ApiClient stranger = chatwire.createAccount("standard").api();
        assertThat(stranger.get("/v1/analytics/usage?chatbot_id=" + chatbot).status()).isEqualTo(404);
    }

    private long attemptsOf(String endpointId) {
        return endpointView(endpointId).path("attempts").asLong();
    }

    private JsonNode endpointView(String endpointId) {
        return account.api().get("/v1/analytics/deliveries?endpoint_id=" + endpointId).json().path("endpoints").get(0);
    }
}
