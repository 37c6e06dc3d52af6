package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.EventStreamClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.TestReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL schema: a live log stream opened on one node shows the attempts the
 * other node makes, since every stream reads the shared attempts table. (Always on PostgreSQL, the
 * database a cluster shares; so it is left out of the suite's second, PostgreSQL run.)
 */
@Timeout(60)
class LiveLogClusterTest {
    @TempDir
    Path dataDir;

    private final String schema = TestDatabases.newSchema();
    private ChatwireServer nodeA;
    private ChatwireServer nodeB;
    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void stop() {
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
        receiver.close();
        TestDatabases.dropSchema(schema);
    }

    private ChatwireServer start(String nodeId) {
        Map<String, String> env = new HashMap<>();
        env.put("CHATWIRE_PORT", "0");
        env.put("CHATWIRE_DATA_DIR", dataDir.resolve(nodeId).toString());
        env.put("CHATWIRE_DB_URL", TestDatabases.POSTGRES_URL);
        env.put("CHATWIRE_DB_SCHEMA", schema);
        env.put("CHATWIRE_NODE_ID", nodeId);
        env.put("CHATWIRE_ADMIN_TOKEN", RunningChatwire.ADMIN_TOKEN);
        // Both nodes seal secrets with the same key, as a cluster's nodes must.
        env.put("CHATWIRE_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        env.put("CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8");
        env.put("CHATWIRE_LIVE_HEARTBEAT", "1s");
        return ChatwireServer.start(ChatwireConfig.load(env, Optional.empty()));
    }

    @Test
    void aStreamOnOneNodeShowsAttemptsMadeByAnother() {
        nodeA = start("node-a");
        nodeB = start("node-b");
        ApiClient operatorA = new ApiClient(nodeA.baseUrl(), RunningChatwire.ADMIN_TOKEN);
        ApiClient.Response account = operatorA.post("/v1/accounts", "{\"name\":\"Cluster\",\"plan\":\"standard\"}");
        assertThat(account.status()).as(account.raw()).isEqualTo(201);
        ApiClient api = new ApiClient(nodeA.baseUrl(), account.text("api_key"));
        String chatbot = api.post("/v1/chatbots", "{\"name\":\"Bot\"}").text("id");
        ApiClient.Response endpoint = api.post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + receiver.url("/cluster") + "\",\"events\":[\"chat\"]}");
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);

        try (EventStreamClient onB = EventStreamClient.open(nodeB.baseUrl(), "/v1/attempts/stream",
                account.text("api_key"), Optional.empty())) {
            assertThat(onB.status()).isEqualTo(200);
            // The node that accepts an event makes its first attempt.
            ApiClient.Response accepted = operatorA.post("/v1/events", RunningChatwire.chatEvent(chatbot, "to node a"));
            assertThat(accepted.status()).as(accepted.raw()).isEqualTo(202);
            String eventId = accepted.text("id");

            await().atMost(Duration.ofSeconds(15)).until(() -> onB.attempts().stream()
                    .anyMatch(a -> a.path("event_id").asText().equals(eventId)));
            JsonNode attempt = onB.attempts().stream().filter(a -> a.path("event_id").asText().equals(eventId))
                    .findFirst().orElseThrow();
            assertThat(attempt.path("node_id").asText()).isEqualTo("node-a");
            assertThat(attempt.path("outcome").asText()).isEqualTo("delivered");
        }
    }
}
