package io.chatwire.delivery;

import java.time.Instant;

/** What an attempt means for its delivery. */
public sealed interface Outcome {
    /** The receiver took it; nothing more to do. */
    record Delivered() implements Outcome {
    }

    /** Not this time; try again at the given time. */
    record Retry(Instant at) implements Outcome {
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
