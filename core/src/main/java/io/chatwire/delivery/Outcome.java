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
     * @param burnsAttempt false when the receiver asked for a pause (429 + Retry-After): the attempt is
     *     logged but does not use up an entry of the retry schedule
     */
    record Retry(Instant at, boolean burnsAttempt) implements Outcome {
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
