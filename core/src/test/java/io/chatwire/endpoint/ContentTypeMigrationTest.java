package io.chatwire.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.store.Database;
import io.chatwire.store.Jdbc;
import io.chatwire.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V6 adds the endpoints' content type: an endpoint registered before it keeps application/json, the
 * label its receiver has been getting, on both databases.
 */
class ContentTypeMigrationTest {
    @TempDir
    Path dir;

    @Test
    void onSqliteAnEndpointFromBeforeV6KeepsApplicationJson() throws SQLException {
        String url = "jdbc:sqlite:" + dir.resolve("t.db");
        migrateToV5(url, "", "classpath:db/migration/sqlite");
        try (Connection c = DriverManager.getConnection(url)) {
            insertV5Endpoint(c);
        }

        assertThat(contentTypeAfterMigration(url, "")).isEqualTo(DeliveryContentType.APPLICATION_JSON);
    }

    @Test
    void onPostgresqlAnEndpointFromBeforeV6KeepsApplicationJson() throws SQLException {
        String schema = TestDatabases.newSchema();
        try {
            migrateToV5(TestDatabases.POSTGRES_URL, schema, "classpath:db/migration/postgresql");
            try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL)) {
                c.setSchema(schema);
                insertV5Endpoint(c);
            }

            assertThat(contentTypeAfterMigration(TestDatabases.POSTGRES_URL, schema))
                    .isEqualTo(DeliveryContentType.APPLICATION_JSON);
        } finally {
            TestDatabases.dropSchema(schema);
        }
    }

    private static void migrateToV5(String url, String schema, String location) {
        Flyway.configure()
                .dataSource(url, null, null)
                .locations(location)
                .schemas(schema.isBlank() ? new String[0] : new String[] {schema})
                .target("5")
                .load()
                .migrate();
    }

    /** An account, a chatbot and an endpoint, as the V5 schema holds them. */
    private static void insertV5Endpoint(Connection c) throws SQLException {
        Jdbc.update(c, "INSERT INTO accounts (id, name, plan, signing_secret, created_at) VALUES (?, ?, ?, ?, ?)",
                "acct_old", "Old", "standard", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1L);
        Jdbc.update(c, "INSERT INTO chatbots (id, account_id, name, created_at) VALUES (?, ?, ?, ?)",
                "bot_old", "acct_old", "Old bot", 1L);
        Jdbc.update(c, """
                INSERT INTO endpoints (id, account_id, chatbot_id, url, event_types, description, enabled, created_at,
                                       updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, "ep_old", "acct_old", "bot_old", "https://hooks.example.test/old", "chat", "", true, 1L, 1L);
    }

    /** Opens the database as the server does (which applies V6) and reads the endpoint back. */
    private static DeliveryContentType contentTypeAfterMigration(String url, String schema) {
        try (Database db = Database.open(url, schema)) {
            return new EndpointStore(db, Clock.systemUTC()).get("acct_old", "ep_old").contentType();
        }
    }
}
