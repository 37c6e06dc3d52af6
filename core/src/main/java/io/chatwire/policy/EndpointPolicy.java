package io.chatwire.policy;

import io.chatwire.delivery.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An endpoint's own delivery settings, each absent for the operator's default, and the pause its
 * receiver last asked for.
 *
 * @param rateLimit requests per second at most, counted over every node
 * @param retrySchedule the pauses before each retry (the first attempt is not in it): two entries
 *     mean three attempts at most
 * @param timeout how long one attempt may take
 * @param headerNames the names of the endpoint's static headers (their values are secrets, see
 *     {@link StaticHeaders})
 * @param pausedUntil set while the receiver's 429 + Retry-After holds the endpoint's deliveries back
 */
public record EndpointPolicy(Optional<Integer> rateLimit, Optional<List<Duration>> retrySchedule,
        Optional<Duration> timeout, List<String> headerNames, Optional<Instant> pausedUntil) {
    public static final EndpointPolicy DEFAULT = new EndpointPolicy(Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), Optional.empty());

    public EndpointPolicy {
        retrySchedule = retrySchedule.map(List::copyOf);
        headerNames = List.copyOf(headerNames);
    }

    /** The retry policy of this endpoint's deliveries: the operator's, with this schedule if it has one. */
    public RetryPolicy retries(RetryPolicy operator) {
        if (retrySchedule.isEmpty()) {
            return operator;
        }
        List<Duration> schedule = new ArrayList<>();
        schedule.add(operator.schedule().getFirst());
        schedule.addAll(retrySchedule.get());
        return new RetryPolicy(schedule, operator.jitter(), operator.maxRetryAfter());
    }

    /** Whether the receiver's pause still holds at {@code now}. */
    public Optional<Instant> pausedAt(Instant now) {
        return pausedUntil.filter(now::isBefore);
    }

    /** A duration as the API writes it: {@code 250ms}, {@code 5s}, {@code 30m}, {@code 2h}, {@code 1d}. */
    public static String wire(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
