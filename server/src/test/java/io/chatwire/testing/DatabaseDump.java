package io.chatwire.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a running server's database with plain JDBC, as someone holding a copy of it would: every
 * table, every cell. Works on SQLite and PostgreSQL (the server's own schema).
 */
public final class DatabaseDump {
    private DatabaseDump() {
    }

    /** The tables of the schema (Flyway's history table included). */
    public static List<String> tables(RunningChatwire chatwire) {
        try (Connection c = chatwire.openJdbc()) {
            return tables(c, chatwire);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database", e);
        }
    }

    private static List<String> tables(Connection c, RunningChatwire chatwire) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getTables(null, chatwire.pgSchema().orElse(null), "%",
                new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        return tables;
    }

    /** Every cell of every table as text, one string per cell. */
    public static List<String> cells(RunningChatwire chatwire) {
        List<String> cells = new ArrayList<>();
        try (Connection c = chatwire.openJdbc()) {
            for (String t : tables(c, chatwire)) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\"")) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            cells.add(String.valueOf(rs.getString(i)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database", e);
        }
        return cells;
    }

    /** Row counts of the named tables. */
    public static Map<String, Long> counts(RunningChatwire chatwire, String... tables) {
        try (Connection c = chatwire.openJdbc()) {
            return counts(c, tables);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database", e);
        }
    }

    /** Row counts of the named tables, on a connection the caller keeps open (many counts in a row). */
    public static Map<String, Long> counts(Connection c, String... tables) {
        Map<String, Long> counts = new LinkedHashMap<>();
        // One statement for all tables: the hostile-input suites count before and after thousands of requests.
        String sql = "SELECT " + String.join(", ", java.util.Arrays.stream(tables)
                .map(t -> "(SELECT COUNT(*) FROM " + t + ")").toList());
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            for (int i = 0; i < tables.length; i++) {
                counts.put(tables[i], rs.getLong(i + 1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database", e);
        }
        return counts;
    }

    /** Runs one update statement (a test simulating an old row, or an attacker with database access). */
    public static int update(RunningChatwire chatwire, String sql, String... params) {
        try (Connection c = chatwire.openJdbc(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the database", e);
        }
    }
}
