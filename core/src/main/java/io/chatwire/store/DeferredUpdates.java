package io.chatwire.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Changes to shared counter rows (a chatbot's usage of the day, an endpoint's delivery figures and
 * health) that many concurrent writes touch.
 *
 * <p>Applied as each write runs, they would lock those rows in whatever order the writes come, and two
 * transactions (two writer threads, or two nodes on one PostgreSQL) taking the same rows in opposite
 * orders deadlock. So a write only records its change here; the writer merges the changes of a whole
 * group transaction and applies each row's once, in key order, just before the commit. Every
 * transaction of every node then takes these locks in the same order, and hundreds of increments of
 * one hot row become one statement.
 */
public final class DeferredUpdates {
    /** One row's pending change. */
    public interface Update {
        /** Orders updates the same way in every transaction of every node; equal keys are one row. */
        String key();

        /** This change followed by {@code later}, a change of the same row. */
        Update merge(Update later);

        void apply(Connection c) throws SQLException;
    }

    private static final ThreadLocal<DeferredUpdates> CURRENT = new ThreadLocal<>();

    private final Map<String, Update> updates = new HashMap<>();

    /** Records a change in the write being run; only work run by {@link Database#write} has one. */
    public static void add(Update update) {
        DeferredUpdates current = CURRENT.get();
        if (current == null) {
            throw new IllegalStateException("deferred updates belong to work run through Database.write");
        }
        current.put(update);
    }

    private void put(Update update) {
        updates.merge(update.key(), update, Update::merge);
    }

    /** Runs one piece of work with its own collection, so a piece rolled back leaves nothing behind. */
    static <T> T collecting(DeferredUpdates scope, SqlWork<T> work, Connection c) throws SQLException {
        CURRENT.set(scope);
        try {
            return work.run(c);
        } finally {
            CURRENT.remove();
        }
    }

    /** Adds a committed-to-be piece's changes after those already collected. */
    void addAll(DeferredUpdates piece) {
        piece.updates.values().forEach(this::put);
    }

    void applyInKeyOrder(Connection c) throws SQLException {
        for (Update u : new TreeMap<>(updates).values()) {
            u.apply(c);
        }
    }

    boolean isEmpty() {
        return updates.isEmpty();
    }
}
