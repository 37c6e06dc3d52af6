package io.chatwire.delivery;

import java.time.Duration;
import java.util.Optional;

/** What happened on the wire in one attempt. */
public sealed interface AttemptResult {
    Duration latency();

    /** The receiver answered with a status. */
    record Answered(int status, Duration latency, String body, Optional<Duration> retryAfter) implements AttemptResult {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    /** No status came back: the connection failed, timed out or broke. */
    record NotAnswered(ErrorKind kind, String message, Duration latency) implements AttemptResult {
    }

    /** The attempt was not made, because the endpoint is gone or disabled. */
    record NotAttempted(ErrorKind kind, String message) implements AttemptResult {
        @Override
        public Duration latency() {
            return Duration.ZERO;
        }
    }

    /** The endpoint's transform chose to send nothing for the event: done, and nobody's failure. */
    record Dropped(String reason) implements AttemptResult {
        @Override
        public Duration latency() {
            return Duration.ZERO;
        }
    }

    default boolean succeeded() {
        return this instanceof Answered a && a.isSuccess() || this instanceof Dropped;
    }

    default Optional<ErrorKind> errorKind() {
        return switch (this) {
            case Answered a when a.isSuccess() -> Optional.empty();
            case Answered a when a.status() >= 300 && a.status() < 400 -> Optional.of(ErrorKind.REDIRECT);
            case Answered a -> Optional.of(ErrorKind.HTTP_STATUS);
            case NotAnswered n -> Optional.of(n.kind());
            case NotAttempted n -> Optional.of(n.kind());
            case Dropped d -> Optional.empty();
        };
    }
}
