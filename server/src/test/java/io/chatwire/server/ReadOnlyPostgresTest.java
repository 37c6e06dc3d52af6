package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.TestReceiver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL that still answers but no longer takes writes, as after a failover that left the node
 * on a standby: the server's role gets {@code default_transaction_read_only} and its sessions are
 * ended, so the pool reconnects to read-only sessions. Reads work, so "can I get a connection" says
 * nothing; readiness must say not ready, ingest must answer 503, and both recover when writes are
 * taken again. The server connects as a role of its own, so nothing else on the database is touched.
 */
@Timeout(90)
class ReadOnlyPostgresTest {
    private final String role = "cw_ro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String schema = TestDatabases.newSchema();
    private RunningChatwire chatwire;
    private TestReceiver receiver;

    @BeforeEach
    void aRoleOfItsOwn() throws SQLException {
        admin("CREATE ROLE " + role + " LOGIN");
        admin("DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO " + role + "', current_database()); END $$");
    }

    @AfterEach
    void cleanUp() throws SQLException {
        admin("ALTER ROLE " + role + " RESET default_transaction_read_only");
        endSessions();
        if (chatwire != null) {
            chatwire.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        admin("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        admin("DROP SCHEMA IF EXISTS " + role + " CASCADE");
        admin("DROP OWNED BY " + role);
        admin("DROP ROLE " + role);
    }

    /**
     * With CHATWIRE_DB_SCHEMA, Chatwire creates the schema and sets it on every connection; without,
     * the tables go where the role's search path says (here: the schema named after the role).
     */
    @ParameterizedTest(name = "CHATWIRE_DB_SCHEMA set: {0}")
    @ValueSource(booleans = {false, true})
    void answers503WhileTheDatabaseRefusesWritesAndRecoversWhenItTakesThemAgain(boolean namedSchema)
            throws SQLException {
        if (!namedSchema) {
            admin("CREATE SCHEMA " + role + " AUTHORIZATION " + role);
        }
        receiver = TestReceiver.start();
        chatwire = RunningChatwire.start(Map.of(
                "CHATWIRE_DB_URL", urlFor(role),
                "CHATWIRE_DB_SCHEMA", namedSchema ? schema : "",
                "CHATWIRE_NODE_ID", "read-only-node"));
        RunningChatwire.TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
        ApiClient operator = chatwire.operator();
        Set<String> accepted = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "before-" + i)));
        }
        assertThat(chatwire.anonymous().get("/readyz").status()).isEqualTo(200);

        admin("ALTER ROLE " + role + " SET default_transaction_read_only = on");
        endSessions();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response ready = chatwire.anonymous().get("/readyz");
            assertThat(ready.status()).as("readiness on a read-only database: " + ready.raw()).isEqualTo(503);
            assertThat(ready.text("status")).as(ready.raw()).isEqualTo("not_ready");
            assertThat(ready.text("reason")).as(ready.raw()).contains("refuses writes");
        });
        ApiClient.Response events = account.api().get("/v1/events");
        assertThat(events.status()).as("reads still work: " + events.raw()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            ApiClient.Response r = operator.post("/v1/events", RunningChatwire.chatEvent(chatbot, "refused-" + i),
                    "Idempotency-Key", "refused-" + i);
            assertThat(r.status()).as("ingest on a read-only database: " + r.raw()).isEqualTo(503);
            assertThat(r.text("error")).as(r.raw()).isEqualTo("unavailable");
        }

        admin("ALTER ROLE " + role + " RESET default_transaction_read_only");
        endSessions();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response ready = chatwire.anonymous().get("/readyz");
            assertThat(ready.status()).as(ready.raw()).isEqualTo(200);
            assertThat(ready.text("status")).as(ready.raw()).isEqualTo("ready");
        });
        for (int i = 0; i < 3; i++) {
            String key = "after-" + i;
            String id = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                ApiClient.Response r = operator.post("/v1/events", RunningChatwire.chatEvent(chatbot, key),
                        "Idempotency-Key", key);
                assertThat(r.status()).as(r.raw()).isIn(202, 503);
                return r.status() == 202 ? r.text("id") : null;
            }, java.util.Objects::nonNull);
            accepted.add(id);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(receiver.received().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet()))
                        .as("delivered event ids").containsAll(accepted));
        assertThat(receiver.received().stream().map(TestReceiver.Received::bodyText))
                .as("events refused with 503 are never delivered")
                .noneMatch(b -> b.contains("\"refused-"));
    }

    /** The test database's URL, logging in as {@code user} instead. */
    private static String urlFor(String user) {
        String url = TestDatabases.POSTGRES_URL.replaceAll("([?&])user=[^&]*&?", "$1");
        url = url.endsWith("?") || url.endsWith("&") ? url : url + (url.contains("?") ? "&" : "?");
        return url + "user=" + user;
    }

    /** Ends the role's sessions, as a failover would: the pool connects again. */
    private void endSessions() throws SQLException {
        admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
