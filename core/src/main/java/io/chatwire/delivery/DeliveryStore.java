package io.chatwire.delivery;

import io.chatwire.event.EventType;
import io.chatwire.account.AccountStore;
import io.chatwire.analytics.AnalyticsStore;
import io.chatwire.destination.Destination;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.policy.Pacing;
import io.chatwire.policy.PolicyStore;
import io.chatwire.ordering.ConversationOrder;
import io.chatwire.ordering.Sequence;
import io.chatwire.signing.SecretSet;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import io.chatwire.store.SecretsAtRest;
import io.chatwire.transform.Shaping;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deliveries and attempts tables. A delivery is worked on only under a lease ({@code leased_by},
 * {@code lease_until}); every change of its state names the version it expects, so a node whose lease
 * ran out cannot overwrite what another node did since.
 */
public final class DeliveryStore {
    private static final String INSERT_LEASED_HEAD = """
            INSERT INTO deliveries (id, event_id, endpoint_id, account_id, status, attempts, cycle_attempts,
                                    next_attempt_at, leased_by, lease_until, version, created_at, updated_at)
            VALUES\s""";
    private static final String INSERT_LEASED = """
            INSERT INTO deliveries (id, event_id, endpoint_id, account_id, status, attempts, cycle_attempts,
                                    next_attempt_at, leased_by, lease_until, version, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?, 0, ?, ?)
            """;

    /** Suspended accounts' deliveries wait, due or not, until the account is reinstated. */
    private static final String NOT_SUSPENDED =
            "account_id NOT IN (SELECT id FROM accounts WHERE status = 'suspended')";

    /**
     * A relay endpoint's deliveries are claimed only by the node its listener is connected to (or by
     * any node while it is connected nowhere, to fail and follow the retry schedule).
     */
    private static final String NOT_RELAYED_ELSEWHERE =
            "endpoint_id NOT IN (SELECT id FROM endpoints WHERE relay AND relay_node <> ?)";

    private static final String CLAIM_DUE = """
            UPDATE deliveries SET leased_by = ?, lease_until = ?, version = version + 1
            WHERE id IN (SELECT id FROM deliveries
                         WHERE status = 'pending' AND next_attempt_at <= ?
                           AND (lease_until IS NULL OR lease_until < ?)
                           AND %s
                         ORDER BY next_attempt_at
                         LIMIT ?%s)
            RETURNING id
            """;

    private static final String JOBS = """
            SELECT d.id, d.version, d.attempts, d.cycle_attempts, d.account_id, d.endpoint_id, d.conversation_id, d.position,
                   e.id AS event_id, e.event_type, e.payload, e.test,
                   en.url, en.content_type, en.enabled, en.kind, en.filter_expression, en.transform_expression,
                   en.secret, en.previous_secret, en.previous_secret_expires_at AS en_previous_expires,
                   a.plan, a.signing_secret, a.previous_signing_secret, a.previous_secret_expires_at AS account_previous_expires,
                   %s
            FROM deliveries d
            JOIN events e ON e.id = d.event_id
            JOIN accounts a ON a.id = d.account_id
            LEFT JOIN endpoints en ON en.id = d.endpoint_id
            WHERE d.id IN (%s)
            ORDER BY d.next_attempt_at, d.id
            """;

    private static final String POSTPONE = """
            UPDATE deliveries
            SET next_attempt_at = ?, leased_by = NULL, lease_until = NULL, version = version + 1, updated_at = ?
            WHERE id = ? AND version = ? AND status = 'pending'
            """;

    private static final String RELEASE_LEASES = """
            UPDATE deliveries SET leased_by = NULL, lease_until = NULL, version = version + 1
            WHERE leased_by = ? AND status = 'pending'
            """;

    /** Held deliveries (of an ordered conversation) have no due time, and are left out of the index too. */
    private static final String NEXT_DUE = """
            SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NOT NULL
            """;
    private static final String QUEUE = """
            SELECT COUNT(*), MIN(next_attempt_at) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?
            """;

    private static final String BY_EVENT_AND_ENDPOINT = """
            SELECT id, status, leased_by, lease_until FROM deliveries WHERE event_id = ? AND endpoint_id = ?
            """;

