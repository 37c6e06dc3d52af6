package io.chatwire.verify;

import java.io.Serial;
import java.util.Objects;

/**
 * Thrown when a webhook request cannot be proven to come from Chatwire.
 *
 * <p>Treat every reason the same way towards the sender (reject the request, typically with
 * HTTP 400 or 401); {@link #reason()} exists for logging and metrics. Messages never contain a
 * signing secret or an expected signature, so they are safe to log.
 */
public final class WebhookVerificationException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Why verification failed. */
    public enum Reason {
        /** A required header is absent or empty. */
        MISSING_HEADER,
        /** A header is present but cannot be parsed, or appears more than once. */
        MALFORMED_HEADER,
        /** The signed timestamp is too far in the past or the future. */
        TIMESTAMP_OUT_OF_TOLERANCE,
        /** No signature matches the body under any configured secret. */
        SIGNATURE_MISMATCH
    }

    /** Why verification failed; never {@code null}. */
    private final Reason reason;

    WebhookVerificationException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns the category of the failure.
     *
     * @return the reason verification failed, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}
