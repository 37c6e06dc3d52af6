package io.chatwire.problem;

/**
 * A request Chatwire refuses for a reason the caller can fix. Each kind maps to one HTTP status; the
 * code is a stable machine-readable word and the message says what to change.
 */
public abstract sealed class Problem extends RuntimeException {
    private final String code;

    private Problem(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Malformed or invalid input; names the field when there is one. */
    public static final class Invalid extends Problem {
        public Invalid(String message) {
            super("invalid_request", message);
        }

        public Invalid(String code, String message) {
            super(code, message);
        }
    }

    /** The thing does not exist, or belongs to someone else (the two are not told apart). */
    public static final class NotFound extends Problem {
        public NotFound(String what, String id) {
            super("not_found", what + " " + id + " does not exist");
        }
    }

    /** The caller may not do this (for example: the plan has no webhooks). */
    public static final class Forbidden extends Problem {
        public Forbidden(String code, String message) {
            super(code, message);
        }
    }

    /** The request clashes with the current state (a limit reached, a reused idempotency key). */
    public static final class Conflict extends Problem {
        public Conflict(String code, String message) {
            super(code, message);
        }
    }

    /** No valid credentials: missing, malformed or unknown (the three are not told apart). */
    public static final class Unauthorized extends Problem {
        public Unauthorized(String message) {
            super("unauthorized", message);
        }
    }

    /** The body or a header is larger than allowed. */
    public static final class TooLarge extends Problem {
        public TooLarge(String message) {
            super("payload_too_large", message);
        }
    }

    /** Too many requests for now (a rate limit); {@code retryAfter} says when to try again. */
    public static final class TooManyRequests extends Problem {
        private final java.time.Duration retryAfter;

        public TooManyRequests(String code, String message, java.time.Duration retryAfter) {
            super(code, message);
            this.retryAfter = retryAfter;
        }

        public java.time.Duration retryAfter() {
            return retryAfter;
        }

        /** Whole seconds, at least 1: the {@code Retry-After} header's value. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }
}
