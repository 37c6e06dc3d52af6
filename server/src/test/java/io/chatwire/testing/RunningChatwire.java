package io.chatwire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.server.ChatwireConfig;
import io.chatwire.server.ChatwireServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real Chatwire server in this JVM on an ephemeral port, with its own SQLite file in a temporary
 * directory, and helpers to set up an account, a chatbot and endpoints through the public API.
 */
public final class RunningChatwire implements AutoCloseable {
    public static final String ADMIN_TOKEN = "test-operator-token-0123456789";

    private final ChatwireServer server;
    private final Path dataDir;
    private final Optional<String> pgSchema;
    private final ApiClient operator;

    private RunningChatwire(ChatwireServer server, Path dataDir, Optional<String> pgSchema) {
        this.server = server;
        this.dataDir = dataDir;
        this.pgSchema = pgSchema;
        this.operator = new ApiClient(server.baseUrl(), ADMIN_TOKEN);
    }

    /** Starts with a compressed retry schedule; extra settings override the defaults. */
    public static RunningChatwire start(Map<String, String> settings) {
        try {
            Path dir = Files.createTempDirectory("chatwire-test-");
            Map<String, String> env = new HashMap<>();
            env.put("CHATWIRE_PORT", "0");
            env.put("CHATWIRE_DATA_DIR", dir.toString());
            env.put("CHATWIRE_ADMIN_TOKEN", ADMIN_TOKEN);
            env.put("CHATWIRE_RETRY_SCHEDULE", "0s,200ms,200ms");
            env.put("CHATWIRE_REQUEST_TIMEOUT", "2s");
            env.put("CHATWIRE_CONNECT_TIMEOUT", "1s");
            env.put("CHATWIRE_LEASE", "5s");
            env.put("CHATWIRE_POLL_INTERVAL", "200ms");
            env.put("CHATWIRE_SHUTDOWN_GRACE", "2s");
            // Test receivers listen on loopback, which the network guard refuses by default.
            env.put("CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8");
            // The same suite runs a second time on PostgreSQL (-Dchatwire.test.db=postgresql), each
            // server in a schema of its own.
            Optional<String> schema = Optional.empty();
            if (TestDatabases.serverTestsOnPostgres()) {
                schema = Optional.of(TestDatabases.newSchema());
                env.put("CHATWIRE_DB_URL", TestDatabases.POSTGRES_URL);
                env.put("CHATWIRE_DB_SCHEMA", schema.get());
            }
            env.putAll(settings);
            return new RunningChatwire(ChatwireServer.start(ChatwireConfig.load(env, Optional.empty())), dir, schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunningChatwire start() {
        return start(Map.of());
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The PostgreSQL schema this server uses, when the suite runs on PostgreSQL. */
    public Optional<String> pgSchema() {
        return pgSchema;
    }

    /** A plain JDBC connection to this server's database (its SQLite file, or its PostgreSQL schema). */
    public java.sql.Connection openJdbc() throws java.sql.SQLException {
        if (pgSchema.isPresent()) {
            java.sql.Connection c = java.sql.DriverManager.getConnection(TestDatabases.POSTGRES_URL);
            c.setSchema(pgSchema.get());
            return c;
        }
        return java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("chatwire.db"));
    }

    /** The operator token this start generated (only when started with CHATWIRE_ADMIN_TOKEN empty). */
    public Optional<String> firstOperatorToken() {
        return server.firstOperatorToken();
    }

    public ApiClient operator() {
        return operator;
    }

    public ApiClient anonymous() {
        return operator.as(null);
    }

    /** An account made through the API, with its key and secret. */
    public record TestAccount(String id, String apiKey, String signingSecret, ApiClient api) {
    }

    public TestAccount createAccount(String plan) {
        ApiClient.Response r = operator.post("/v1/accounts", "{\"name\":\"Test " + plan + "\",\"plan\":\"" + plan + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return new TestAccount(r.text("id"), r.text("api_key"), r.text("signing_secret"),
                new ApiClient(baseUrl(), r.text("api_key")));
    }

    public String createChatbot(TestAccount account) {
        ApiClient.Response r = account.api().post("/v1/chatbots", "{\"name\":\"Support bot\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    public String createEndpoint(TestAccount account, String chatbotId, String url, String eventsJson, boolean enabled) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbotId + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":" + eventsJson + ",\"enabled\":" + enabled + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    /** A chat event like the Chat Data sample, for the given chatbot. */
    public static String chatEvent(String chatbotId, String question) {
        return """
                {"event":"chat","messages":[{"role":"assistant","content":"👋 Hello there!"},\
                {"role":"user","content":"%s"}],"answer":{"role":"assistant","content":"Follow the guide.",\
                "score":0.8503905227042547},"client_ip":"203.0.113.7","chatbot_id":"%s","source":"widget",\
                "cost_credits":20,"conversation_id":"dbf24043-83a6-47fb-b241-9865de3877c9",\
                "lead":{"uuid":"28239132-671d-4b1f-9d43-1c7b70985ede"}}""".formatted(question, chatbotId);
    }

    public String postEvent(String json) {
        ApiClient.Response r = operator.post("/v1/events", json);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r.text("id");
    }

    /** Stops the server but keeps its data directory and database, for a restart on the same data. */
    public void stopKeepingData() {
        server.close();
    }

    @Override
    public void close() {
        server.close();
        pgSchema.ifPresent(TestDatabases::dropSchema);
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp directory left behind is harmless.
        }
    }
}
