package io.chatwire.delivery;

import io.chatwire.store.DeferredUpdates;
import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The attempt rows and delivery state changes of every outcome recorded in one group transaction,
 * written together just before its commit: one multi-row insert for the attempts and one update for
 * the deliveries' states, instead of two statements per outcome on the one writer.
 *
 * <p>Each state change still names the version and state it expects ({@code version = ? AND status =
 * 'pending'}); the update returns the ids it moved, and an outcome whose delivery is not among them
 * lost its lease, exactly as a single update matching no row did. Statements are cut into chunks of
 * 1, 2, 4, … 64 rows so that only a handful of distinct statement texts exist (each prepared once
 * per writer connection).
 */
final class BatchedOutcomes implements DeferredUpdates.Update {
    private static final int LARGEST_CHUNK = 64;

    private static final String INSERT_ATTEMPTS_HEAD = """
            INSERT INTO attempts (id, delivery_id, event_id, endpoint_id, account_id, attempt_number, cause, url,
                                  started_at, latency_ms, http_status, response_body, outcome, error_kind,
                                  error_message, node_id, request_headers)
            VALUES\s""";
    private static final String ATTEMPT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** The casts make a column of parameters that are all NULL (no retry time) typed on PostgreSQL. */
    private static final String SETTLE_HEAD = """
            WITH settled (id, version, status, attempts, cycle_attempts, next_attempt_at, updated_at) AS (VALUES\s""";
    private static final String SETTLE_ROW =
            "(?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))";
    private static final String SETTLE_TAIL = """
            )
            UPDATE deliveries
            SET status = settled.status, attempts = settled.attempts, cycle_attempts = settled.cycle_attempts,
                next_attempt_at = settled.next_attempt_at, leased_by = NULL, lease_until = NULL,
                version = deliveries.version + 1, updated_at = settled.updated_at
            FROM settled
            WHERE deliveries.id = settled.id AND deliveries.version = settled.version AND deliveries.status = 'pending'
            RETURNING deliveries.id
            """;

    /** The single-row form, for the rare transaction that moves one delivery twice. */
    private static final String SETTLE_ONE = """
            UPDATE deliveries
            SET status = ?, attempts = ?, cycle_attempts = ?, next_attempt_at = ?,
                leased_by = NULL, lease_until = NULL, version = version + 1, updated_at = ?
            WHERE id = ? AND version = ? AND status = 'pending'
            """;

    /** Whether an outcome's state change held; known once its transaction has written it. */
    static final class LeaseCheck {
        private Optional<Boolean> held = Optional.empty();

        /** True when the delivery moved on; false when its lease was lost meanwhile. */
        boolean held() {
            return held.orElseThrow(() -> new IllegalStateException("the outcome has not been written yet"));
        }
    }

    /** One recorded outcome: its attempt row and the state its delivery moves to. */
    record Entry(String accountId, Attempt attempt, DeliveryJob job, Outcome outcome, Instant now,
            List<DeliveryStore.SettledHook> hooks, LeaseCheck check) {

        String status() {
            return switch (outcome) {
                case Outcome.Delivered d -> "delivered";
                case Outcome.Retry r -> "pending";
                case Outcome.Failed f -> "failed";
            };
        }

        /** A retry a receiver asked to wait for (429) does not use up an attempt of the schedule. */
        long cycleAttempts() {
            return job.cycleAttempts() + (DeliveryStore.usesUpAnAttempt(outcome) ? 1L : 0L);
        }

        Optional<Long> nextAttemptAt() {
            return outcome instanceof Outcome.Retry r ? Optional.of(r.at().toEpochMilli()) : Optional.empty();
        }
    }

    private final List<Entry> entries;

    private BatchedOutcomes(List<Entry> entries) {
        this.entries = entries;
    }

    /** Adds the outcome to the transaction being run; its {@link LeaseCheck} is answered before the commit. */
    static LeaseCheck add(String accountId, Attempt attempt, DeliveryJob job, Outcome outcome, Instant now,
            List<DeliveryStore.SettledHook> hooks) {
        LeaseCheck check = new LeaseCheck();
        DeferredUpdates.add(new BatchedOutcomes(List.of(new Entry(accountId, attempt, job, outcome, now, hooks, check))));
        return check;
    }

