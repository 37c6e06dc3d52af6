package io.chatwire.examples.history.store;

/** What became of a delivery. */
public sealed interface Recorded {
    /** First time this delivery id was seen: its content is stored. */
    record Stored(int newTurns) implements Recorded {
    }

    /** Already stored under this delivery id (a retry or a resend): nothing changed. */
    record Duplicate() implements Recorded {
    }
}