    private static final String RESTART = """
            UPDATE deliveries
            SET status = 'pending', cycle_attempts = 0, next_attempt_at = ?, leased_by = ?, lease_until = ?,
                version = version + 1, updated_at = ?
            WHERE id = ? AND NOT (status = 'pending' AND lease_until IS NOT NULL AND lease_until >= ?)
            """;

    private static final String DELIVERY_COLUMNS = """
            d.id, d.event_id, d.endpoint_id, d.status, d.attempts, d.next_attempt_at, d.created_at, d.updated_at
            """;

    private static final String OF_EVENT = "SELECT " + DELIVERY_COLUMNS
            + " FROM deliveries d WHERE d.event_id = ? AND d.account_id = ? ORDER BY d.id";

    private static final String ATTEMPTS_OF_EVENT = """
            SELECT * FROM attempts WHERE event_id = ? AND account_id = ? ORDER BY started_at, id
            """;

    private static final String RECOVER_FAILED = """
            UPDATE deliveries
            SET status = 'pending', cycle_attempts = 0, next_attempt_at = ?, leased_by = NULL, lease_until = NULL,
                version = version + 1, updated_at = ?
            WHERE account_id = ? AND endpoint_id = ? AND status = 'failed' AND created_at >= ?
            """;

    private static final String DELETE_ATTEMPTS_OF_EVENTS = "DELETE FROM attempts WHERE event_id IN (%s)";
    private static final String DELETE_DELIVERIES_OF_EVENTS = "DELETE FROM deliveries WHERE event_id IN (%s)";

    private final Database db;
    private final String nodeId;
    private final Duration leaseDuration;
    private final Duration autoDisableAfter;
    private final List<SettledHook> settledHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    public DeliveryStore(Database db, String nodeId, Duration leaseDuration) {
        this(db, nodeId, leaseDuration, Duration.ofDays(5));
    }

    /**
     * @param autoDisableAfter an endpoint that fails every attempt for this long is disabled
     */
    public DeliveryStore(Database db, String nodeId, Duration leaseDuration, Duration autoDisableAfter) {
        this.db = db;
        this.nodeId = nodeId;
        this.leaseDuration = leaseDuration;
        this.autoDisableAfter = autoDisableAfter;
    }

    public String nodeId() {
        return nodeId;
    }

    /** How long a lease taken by this store lasts. */
    public Duration leaseDuration() {
        return leaseDuration;
    }

    /**
     * Inserts a delivery already leased by this node, in the caller's transaction: the node that
     * accepted an event delivers it at once, and another takes over only if this one dies.
     */
    public void insertLeased(Connection c, String deliveryId, String eventId, String endpointId, String accountId,
            Instant now) throws SQLException {
        Jdbc.update(c, INSERT_LEASED, deliveryId, eventId, endpointId, accountId, now.toEpochMilli(), nodeId,
                now.plus(leaseDuration).toEpochMilli(), now.toEpochMilli(), now.toEpochMilli());
    }

    /** As {@link #insertLeased(Connection, String, String, String, String, Instant)} for several endpoints at once. */
    public void insertLeased(Connection c, List<String> deliveryIds, String eventId, List<String> endpointIds,
            String accountId, Instant now) throws SQLException {
        if (deliveryIds.isEmpty()) {
            return;
        }
        if (deliveryIds.size() == 1) {
            insertLeased(c, deliveryIds.getFirst(), eventId, endpointIds.getFirst(), accountId, now);
            return;
        }
        String values = String.join(", ", java.util.Collections.nCopies(deliveryIds.size(),
                "(?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?, 0, ?, ?)"));
        List<Object> params = new ArrayList<>(deliveryIds.size() * 9);
        for (int i = 0; i < deliveryIds.size(); i++) {
            params.addAll(List.of(deliveryIds.get(i), eventId, endpointIds.get(i), accountId, now.toEpochMilli(), nodeId,
                    now.plus(leaseDuration).toEpochMilli(), now.toEpochMilli(), now.toEpochMilli()));
        }
        Jdbc.update(c, INSERT_LEASED_HEAD + values, params.toArray());
    }

