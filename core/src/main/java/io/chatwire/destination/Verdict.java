package io.chatwire.destination;

import java.time.Duration;
import java.util.Optional;

/** What a receiver's answer means for the delivery, as the receiver's service documents it. */
public sealed interface Verdict {
    /** The message was taken. */
    record Taken() implements Verdict {
    }

    /** Not taken this time; the retry schedule decides when to try again (at least {@code retryAfter}). */
    record TryAgain(Optional<Duration> retryAfter) implements Verdict {
    }

    /**
     * The service is rate-limiting the endpoint and said for how long: a pause, not a failure of the
     * receiver, so the next attempt waits for it and the schedule's attempts are spared.
     */
    record SlowDown(Duration pause) implements Verdict {
    }

    /** The service will never take this message at this URL (channel archived, webhook deleted, ...). */
    record Refused(String reason) implements Verdict {
    }

    /** The pause the receiver asked for, if any: what an attempt's result carries for pacing. */
    default Optional<Duration> askedPause() {
        return switch (this) {
            case TryAgain t -> t.retryAfter();
            case SlowDown s -> Optional.of(s.pause());
            case Taken t -> Optional.empty();
            case Refused r -> Optional.empty();
        };
    }
}
