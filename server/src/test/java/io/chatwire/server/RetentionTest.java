package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Old settled events are purged with their log; pending work and the usage aggregates are kept. */
class RetentionTest {

    @Test
    void purgesSettledEventsPastRetentionButKeepsPendingOnesAndUsage() {
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of(
                "CHATWIRE_RETENTION", "2s",
                "CHATWIRE_PURGE_INTERVAL", "300ms",
                "CHATWIRE_RETRY_SCHEDULE", "0s,1h"));
             TestReceiver ok = TestReceiver.start();
             TestReceiver down = TestReceiver.start()) {
            down.answering(TestReceiver.Answer.status(503));
            TestAccount account = chatwire.createAccount("standard");
            String healthyBot = chatwire.createChatbot(account);
            String brokenBot = chatwire.createChatbot(account);
            chatwire.createEndpoint(account, healthyBot, ok.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, brokenBot, down.url().toString(), "[\"chat\"]", true);

            String delivered = chatwire.postEvent(RunningChatwire.chatEvent(healthyBot, "old and done"));
            String pending = chatwire.postEvent(RunningChatwire.chatEvent(brokenBot, "still owed"));
            await().atMost(Duration.ofSeconds(5)).until(() -> ok.count() == 1 && down.count() == 1);

            await().atMost(Duration.ofSeconds(10)).until(() ->
                    account.api().get("/v1/events/" + delivered).status() == 404);
            assertThat(account.api().get("/v1/events/" + delivered + "/deliveries").status()).isEqualTo(404);
            assertThat(account.api().get("/v1/attempts?event_id=" + delivered).json().get("data")).isEmpty();

            // The pending delivery (next retry in an hour) keeps its event, its delivery and its log.
            assertThat(account.api().get("/v1/events/" + pending).status()).isEqualTo(200);
            assertThat(account.api().get("/v1/events/" + pending + "/deliveries").json().get("data").get(0)
                    .path("status").asText()).isEqualTo("pending");

            String today = LocalDate.now(ZoneOffset.UTC).toString();
            assertThat(account.api().get("/v1/analytics/usage?from=" + today + "&to=" + today).json()
                    .path("totals").path("chats").asLong()).as("usage outlives the purged log").isEqualTo(2);
        }
    }
}