    /**
     * Inserts a delivery nobody holds, due now, for the scheduler to pick up: a suspended account's
     * (it waits for reinstatement), or one another node is to attempt (a relay endpoint's whose
     * listener is connected there).
     */
    public void insertWaiting(Connection c, String deliveryId, String eventId, String endpointId, String accountId,
            Instant now) throws SQLException {
        Jdbc.update(c, INSERT_LEASED, deliveryId, eventId, endpointId, accountId, now.toEpochMilli(), null, null,
                now.toEpochMilli(), now.toEpochMilli());
    }

    /** Leases up to {@code limit} due deliveries, oldest due first, and returns their jobs. */
    public List<DeliveryJob> claimDue(Instant now, int limit) {
        String claim = CLAIM_DUE.formatted(NOT_SUSPENDED + " AND " + NOT_RELAYED_ELSEWHERE + " AND " + Pacing.NOT_PACED,
                db.dialect().skipLocked());
        return db.write(c -> {
            List<String> ids = Jdbc.query(c, claim, rs -> rs.getString(1), nodeId,
                    now.plus(leaseDuration).toEpochMilli(), now.toEpochMilli(), now.toEpochMilli(), nodeId,
                    now.toEpochMilli(), limit);
            return jobs(c, ids, DeliveryJob.Cause.SCHEDULED);
        });
    }

    /** Jobs for deliveries this node holds, read in the caller's transaction. */
    public List<DeliveryJob> jobs(Connection c, List<String> deliveryIds, DeliveryJob.Cause cause) throws SQLException {
        if (deliveryIds.isEmpty()) {
            return List.of();
        }
        String sql = JOBS.formatted(PolicyStore.JOB_COLUMNS, Jdbc.placeholders(deliveryIds.size()));
        return Jdbc.query(c, sql, rs -> new DeliveryJob(
                rs.getString("id"),
                rs.getLong("version"),
                rs.getInt("attempts"),
                rs.getInt("cycle_attempts"),
                cause,
                rs.getString("account_id"),
                rs.getString("event_id"),
                EventType.fromWire("event_type", rs.getString("event_type")),
                rs.getString("payload"),
                rs.getString("endpoint_id"),
                Optional.ofNullable(rs.getString("url")).map(URI::create),
                // A deleted endpoint's job is never sent; any value stands in for the missing one.
                Optional.ofNullable(rs.getString("content_type"))
                        .map(t -> DeliveryContentType.fromWire("content_type", t))
                        .orElse(DeliveryContentType.FOR_NEW_ENDPOINTS),
                rs.getBoolean("enabled"),
                !"free".equals(rs.getString("plan")),
                rs.getBoolean("test"),
                rs.getString("secret") != null
                        ? AccountStore.secretSet(db.cipher(), SecretsAtRest.endpointRow(rs.getString("endpoint_id")), rs,
                                "secret", "previous_secret", "en_previous_expires")
                        : AccountStore.secretSet(db.cipher(), SecretsAtRest.accountRow(rs.getString("account_id")), rs,
                                "signing_secret", "previous_signing_secret", "account_previous_expires"),
                PolicyStore.job(rs, db.cipher(), rs.getString("endpoint_id")),
                Optional.ofNullable(rs.getString("kind")).map(k -> Destination.fromWire("kind", k))
                        .orElse(Destination.FOR_NEW_ENDPOINTS),
                Shaping.of(Optional.ofNullable(rs.getString("filter_expression")),
                        Optional.ofNullable(rs.getString("transform_expression"))),
                sequence(rs)),
                deliveryIds.toArray());
    }

    /**
     * Writes the attempt to the log and moves its delivery on. Returns false when the lease was lost
     * meanwhile (another node took the delivery over): the attempt is still logged, because it did
     * happen, but the delivery's state is left to the node that holds it now.
     */
    public boolean record(DeliveryJob job, Attempt attempt, Outcome outcome, Instant now) {
        return record(job, attempt, outcome, now, true);
    }

    /**
     * As {@link #record(DeliveryJob, Attempt, Outcome, Instant)}; {@code reachedEndpoint} is false when no
     * request was made (endpoint gone or disabled), which says nothing about the endpoint's health.
     *
     * <p>The attempt row and the state change are written with those of every other outcome of the
     * same group transaction ({@link BatchedOutcomes}), just before it commits; work that has to
     * follow a delivery's state change in that transaction is a {@link SettledHook}.
     */
    public boolean record(DeliveryJob job, Attempt attempt, Outcome outcome, Instant now, boolean reachedEndpoint) {
        return recordAttempt(job, attempt, outcome, now, reachedEndpoint).held();
    }

