package io.chatwire.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL that tests run against: 127.0.0.1:5432, database {@code test}, trust auth (override
 * with {@code CHATWIRE_TEST_PG_URL}). Each test gets its own schema, so runs never see each other's rows.
 * CI starts this server and fails if it cannot reach it; these tests do not skip themselves.
 */
public final class TestDatabases {
    public static final String POSTGRES_URL = System.getenv().getOrDefault("CHATWIRE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private TestDatabases() {
    }

    /** True when this run's server tests use PostgreSQL ({@code -Dchatwire.test.db=postgresql}). */
    public static boolean serverTestsOnPostgres() {
        return "postgresql".equals(System.getProperty("chatwire.test.db"));
    }

    /** A fresh schema name; the store creates the schema on open. */
    public static String newSchema() {
        return "cw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    public static void dropSchema(String schema) {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test schema " + schema, e);
        }
    }
}
