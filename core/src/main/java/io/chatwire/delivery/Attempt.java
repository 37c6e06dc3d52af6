package io.chatwire.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** One row of the attempt log. */
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
        String nodeId) {
}