    /**
     * Sorts before every counter's key, so that the deliveries' own rows are locked before the shared
     * counter rows, as when each outcome was written in its piece. The other way round, a transaction
     * holding counter rows while it waits for a delivery that another node's claim holds, and that
     * claim's transaction then waiting for the same counter rows, deadlock (seen in ClusterTest).
     */
    @Override
    public String key() {
        return "0 deliveries.outcomes";
    }

    @Override
    public DeferredUpdates.Update merge(DeferredUpdates.Update later) {
        List<Entry> all = new ArrayList<>(entries.size() + 1);
        all.addAll(entries);
        all.addAll(((BatchedOutcomes) later).entries);
        return new BatchedOutcomes(all);
    }

    @Override
    public void apply(Connection c) throws SQLException {
        // In delivery id order, so that two transactions that touch the same deliveries (a lease lost
        // to another node meanwhile) take their row locks in the same order.
        List<Entry> entries = new ArrayList<>(this.entries);
        entries.sort(Comparator.comparing(e -> e.job().deliveryId()));
        for (List<Entry> chunk : chunks(entries)) {
            insertAttempts(c, chunk);
        }
        Set<Entry> moved = settle(c, entries);
        for (Entry e : entries) {
            e.check().held = Optional.of(moved.contains(e));
        }
        for (Entry e : entries) {
            if (e.check().held()) {
                for (DeliveryStore.SettledHook hook : e.hooks()) {
                    hook.settled(c, e.job(), e.outcome(), e.now());
                }
            }
        }
    }

    private static void insertAttempts(Connection c, List<Entry> chunk) throws SQLException {
        List<Object> params = new ArrayList<>(chunk.size() * 17);
        for (Entry e : chunk) {
            Attempt a = e.attempt();
            Collections.addAll(params, a.id(), a.deliveryId(), a.eventId(), a.endpointId(), e.accountId(),
                    a.attemptNumber(), a.cause(), a.url(), a.startedAt().toEpochMilli(), a.latency().toMillis(),
                    a.httpStatus(), a.responseBody(), a.outcome(), a.errorKind(), a.errorMessage(), a.nodeId(),
                    SentHeaders.toColumn(a.requestHeaders()));
        }
        Jdbc.update(c, INSERT_ATTEMPTS_HEAD + rows(ATTEMPT_ROW, chunk.size()), params.toArray());
    }

    /** Moves every delivery on; returns the entries whose delivery's version and state were as expected. */
    private static Set<Entry> settle(Connection c, List<Entry> entries) throws SQLException {
        Set<Entry> moved = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<String> seen = new HashSet<>();
        boolean twice = !entries.stream().allMatch(e -> seen.add(e.job().deliveryId()));
        if (twice) {
            // One update statement cannot apply two changes to one row in order; these few go one by one.
            for (Entry e : entries) {
                int rows = Jdbc.update(c, SETTLE_ONE, e.status(), e.job().attempts() + 1, e.cycleAttempts(),
                        e.nextAttemptAt(), e.now().toEpochMilli(), e.job().deliveryId(), e.job().version());
                if (rows == 1) {
                    moved.add(e);
                }
            }
            return moved;
        }
        for (List<Entry> chunk : chunks(entries)) {
            List<Object> params = new ArrayList<>(chunk.size() * 7);
            for (Entry e : chunk) {
                Collections.addAll(params, e.job().deliveryId(), e.job().version(), e.status(),
                        e.job().attempts() + 1L, e.cycleAttempts(), e.nextAttemptAt(),
                        e.now().toEpochMilli());
            }
            Set<String> ids = new HashSet<>(Jdbc.query(c, SETTLE_HEAD + rows(SETTLE_ROW, chunk.size()) + SETTLE_TAIL,
                    rs -> rs.getString(1), params.toArray()));
            chunk.stream().filter(e -> ids.contains(e.job().deliveryId())).forEach(moved::add);
        }
        return moved;
    }

    /** Cuts the list into chunks of 64, 32, … 1 rows: few statement texts, few statements. */
    static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        int from = 0;
        for (int size = LARGEST_CHUNK; size >= 1; size /= 2) {
            while (all.size() - from >= size && (size == LARGEST_CHUNK || all.size() - from < size * 2)) {
                chunks.add(all.subList(from, from + size));
                from += size;
            }
        }
        return chunks;
    }

    private static String rows(String row, int n) {
        return String.join(", ", Collections.nCopies(n, row));
    }
}
