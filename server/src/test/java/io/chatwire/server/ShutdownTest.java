package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A graceful stop lets in-flight deliveries finish, and what it accepted is there after a restart. */
class ShutdownTest {

    @Test
    void aGracefulStopFinishesInFlightDeliveriesAndRecordsThem() throws Exception {
        Path dataDir = Files.createTempDirectory("chatwire-shutdown-");
        Map<String, String> settings = new HashMap<>(Map.of("CHATWIRE_DATA_DIR", dataDir.toString(),
                "CHATWIRE_SHUTDOWN_GRACE", "5s"));
        // Both starts must open the same database: on PostgreSQL, the same schema.
        String schema = TestDatabases.newSchema();
        if (TestDatabases.serverTestsOnPostgres()) {
            settings.put("CHATWIRE_DB_SCHEMA", schema);
        }
        String eventId;
        String apiKey;
        try (TestReceiver slow = TestReceiver.start()) {
            slow.answering(TestReceiver.Answer.status(200).after(Duration.ofMillis(800)));
            RunningChatwire first = RunningChatwire.start(settings);
            TestAccount account = first.createAccount("standard");
            apiKey = account.apiKey();
            String chatbot = first.createChatbot(account);
            first.createEndpoint(account, chatbot, slow.url().toString(), "[\"chat\"]", true);
            eventId = first.postEvent(RunningChatwire.chatEvent(chatbot, "in flight"));
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.count() == 1);

            first.stopKeepingData(); // while the receiver is still answering

            RunningChatwire second = RunningChatwire.start(settings);
            try {
                var delivery = second.operator().as(apiKey).get("/v1/events/" + eventId + "/deliveries")
                        .json().get("data").get(0);
                assertThat(delivery.path("status").asText()).isEqualTo("delivered");
                assertThat(delivery.get("attempts")).hasSize(1);
                assertThat(delivery.get("attempts").get(0).path("http_status").asInt()).isEqualTo(200);
                Thread.sleep(500);
                assertThat(slow.count()).as("nothing is sent twice after a clean stop").isEqualTo(1);
            } finally {
                second.close();
                if (TestDatabases.serverTestsOnPostgres()) {
                    TestDatabases.dropSchema(schema);
                }
            }
        }
    }
}
