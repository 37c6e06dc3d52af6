package io.chatwire.delivery;

import java.time.Instant;

/** What an attempt means for its delivery. */
public sealed interface Outcome {
    /** The receiver took it; nothing more to do. */
    record Delivered() implements Outcome {
    }

    /**
     * Not this time; try again at the given time.
     *
     * @param usesUpAnAttempt false when the receiver only asked to slow down (a rate limit with its
     *     pause): the attempt is logged, but the retry schedule's attempts are not spent on it
     */
    record Retry(Instant at, boolean usesUpAnAttempt) implements Outcome {
        public Retry(Instant at) {
            this(at, true);
        }
    }

    /** No more attempts: the schedule is used up or the endpoint is gone. */
    record Failed(String reason) implements Outcome {
    }

    default String wireName() {
        return switch (this) {
            case Delivered d -> "delivered";
            case Retry r -> "retry";
            case Failed f -> "failed";
        };
    }
}
