package io.chatwire.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The prepared statements of one writer connection, kept from one group commit to the next.
 *
 * <p>sqlite-jdbc prepares a statement from scratch on every {@code prepareStatement} call, and the
 * writer runs the same dozen statements thousands of times a second: re-preparing them was about a
 * third of the single SQLite writer's time. (pgjdbc keeps its own per-connection cache of parsed and
 * server-side prepared statements, so on PostgreSQL this saves less, but costs nothing either.)
 *
 * <p>Statements are prepared on the physical connection, not on the pool's proxy: the pool closes a
 * proxy's statements when the connection goes back to it. Bounded, least recently used first out,
 * because statements whose text grows with their input (IN lists, multi-row inserts) come in many
 * sizes. A connection the pool closed has closed statements; they are prepared again.
 */
final class KeptStatements {
    private static final int MAX_PER_CONNECTION = 96;
    private static final Map<Connection, KeptStatements> BY_CONNECTION = new WeakHashMap<>();
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    /** The connection a writer hands to its pieces, and the statements kept for it. */
    private record Scope(Connection handedOut, KeptStatements kept) {
    }

    private final Connection physical;
    private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= MAX_PER_CONNECTION) {
                return false;
            }
            closeQuietly(eldest.getValue());
            return true;
        }
    };

    private KeptStatements(Connection physical) {
        this.physical = physical;
    }

    /** Runs {@code work} with statements on {@code c} kept for the physical connection behind it. */
    static <T> T keptFor(Connection c, SqlWork<T> work) throws SQLException {
        Connection physical = c.isWrapperFor(Connection.class) ? c.unwrap(Connection.class) : c;
        KeptStatements kept;
        synchronized (BY_CONNECTION) {
            kept = BY_CONNECTION.computeIfAbsent(physical, KeptStatements::new);
        }
        Scope previous = CURRENT.get();
        CURRENT.set(new Scope(c, kept));
        try {
            return work.run(c);
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /**
     * The kept statement for {@code sql} when {@code c} is the connection of the write being run on
     * this thread, parameters cleared; empty otherwise (the caller prepares and closes its own).
     */
    static Optional<PreparedStatement> of(Connection c, String sql) throws SQLException {
        Scope scope = CURRENT.get();
        if (scope == null || scope.handedOut() != c) {
            return Optional.empty();
        }
        return Optional.of(scope.kept().statement(sql));
    }

    /**
     * Drops the kept statement for {@code sql} after it failed: a driver may leave a statement whose
     * execution failed in a state it cannot run from again (sqlite-jdbc then answers "statement is not
     * executing"), so the next use prepares a new one.
     */
    static void discard(Connection c, String sql) {
        Scope scope = CURRENT.get();
        if (scope == null || scope.handedOut() != c) {
            return;
        }
        PreparedStatement ps = scope.kept().statements.remove(sql);
        if (ps != null) {
            closeQuietly(ps);
        }
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = physical.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** How many statements are kept for the connection of the write being run (for tests). */
    static int keptNow() {
        Scope scope = CURRENT.get();
        return scope == null ? 0 : scope.kept().statements.size();
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException e) {
            // Closing a statement of a broken connection: nothing left to free.
        }
    }
}
