package io.chatwire.policy;

import io.chatwire.problem.Problem;
import java.time.Duration;
import java.util.List;

/**
 * The operator's limits on what an endpoint may ask for: a retry schedule of at most
 * {@code maxRetries} pauses, none longer than {@code maxRetryDelay}; an attempt timeout from one
 * second to {@code maxTimeout}; a rate limit of 1 to {@code maxRateLimit} requests per second.
 */
public record PolicyBounds(int maxRetries, Duration maxRetryDelay, Duration maxTimeout, int maxRateLimit) {
    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

    public PolicyBounds {
        if (maxRetries < 0 || maxRateLimit < 1 || maxRetryDelay.isNegative() || maxTimeout.compareTo(MIN_TIMEOUT) < 0) {
            throw new IllegalArgumentException("policy bounds: retries >= 0, rate limit >= 1, timeout >= 1s");
        }
    }

    /** Refuses (400) an edit outside the bounds; says which bound. */
    public void check(PolicyEdit edit) {
        edit.rateLimit().given().ifPresent(n -> {
            if (n < 1 || n > maxRateLimit) {
                throw new Problem.Invalid("out_of_bounds", "rate_limit must be from 1 to " + maxRateLimit
                        + " requests per second (got " + n + ")");
            }
        });
        edit.retrySchedule().given().ifPresent(this::checkSchedule);
        edit.timeout().given().ifPresent(t -> {
            if (t.compareTo(MIN_TIMEOUT) < 0 || t.compareTo(maxTimeout) > 0) {
                throw new Problem.Invalid("out_of_bounds", "timeout must be from " + EndpointPolicy.wire(MIN_TIMEOUT)
                        + " to " + EndpointPolicy.wire(maxTimeout) + " (got " + EndpointPolicy.wire(t) + ")");
            }
        });
    }

    private void checkSchedule(List<Duration> schedule) {
        if (schedule.size() > maxRetries) {
            throw new Problem.Invalid("out_of_bounds", "retry_schedule may hold at most " + maxRetries
                    + " retries (got " + schedule.size() + ")");
        }
        for (Duration pause : schedule) {
            if (pause.compareTo(maxRetryDelay) > 0) {
                throw new Problem.Invalid("out_of_bounds", "retry_schedule pauses may be at most "
                        + EndpointPolicy.wire(maxRetryDelay) + " (got " + EndpointPolicy.wire(pause) + ")");
            }
        }
    }
}
