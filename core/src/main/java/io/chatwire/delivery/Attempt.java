package io.chatwire.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One row of the attempt log. {@code requestHeaders} are the signing and content headers the attempt
 * sent, signatures shortened ({@link io.chatwire.signing.WebhookSigner#forAttemptLog}); empty when
 * nothing was sent, or the attempt was logged before they were recorded.
 */
public record Attempt(
        String id,
        String deliveryId,
        String eventId,
        String endpointId,
        int attemptNumber,
        String cause,
        String url,
        Instant startedAt,
        Duration latency,
        Optional<Integer> httpStatus,
        String responseBody,
        String outcome,
        Optional<String> errorKind,
        Optional<String> errorMessage,
        String nodeId,
        Map<String, String> requestHeaders) {
    public Attempt {
        // In the order sent, which is the order a reader expects them in.
        requestHeaders = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(requestHeaders));
    }
}
