package io.chatwire.examples.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.server.ChatwireConfig;
import io.chatwire.server.ChatwireServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A real Chatwire in this JVM (as the server module's RunningChatwire starts one, which this module
 * cannot use: it is server's test code), on its own SQLite file, allowed to deliver to loopback, with
 * a compressed retry schedule. Set up through its public API like a customer would.
 */
final class InProcessChatwire implements AutoCloseable {
    static final String OPERATOR_TOKEN = "example-test-operator-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ChatwireServer server;
    private final Path dataDir;

    private InProcessChatwire(ChatwireServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    static InProcessChatwire start(Path dataDir) {
        Map<String, String> env = Map.of(
                "CHATWIRE_PORT", "0",
                "CHATWIRE_DATA_DIR", dataDir.toString(),
                "CHATWIRE_ADMIN_TOKEN", OPERATOR_TOKEN,
                "CHATWIRE_RETRY_SCHEDULE", "0s,200ms,200ms",
                "CHATWIRE_REQUEST_TIMEOUT", "2s",
                "CHATWIRE_CONNECT_TIMEOUT", "1s",
                "CHATWIRE_POLL_INTERVAL", "100ms",
                "CHATWIRE_SHUTDOWN_GRACE", "1s",
                // The example receiver listens on loopback, which Chatwire refuses unless allowed.
                "CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8");
        return new InProcessChatwire(ChatwireServer.start(ChatwireConfig.load(env, Optional.empty())), dataDir);
    }

    /** An account's API key and signing secret. */
    record Account(String apiKey, String signingSecret) {
    }

    Account createAccount() {
        JsonNode r = call("POST", "/v1/accounts", OPERATOR_TOKEN, "{\"name\":\"Chat history\",\"plan\":\"standard\"}", 201);
        return new Account(r.path("api_key").asText(), r.path("signing_secret").asText());
    }

    String createChatbot(Account account) {
        return call("POST", "/v1/chatbots", account.apiKey(), "{\"name\":\"Subscribers' bot\"}", 201).path("id").asText();
    }

    String createEndpoint(Account account, String chatbotId, String url, String contentType) {
        return call("POST", "/v1/chatbots/" + chatbotId + "/endpoints", account.apiKey(),
                "{\"url\":\"" + url + "\",\"content_type\":\"" + contentType
                        + "\",\"events\":[\"chat\",\"lead-submission\",\"live-chat-escalation\"]}", 201).path("id").asText();
    }

    /** Posts an event as the chatbot platform does; returns its id (the deliveries' webhook-id). */
    String postEvent(String json) {
        return call("POST", "/v1/events", OPERATOR_TOKEN, json, 202).path("id").asText();
    }

    void resend(Account account, String eventId, String endpointId) {
        call("POST", "/v1/events/" + eventId + "/resend", account.apiKey(), "{\"endpoint_id\":\"" + endpointId + "\"}", 202);
    }

    /** The one delivery of an event: status and attempts. */
    JsonNode delivery(Account account, String eventId) {
        JsonNode data = call("GET", "/v1/events/" + eventId + "/deliveries", account.apiKey(), null, 200).path("data");
        assertThat(data).as("deliveries of " + eventId).hasSize(1);
        return data.get(0);
    }

    private JsonNode call(String method, String path, String token, String body, int expectedStatus) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token);
        if (body == null) {
            b.GET();
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expectedStatus);
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    Path dataDir() {
        return dataDir;
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
