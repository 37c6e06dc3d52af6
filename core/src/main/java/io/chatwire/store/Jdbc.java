package io.chatwire.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The small amount of JDBC plumbing every store repeats: bind positional parameters, map rows. Kept
 * here so that each store reads as its SQL and a row mapper.
 */
public final class Jdbc {
    private Jdbc() {
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public static int update(Connection c, String sql, Object... params) throws SQLException {
        Optional<PreparedStatement> kept = KeptStatements.of(c, sql);
        if (kept.isPresent()) {
            PreparedStatement ps = kept.get();
            try {
                bind(ps, params);
                return ps.executeUpdate();
            } catch (SQLException e) {
                KeptStatements.discard(c, sql);
                throw e;
            } finally {
                clearQuietly(ps);
            }
        }
        try (PreparedStatement ps = prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params) throws SQLException {
        return withResults(c, sql, params, rs -> {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        });
    }

    public static <T> Optional<T> queryOne(Connection c, String sql, RowMapper<T> mapper, Object... params)
            throws SQLException {
        return withResults(c, sql, params, rs -> rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty());
    }

    /** Runs the query on the writer's kept statement when there is one, else on one of its own. */
    private static <T> T withResults(Connection c, String sql, Object[] params, RowMapper<T> read) throws SQLException {
        Optional<PreparedStatement> kept = KeptStatements.of(c, sql);
        if (kept.isPresent()) {
            PreparedStatement ps = kept.get();
            try {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    return read.map(rs);
                }
            } catch (SQLException e) {
                KeptStatements.discard(c, sql);
                throw e;
            } finally {
                clearQuietly(ps);
            }
        }
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            return read.map(rs);
        }
    }

    /** A statement that failed may be closed already: clearing it is then no concern of the caller's. */
    private static void clearQuietly(PreparedStatement ps) {
        try {
            if (!ps.isClosed()) {
                ps.clearParameters();
            }
        } catch (SQLException e) {
            // The statement was discarded; the next use prepares a new one.
        }
    }

    public static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            bind(ps, params);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    public static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            bindOne(ps, i + 1, params[i]);
        }
    }

    private static void bindOne(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setNull(index, Types.NULL);
            case String s -> ps.setString(index, s);
            case Long l -> ps.setLong(index, l);
            case Integer n -> ps.setInt(index, n);
            case Boolean b -> ps.setBoolean(index, b);
            case Double d -> ps.setDouble(index, d);
            case Optional<?> o -> bindOne(ps, index, o.orElse(null));
            default -> throw new IllegalArgumentException("cannot bind " + value.getClass().getName());
        }
    }

    /** Reads a nullable BIGINT column. */
    public static Optional<Long> optionalLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }

    /** Reads a nullable INTEGER column. */
    public static Optional<Integer> optionalInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(v);
    }

    /** Builds {@code ?, ?, ?} for an IN list of n parameters. */
    public static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
