package io.chatwire.ordering;

import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Jdbc;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The conversations of an ordered endpoint that wait behind a head not yet delivered: what the
 * account sees, and releases, and what {@code /metrics} counts.
 */
public final class HeldConversations {
    private static final String OWN_ENDPOINT = "SELECT 1 FROM endpoints WHERE id = ? AND account_id = ?";
    private static final String HELD_OF_ENDPOINT = """
            SELECT conversation_id, COUNT(*) AS waiting, MIN(created_at) AS held_since
            FROM deliveries
            WHERE endpoint_id = ? AND account_id = ? AND status = 'pending' AND conversation_id IS NOT NULL
              AND next_attempt_at IS NULL
            GROUP BY conversation_id
            ORDER BY held_since, conversation_id
            LIMIT ?
            """;
    private static final String HEAD = """
            SELECT id, position, attempts, next_attempt_at FROM deliveries
            WHERE endpoint_id = ? AND conversation_id = ? AND status = 'pending'
            ORDER BY position
            LIMIT 1
            """;
    private static final String BACKLOG = """
            SELECT COUNT(*), MIN(held_since) FROM (
                SELECT MIN(created_at) AS held_since
                FROM deliveries
                WHERE status = 'pending' AND conversation_id IS NOT NULL AND next_attempt_at IS NULL
                GROUP BY endpoint_id, conversation_id) held
            """;

    private final Database db;
    private final Clock clock;

    public HeldConversations(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * The delivery a conversation waits for.
     *
     * @param nextAttemptAt empty while it is being attempted
     */
    public record Head(String deliveryId, long position, int attempts, Optional<Instant> nextAttemptAt) {
    }

    /**
     * A conversation held behind its head.
     *
     * @param waiting deliveries waiting behind the head
     * @param heldSince when the first of them was accepted
     */
    public record Held(String conversationId, long waiting, Instant heldSince, Head head) {
    }

    /** The endpoint's held conversations, longest held first; 404 for an endpoint not the account's. */
    public List<Held> ofEndpoint(String accountId, String endpointId, int limit) {
        return db.read(c -> {
            if (Jdbc.queryOne(c, OWN_ENDPOINT, rs -> true, endpointId, accountId).isEmpty()) {
                throw new Problem.NotFound("endpoint", endpointId);
            }
            record Row(String conversation, long waiting, Instant since) {
            }
            List<Row> rows = Jdbc.query(c, HELD_OF_ENDPOINT, rs -> new Row(rs.getString("conversation_id"),
                    rs.getLong("waiting"), Instant.ofEpochMilli(rs.getLong("held_since"))), endpointId, accountId, limit);
            List<Held> held = new ArrayList<>(rows.size());
            for (Row row : rows) {
                // A head that ended between the two reads leaves its conversation out: it is not held now.
                Jdbc.queryOne(c, HEAD, rs -> new Head(rs.getString("id"), rs.getLong("position"), rs.getInt("attempts"),
                                Jdbc.optionalLong(rs, "next_attempt_at").map(Instant::ofEpochMilli)),
                        endpointId, row.conversation())
                        .ifPresent(head -> held.add(new Held(row.conversation(), row.waiting(), row.since(), head)));
            }
            return held;
        });
    }

    /**
     * Ends the conversation's head as failed so the rest go on; 404 for an endpoint not the account's
     * or a conversation with nothing pending.
     */
    public ConversationOrder.Released release(String accountId, String endpointId, String conversationId) {
        String conversation = Sequence.key(conversationId)
                .orElseThrow(() -> new Problem.Invalid("invalid_field", "conversation_id must not be blank"));
        Instant now = clock.instant();
        return db.write(c -> {
            if (Jdbc.queryOne(c, OWN_ENDPOINT, rs -> true, endpointId, accountId).isEmpty()) {
                throw new Problem.NotFound("endpoint", endpointId);
            }
            return ConversationOrder.releaseHead(c, endpointId, conversation, now)
                    .orElseThrow(() -> new Problem.NotFound("pending conversation", conversationId));
        });
    }

    /** How many conversations are held, over all endpoints, and since when the longest held one. */
    public record Backlog(long conversations, Optional<Instant> oldestSince) {
    }

    /**
     * {@code chatwire.ordering.held.conversations} and {@code chatwire.ordering.oldest.held.age.seconds},
     * read at scrape time (NaN while the database cannot be read).
     */
    public void registerGauges(MeterRegistry metrics) {
        Gauge.builder("chatwire.ordering.held.conversations", this, h -> safely(() -> h.backlog().conversations()))
                .description("Conversations of ordered endpoints with deliveries waiting behind their head")
                .register(metrics);
        Gauge.builder("chatwire.ordering.oldest.held.age.seconds", this, h -> safely(() -> h.backlog().oldestSince()
                        .map(t -> Duration.between(t, clock.instant()).toMillis() / 1000.0).orElse(0.0)))
                .description("How long the longest held conversation has had a delivery waiting")
                .register(metrics);
    }

    private static double safely(Supplier<Number> read) {
        try {
            return read.get().doubleValue();
        } catch (RuntimeException databaseDown) {
            return Double.NaN;
        }
    }

    public Backlog backlog() {
        return db.read(c -> Jdbc.queryOne(c, BACKLOG, rs -> {
            long count = rs.getLong(1);
            long since = rs.getLong(2);
            return new Backlog(count, rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(since)));
        })).orElse(new Backlog(0, Optional.empty()));
    }
}
