package io.chatwire.ordering;

import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The steps of ordered delivery, each run inside a transaction of the delivery engine's: placing a
 * new delivery in its conversation (at ingest), letting the next one go when the head ends (when an
 * attempt is recorded), and releasing a head by hand.
 *
 * <p>A conversation's head is its pending delivery with the lowest position; the deliveries behind
 * it are held: pending, with no due time, so that the scheduler's claim (which reads only rows with
 * a due time, through an index of those alone) never sees them. Whoever ends the head gives the next
 * one a due time. Every step first updates the conversation's row in {@code conversation_positions}:
 * on PostgreSQL that row lock orders concurrent ingests (positions follow commit order) and keeps an
 * ingest and the end of the head from each missing the other's uncommitted change, which would
 * leave a delivery held behind nothing.
 */
public final class ConversationOrder {
    private static final String NEXT_POSITION = """
            INSERT INTO conversation_positions (endpoint_id, conversation_id, account_id, last_position)
            VALUES (?, ?, ?, 1)
            ON CONFLICT (endpoint_id, conversation_id)
            DO UPDATE SET last_position = conversation_positions.last_position + 1
            RETURNING last_position
            """;
    private static final String LOCK = """
            UPDATE conversation_positions SET last_position = last_position
            WHERE endpoint_id = ? AND conversation_id = ?
            """;
    private static final String ANY_PENDING = """
            SELECT 1 FROM deliveries
            WHERE endpoint_id = ? AND conversation_id = ? AND status = 'pending'
            LIMIT 1
            """;
    private static final String TAG_HEAD = """
            UPDATE deliveries SET conversation_id = ?, position = ? WHERE id = ?
            """;
    private static final String TAG_HELD = """
            UPDATE deliveries SET conversation_id = ?, position = ?, next_attempt_at = NULL, leased_by = NULL,
                                  lease_until = NULL
            WHERE id = ?
            """;
    private static final String HEAD = """
            SELECT id, position, next_attempt_at FROM deliveries
            WHERE endpoint_id = ? AND conversation_id = ? AND status = 'pending'
            ORDER BY position
            LIMIT 1
            """;
    private static final String MAKE_DUE = """
            UPDATE deliveries SET next_attempt_at = ?, version = version + 1, updated_at = ?
            WHERE id = ? AND status = 'pending' AND next_attempt_at IS NULL
            """;
    private static final String LEASE_NEXT = """
            UPDATE deliveries
            SET next_attempt_at = ?, leased_by = ?, lease_until = ?, version = version + 1, updated_at = ?
            WHERE id = ? AND status = 'pending' AND next_attempt_at IS NULL
            """;
    private static final String FAIL_HEAD = """
            UPDATE deliveries
            SET status = 'failed', next_attempt_at = NULL, leased_by = NULL, lease_until = NULL,
                version = version + 1, updated_at = ?
            WHERE id = ? AND status = 'pending'
            """;
    private static final String RELEASE_ALL_HELD = """
            UPDATE deliveries
            SET next_attempt_at = COALESCE(next_attempt_at, ?), conversation_id = NULL, position = NULL,
                version = version + 1, updated_at = ?
            WHERE endpoint_id = ? AND status = 'pending' AND conversation_id IS NOT NULL
            """;

    private ConversationOrder() {
    }

    /** Where a new delivery went: its place, and whether it may go now or waits behind the head. */
    public record Placement(Sequence sequence, boolean head) {
    }

    /**
     * Gives the delivery (just inserted, due now) the next position of its conversation, and holds it
     * (no due time, no lease) when an earlier delivery of the conversation is still pending.
     */
    public static Placement place(Connection c, String accountId, String endpointId, String conversation,
            String deliveryId) throws SQLException {
        long position = Jdbc.queryOne(c, NEXT_POSITION, rs -> rs.getLong(1), endpointId, conversation, accountId)
                .orElseThrow();
        boolean head = Jdbc.queryOne(c, ANY_PENDING, rs -> true, endpointId, conversation).isEmpty();
        Jdbc.update(c, head ? TAG_HEAD : TAG_HELD, conversation, position, deliveryId);
        return new Placement(new Sequence(conversation, position), head);
    }

    /**
     * Called once a delivery of the conversation has ended (delivered, or failed for good): the next
     * one becomes due now, leased by {@code node} until {@code leaseUntil}, for that node to send at
     * once (should it die first, the lease runs out and any node's scheduler takes the delivery).
     * Returns it, if one was waiting.
     */
    public static Optional<String> ended(Connection c, String endpointId, Sequence sequence, String node, Instant now,
            Instant leaseUntil) throws SQLException {
        Jdbc.update(c, LOCK, endpointId, sequence.conversation());
        Optional<String> next = heldHead(c, endpointId, sequence.conversation());
        if (next.isPresent()) {
            long at = now.toEpochMilli();
            Jdbc.update(c, LEASE_NEXT, at, node, leaseUntil.toEpochMilli(), at, next.get());
        }
        return next;
    }

    /** A head that was released by hand: its delivery, and the position it had. */
    public record Released(String deliveryId, long position) {
    }

    /**
     * Ends the conversation's head as failed, so the rest go on. Empty when the endpoint (of the
     * account) has no pending delivery in the conversation.
     */
    public static Optional<Released> releaseHead(Connection c, String endpointId, String conversation, Instant now)
            throws SQLException {
        if (Jdbc.update(c, LOCK, endpointId, conversation) == 0) {
            return Optional.empty();
        }
        Optional<Released> head = Jdbc.queryOne(c, HEAD,
                rs -> new Released(rs.getString("id"), rs.getLong("position")), endpointId, conversation);
        if (head.isEmpty()) {
            return head;
        }
        long at = now.toEpochMilli();
        Jdbc.update(c, FAIL_HEAD, at, head.get().deliveryId());
        letNextGo(c, endpointId, conversation, now);
        return head;
    }

    /**
     * Ordering was switched off: every pending delivery of the endpoint leaves its conversation and
     * goes on as an unordered one; those that were held become due now. Returns how many. (Were they
     * left in their conversations, switching ordering on again would hold new events behind them.)
     */
    public static int orderingSwitchedOff(Connection c, String endpointId, Instant now) throws SQLException {
        long at = now.toEpochMilli();
        return Jdbc.update(c, RELEASE_ALL_HELD, at, at, endpointId);
    }

    /** Makes the next delivery of the conversation due now, unleased, for any node's scheduler. */
    private static void letNextGo(Connection c, String endpointId, String conversation, Instant now)
            throws SQLException {
        Optional<String> next = heldHead(c, endpointId, conversation);
        if (next.isPresent()) {
            long at = now.toEpochMilli();
            Jdbc.update(c, MAKE_DUE, at, at, next.get());
        }
    }

    /**
     * The conversation's lowest pending delivery when it is held; empty when nothing waits, or when
     * that delivery already has a due time (one sent again by hand, which goes on as it is).
     */
    private static Optional<String> heldHead(Connection c, String endpointId, String conversation)
            throws SQLException {
        record Head(String id, boolean held) {
        }
        return Jdbc.queryOne(c, HEAD, rs -> new Head(rs.getString("id"), Jdbc.optionalLong(rs, "next_attempt_at").isEmpty()),
                        endpointId, conversation)
                .filter(Head::held)
                .map(Head::id);
    }
}
