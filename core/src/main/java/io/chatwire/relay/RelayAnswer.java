package io.chatwire.relay;

import java.time.Duration;

/** What a listener reports back for one relayed delivery. */
public sealed interface RelayAnswer {
    /** The local receiver answered with a status; {@code body} is the start of its answer. */
    record Answered(int status, Duration latency, String body) implements RelayAnswer {
    }

    /** The listener could not get an answer from the local receiver (refused, timed out, ...). */
    record NotAnswered(String message, Duration latency) implements RelayAnswer {
    }
}
