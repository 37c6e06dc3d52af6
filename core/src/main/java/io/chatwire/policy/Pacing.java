package io.chatwire.policy;

import io.chatwire.delivery.AttemptResult;
import io.chatwire.store.Database;
import io.chatwire.store.Jdbc;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps each endpoint's requests to its pace, over every node: one row per endpoint holds the
 * earliest time its next request may go ({@code paced_until}). A rate limit of N per second is a
 * "next slot" (GCRA with no burst): each request takes the slot at {@code max(now, paced_until)} and
 * moves {@code paced_until} on by 1/N s, in one atomic update, so two nodes never take the same slot.
 * A receiver's 429 + Retry-After moves {@code paced_until} (and {@code paused_until}) to the end of
 * the pause. Deliveries of an endpoint paced into the future are not claimed ({@link #NOT_PACED}).
 */
public final class Pacing {
    /** Claim condition on {@code deliveries}: its endpoint may take a request now (one parameter: now). */
    public static final String NOT_PACED = "endpoint_id NOT IN (SELECT id FROM endpoints WHERE paced_until > ?)";
    /**
     * The shortest pause a 429 sets, so that {@code Retry-After: 0} cannot make a loop of requests (at
     * most four a second, and the dispatcher fails the delivery after its spared attempts); short
     * enough to honour Discord's sub-second {@code retry_after}.
     */
    static final Duration MIN_PAUSE = Duration.ofMillis(250);

    /** Takes the next slot if it is no later than the horizon; no row when it is later. */
    private static final String TAKE_SLOT = """
            UPDATE endpoints
            SET paced_until = CASE WHEN COALESCE(paced_until, 0) > ? THEN paced_until ELSE ? END + ?
            WHERE id = ? AND COALESCE(paced_until, 0) <= ?
            RETURNING paced_until
            """;
    private static final String PACED_UNTIL = "SELECT paced_until FROM endpoints WHERE id = ?";
    private static final String PAUSE = """
            UPDATE endpoints
            SET paused_until = CASE WHEN COALESCE(paused_until, 0) > ? THEN paused_until ELSE ? END,
                paced_until = CASE WHEN COALESCE(paced_until, 0) > ? THEN paced_until ELSE ? END
            WHERE id = ?
            """;

    /** Whether a delivery may go now. */
    public sealed interface Admission {
        /** Go at once. */
        record Go() implements Admission {
        }

        /** A slot is taken for this delivery at {@code at}, soon: wait for it, then go. */
        record GoAt(Instant at) implements Admission {
        }

        /** No slot soon: give the delivery back, due at {@code at}, without an attempt. */
        record NotBefore(Instant at) implements Admission {
        }
    }

    private final Database db;
    private final Duration horizon;
    private final Duration maxPause;

    /**
     * @param horizon how far ahead a delivery may take a slot and wait for it while holding its lease;
     *     deliveries that would wait longer are given back, so a backlog does not hold leases (and
     *     threads) for minutes
     * @param maxPause the longest pause a receiver's Retry-After can set
     */
    public Pacing(Database db, Duration horizon, Duration maxPause) {
        this.db = db;
        this.horizon = horizon;
        this.maxPause = maxPause;
    }

    /** Whether a delivery to the endpoint may go now; takes a slot of its rate limit when it has one. */
    public Admission admit(String endpointId, EndpointPolicy policy, Instant now) {
        Optional<Instant> paused = policy.pausedAt(now);
        if (paused.isPresent()) {
            return new Admission.NotBefore(paused.get());
        }
        if (policy.rateLimit().isEmpty()) {
            return new Admission.Go();
        }
        long interval = intervalMillis(policy.rateLimit().get());
        long nowMillis = now.toEpochMilli();
        return db.write(c -> {
            Optional<Long> next = Jdbc.queryOne(c, TAKE_SLOT, rs -> rs.getLong(1), nowMillis, nowMillis, interval,
                    endpointId, nowMillis + horizon.toMillis());
            if (next.isPresent()) {
                long slot = next.get() - interval;
                return slot <= nowMillis ? new Admission.Go() : new Admission.GoAt(Instant.ofEpochMilli(slot));
            }
            long pacedUntil = Jdbc.queryOne(c, PACED_UNTIL, rs -> rs.getLong(1), endpointId).orElse(nowMillis);
            return new Admission.NotBefore(Instant.ofEpochMilli(Math.max(pacedUntil, nowMillis)));
        });
    }

    /** Rounded up, so that the pace never exceeds the limit. */
    static long intervalMillis(int perSecond) {
        return (1000 + perSecond - 1) / perSecond;
    }

    /**
     * Pauses the endpoint when the answer is a 429 with a Retry-After (or a service's own hint, parsed
     * into the same field); returns the end of the pause, which is when the delivery is due again.
     */
    public Optional<Instant> pauseFor(String endpointId, AttemptResult result, Instant now) {
        if (!(result instanceof AttemptResult.Answered a) || a.status() != 429 || a.retryAfter().isEmpty()) {
            return Optional.empty();
        }
        Duration asked = a.retryAfter().get();
        Duration pause = asked.compareTo(MIN_PAUSE) < 0 ? MIN_PAUSE : asked.compareTo(maxPause) > 0 ? maxPause : asked;
        long until = now.plus(pause).toEpochMilli();
        db.write(c -> Jdbc.update(c, PAUSE, until, until, until, until, endpointId));
        return Optional.of(Instant.ofEpochMilli(until));
    }
}