    /**
     * What recording an attempt did: whether the lease was still held, and the deliveries it let go
     * (the next of an ordered conversation whose head just ended), leased by this node to send at once.
     */
    public record Recorded(boolean held, List<DeliveryJob> next) {
    }

    /** As {@link #record(DeliveryJob, Attempt, Outcome, Instant, boolean)}, with what it let go. */
    public Recorded recordAttempt(DeliveryJob job, Attempt attempt, Outcome outcome, Instant now,
            boolean reachedEndpoint) {
        List<DeliveryJob> next = new ArrayList<>();
        List<SettledHook> hooks = job.sequence().isEmpty() ? settledHooks
                : java.util.stream.Stream.concat(settledHooks.stream(), java.util.stream.Stream.of(successorInto(next)))
                        .toList();
        BatchedOutcomes.LeaseCheck check = db.write(c -> {
            if (reachedEndpoint) {
                if (!job.testEvent()) {
                    AnalyticsStore.countAttempt(job.accountId(), job.endpointId(), outcome instanceof Outcome.Delivered,
                            attempt.latency().toMillis(), attempt.startedAt());
                }
                if (outcome instanceof Outcome.Delivered) {
                    EndpointStore.recordSuccess(job.endpointId(), now, autoDisableAfter);
                } else if (usesUpAnAttempt(outcome)) {
                    EndpointStore.recordFailure(job.endpointId(), now, autoDisableAfter);
                }
            }
            return BatchedOutcomes.add(job.accountId(), attempt, job, outcome, now, hooks);
        });
        return new Recorded(check.held(), check.held() ? List.copyOf(next) : List.of());
    }

    /** A receiver's request for a pause is neither a failure of the endpoint nor an entry of the schedule. */
    static boolean usesUpAnAttempt(Outcome outcome) {
        return !(outcome instanceof Outcome.Retry r) || r.usesUpAnAttempt();
    }

    /**
     * Lets the next delivery of an ordered conversation go when this one, its head, ends (delivered or
     * failed: a retry keeps its place), and collects that delivery's job for this node to send.
     */
    private SettledHook successorInto(List<DeliveryJob> next) {
        return (c, job, outcome, now) -> {
            next.clear(); // a group transaction run again calls the hook again
            if (!(outcome instanceof Outcome.Retry) && job.sequence().isPresent()) {
                List<String> successor = ConversationOrder.ended(c, job.endpointId(), job.sequence().get(), nodeId,
                        now, now.plus(leaseDuration)).stream().toList();
                next.addAll(jobs(c, successor, DeliveryJob.Cause.SCHEDULED));
            }
        };
    }

    /**
     * Gives the delivery back without an attempt, due at {@code at}: its endpoint is paced (rate limit,
     * or a pause its receiver asked for). False when the lease was lost meanwhile.
     */
    public boolean postpone(DeliveryJob job, Instant at, Instant now) {
        return db.write(c -> Jdbc.update(c, POSTPONE, at.toEpochMilli(), now.toEpochMilli(), job.deliveryId(),
                job.version())) == 1;
    }

    /**
     * Work that runs in the transaction that moves a delivery on, right after the move and only when
     * the lease held (e.g. letting the next delivery of a conversation go).
     */
    @FunctionalInterface
    public interface SettledHook {
        void settled(Connection c, DeliveryJob job, Outcome outcome, Instant now) throws SQLException;
    }

    /** Adds work to run after every state change this store records (call before dispatching starts). */
    public void onSettled(SettledHook hook) {
        settledHooks.add(hook);
    }

    /** Gives back every lease this node holds, so other nodes (or this one, restarted) take them at once. */
    public int releaseLeases() {
        return db.write(c -> Jdbc.update(c, RELEASE_LEASES, nodeId));
    }

