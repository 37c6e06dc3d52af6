package io.chatwire.event;

import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The events table. Reads by an account are scoped to it. */
public final class EventStore {
    private static final String COLUMNS = "e.id, e.account_id, e.chatbot_id, e.event_type, e.payload, e.idempotency_key, e.created_at, e.test";
    private static final String INSERT = """
            INSERT INTO events (id, account_id, chatbot_id, event_type, payload, idempotency_key, created_at, test)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String BY_IDEMPOTENCY_KEY = "SELECT " + COLUMNS + " FROM events e WHERE e.idempotency_key = ?";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM events e WHERE e.id = ? AND e.account_id = ?";

    private static final String OLD_SETTLED = """
            SELECT e.id FROM events e
            WHERE e.created_at < ?
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
            ORDER BY e.created_at
            LIMIT ?
            """;
    private static final String DELETE = "DELETE FROM events WHERE id IN (%s)";

    private final Database db;

    public EventStore(Database db) {
        this.db = db;
    }

    public static void insert(Connection c, Event e) throws SQLException {
        Jdbc.update(c, INSERT, e.id(), e.accountId(), e.chatbotId(), e.type().wireName(), e.payload(),
                e.idempotencyKey(), e.createdAt().toEpochMilli(), e.test());
    }

    public static Optional<Event> findByIdempotencyKey(Connection c, String key) throws SQLException {
        return Jdbc.queryOne(c, BY_IDEMPOTENCY_KEY, EventStore::event, key);
    }

    public Event get(String accountId, String eventId) {
        return db.read(c -> Jdbc.queryOne(c, BY_ID, EventStore::event, eventId, accountId))
                .orElseThrow(() -> new Problem.NotFound("event", eventId));
    }

    /** Filters of the event list; every one optional. */
    public record Filter(Optional<String> chatbotId, Optional<EventType> type, Optional<String> deliveryStatus,
            Optional<String> endpointId, Optional<Instant> since, Optional<Instant> until, Optional<String> before,
            int limit) {
    }

    /**
     * A page of the account's events, newest first. Ids grow with time, so "before this id" is a
     * cursor that stays put while new events arrive.
     */
    public List<Event> list(String accountId, Filter f) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM events e WHERE e.account_id = ?");
        List<Object> params = new ArrayList<>(List.of(accountId));
        f.chatbotId().ifPresent(v -> {
            sql.append(" AND e.chatbot_id = ?");
            params.add(v);
        });
        f.type().ifPresent(v -> {
            sql.append(" AND e.event_type = ?");
            params.add(v.wireName());
        });
        f.deliveryStatus().ifPresent(v -> {
            sql.append(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = ?)");
            params.add(v);
        });
        f.endpointId().ifPresent(v -> {
            sql.append(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.endpoint_id = ?)");
            params.add(v);
        });
        f.since().ifPresent(v -> {
            sql.append(" AND e.created_at >= ?");
            params.add(v.toEpochMilli());
        });
        f.until().ifPresent(v -> {
            sql.append(" AND e.created_at < ?");
            params.add(v.toEpochMilli());
        });
        f.before().ifPresent(v -> {
            sql.append(" AND e.id < ?");
            params.add(v);
        });
        sql.append(" ORDER BY e.id DESC LIMIT ?");
        params.add(f.limit());
        return db.read(c -> Jdbc.query(c, sql.toString(), EventStore::event, params.toArray()));
    }

    /** Events older than the cutoff with nothing left to deliver, oldest first. */
    public static List<String> oldSettled(Connection c, Instant cutoff, int limit) throws SQLException {
        return Jdbc.query(c, OLD_SETTLED, rs -> rs.getString(1), cutoff.toEpochMilli(), limit);
    }

    public static int delete(Connection c, List<String> eventIds) throws SQLException {
        return eventIds.isEmpty() ? 0
                : Jdbc.update(c, DELETE.formatted(Jdbc.placeholders(eventIds.size())), eventIds.toArray());
    }

    static Event event(ResultSet rs) throws SQLException {
        return new Event(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("chatbot_id"),
                EventType.fromWire("event", rs.getString("event_type")),
                rs.getString("payload"),
                Optional.ofNullable(rs.getString("idempotency_key")),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                rs.getBoolean("test"));
    }
}
