package io.chatwire.store;

import java.sql.SQLException;

/**
 * The few places where SQLite and PostgreSQL differ. Everything else in the stores is plain SQL that
 * both accept.
 */
public enum SqlDialect {
    SQLITE("classpath:db/migration/sqlite", ""),
    POSTGRESQL("classpath:db/migration/postgresql", " FOR UPDATE SKIP LOCKED");

    private final String migrations;
    private final String skipLocked;

    SqlDialect(String migrations, String skipLocked) {
        this.migrations = migrations;
        this.skipLocked = skipLocked;
    }

    /** Picks the dialect from a JDBC URL. */
    public static SqlDialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (want jdbc:sqlite: or jdbc:postgresql:): " + jdbcUrl);
    }

    String migrations() {
        return migrations;
    }

    /**
     * Appended to the sub-select that picks due work. SQLite has a single writer, so rows cannot be
     * claimed twice; PostgreSQL needs {@code SKIP LOCKED} so that nodes claim disjoint rows without waiting.
     */
    public String skipLocked() {
        return skipLocked;
    }

    /** True when the exception says a UNIQUE constraint refused the row. */
    public boolean isUniqueViolation(SQLException e) {
        return switch (this) {
            // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555), or the base code 19.
            case SQLITE -> e.getErrorCode() == 19 || e.getErrorCode() == 2067 || e.getErrorCode() == 1555
                    || String.valueOf(e.getMessage()).contains("UNIQUE constraint failed");
            case POSTGRESQL -> "23505".equals(e.getSQLState());
        };
    }
}