    /** When the earliest pending delivery is due, if any is pending. */
    public Optional<Instant> nextDue() {
        return db.read(c -> Jdbc.queryOne(c, NEXT_DUE, rs -> {
            long v = rs.getLong(1);
            return rs.wasNull() ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(v));
        })).flatMap(o -> o);
    }

    /** How many deliveries are due now, and since when the oldest of them has been waiting. */
    public record Queue(long due, java.util.Optional<java.time.Instant> oldestDueAt) {
    }

    public Queue queue(Instant now) {
        return db.read(c -> Jdbc.queryOne(c, QUEUE, rs -> {
            long due = rs.getLong(1);
            long oldest = rs.getLong(2);
            return new Queue(due, rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(oldest)));
        }, now.toEpochMilli())).orElse(new Queue(0, Optional.empty()));
    }

    /** Outcome of asking for a delivery to be sent again. */
    public sealed interface Restart {
        record Started(DeliveryJob job) implements Restart {
        }

        /** The delivery is in flight right now; a second copy would only race it. */
        record InFlight(String deliveryId) implements Restart {
        }
    }

    /**
     * Starts a new retry cycle of the event's delivery to the endpoint, leased by this node (creating
     * the delivery if the endpoint never had one, e.g. it was added after the event).
     */
    public Restart restart(String accountId, String eventId, String endpointId, Instant now) {
        return db.write(c -> {
            Optional<String> existing = Jdbc.queryOne(c, BY_EVENT_AND_ENDPOINT, rs -> rs.getString("id"),
                    eventId, endpointId);
            String deliveryId;
            if (existing.isPresent()) {
                deliveryId = existing.get();
                int rows = Jdbc.update(c, RESTART, now.toEpochMilli(), nodeId, now.plus(leaseDuration).toEpochMilli(),
                        now.toEpochMilli(), deliveryId, now.toEpochMilli());
                if (rows != 1) {
                    return new Restart.InFlight(deliveryId);
                }
            } else {
                deliveryId = Ids.newId("dlv");
                insertLeased(c, deliveryId, eventId, endpointId, accountId, now);
            }
            return new Restart.Started(jobs(c, List.of(deliveryId), DeliveryJob.Cause.MANUAL).getFirst());
        });
    }

    /** Removes the deliveries and attempts of these events, in the caller's transaction (retention). */
    public static int deleteOfEvents(Connection c, List<String> eventIds) throws SQLException {
        if (eventIds.isEmpty()) {
            return 0;
        }
        String in = Jdbc.placeholders(eventIds.size());
        int attempts = Jdbc.update(c, DELETE_ATTEMPTS_OF_EVENTS.formatted(in), eventIds.toArray());
        return attempts + Jdbc.update(c, DELETE_DELIVERIES_OF_EVENTS.formatted(in), eventIds.toArray());
    }

    /** The event's deliveries with their attempts, scoped to the account. */
    public List<Delivery> ofEvent(String accountId, String eventId) {
        return db.read(c -> {
            Map<String, List<Attempt>> attempts = new LinkedHashMap<>();
            for (Attempt a : Jdbc.query(c, ATTEMPTS_OF_EVENT, DeliveryStore::attempt, eventId, accountId)) {
                attempts.computeIfAbsent(a.deliveryId(), k -> new ArrayList<>()).add(a);
            }
            return Jdbc.query(c, OF_EVENT, rs -> delivery(rs, attempts.getOrDefault(rs.getString("id"), List.of())),
                    eventId, accountId);
        });
    }

    /** Filters of the delivery and attempt lists; every one optional. */
    public record Filter(Optional<String> status, Optional<String> endpointId, Optional<String> chatbotId,
            Optional<String> eventType, Optional<String> eventId, Optional<Instant> since, Optional<Instant> until,
            Optional<String> before, int limit) {
    }

    /** A page of the account's deliveries, newest first. */
    public List<Delivery> list(String accountId, Filter f) {
        StringBuilder sql = new StringBuilder("SELECT " + DELIVERY_COLUMNS
                + " FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.account_id = ?");
        List<Object> params = new ArrayList<>(List.of(accountId));
        filter(sql, params, f, "d.status", "d.created_at", "d.id");
        return db.read(c -> Jdbc.query(c, sql.toString(), rs -> delivery(rs, List.of()), params.toArray()));
    }

    /** A page of the account's attempts, newest first; {@code status} filters on the attempt's outcome. */
    public List<Attempt> attempts(String accountId, Filter f) {
        StringBuilder sql = new StringBuilder("SELECT t.* FROM attempts t JOIN events e ON e.id = t.event_id"
                + " WHERE t.account_id = ?");
        List<Object> params = new ArrayList<>(List.of(accountId));
        filter(sql, params, f, "t.outcome", "t.started_at", "t.id");
        return db.read(c -> Jdbc.query(c, sql.toString(), DeliveryStore::attempt, params.toArray()));
    }

    private static void filter(StringBuilder sql, List<Object> params, Filter f, String statusColumn,
            String timeColumn, String idColumn) {
        String table = idColumn.substring(0, 1);
        f.status().ifPresent(v -> {
            sql.append(" AND ").append(statusColumn).append(" = ?");
            params.add(v);
        });
        f.endpointId().ifPresent(v -> {
            sql.append(" AND ").append(table).append(".endpoint_id = ?");
            params.add(v);
        });
        f.eventId().ifPresent(v -> {
            sql.append(" AND e.id = ?");
            params.add(v);
        });
        f.chatbotId().ifPresent(v -> {
            sql.append(" AND e.chatbot_id = ?");
            params.add(v);
        });
        f.eventType().ifPresent(v -> {
            sql.append(" AND e.event_type = ?");
            params.add(v);
        });
        f.since().ifPresent(v -> {
            sql.append(" AND ").append(timeColumn).append(" >= ?");
            params.add(v.toEpochMilli());
        });
        f.until().ifPresent(v -> {
            sql.append(" AND ").append(timeColumn).append(" < ?");
            params.add(v.toEpochMilli());
        });
        f.before().ifPresent(v -> {
            sql.append(" AND ").append(idColumn).append(" < ?");
            params.add(v);
        });
        sql.append(" ORDER BY ").append(idColumn).append(" DESC LIMIT ?");
        params.add(f.limit());
    }

    /**
     * Puts every failed delivery of the endpoint created since {@code since} back on the schedule,
     * due now, with a fresh retry cycle. Returns how many.
     */
    public int recoverFailed(String accountId, String endpointId, Instant since, Instant now) {
        // Converted here, not in the writer: a time that cannot be converted fails this request alone,
        // not the shared batch it would have joined.
        long sinceMillis = since.toEpochMilli();
        long nowMillis = now.toEpochMilli();
        return db.write(c -> Jdbc.update(c, RECOVER_FAILED, nowMillis, nowMillis, accountId, endpointId, sinceMillis));
    }

    private static Optional<Sequence> sequence(ResultSet rs) throws SQLException {
        String conversation = rs.getString("conversation_id");
        return conversation == null ? Optional.empty() : Optional.of(new Sequence(conversation, rs.getLong("position")));
    }

    private static Delivery delivery(ResultSet rs, List<Attempt> attempts) throws SQLException {
        return new Delivery(
                rs.getString("id"),
                rs.getString("event_id"),
                rs.getString("endpoint_id"),
                Delivery.Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
                rs.getInt("attempts"),
                Jdbc.optionalLong(rs, "next_attempt_at").map(Instant::ofEpochMilli),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")),
                attempts);
    }

    /** An attempt from a row of the attempts table (every column selected). */
    public static Attempt attempt(ResultSet rs) throws SQLException {
        return new Attempt(
                rs.getString("id"),
                rs.getString("delivery_id"),
                rs.getString("event_id"),
                rs.getString("endpoint_id"),
                rs.getInt("attempt_number"),
                rs.getString("cause"),
                rs.getString("url"),
                Instant.ofEpochMilli(rs.getLong("started_at")),
                Duration.ofMillis(rs.getLong("latency_ms")),
                Jdbc.optionalInt(rs, "http_status"),
                Optional.ofNullable(rs.getString("response_body")).orElse(""),
                rs.getString("outcome"),
                Optional.ofNullable(rs.getString("error_kind")),
                Optional.ofNullable(rs.getString("error_message")),
                rs.getString("node_id"),
                SentHeaders.fromColumn(rs.getString("request_headers")));
    }
}
