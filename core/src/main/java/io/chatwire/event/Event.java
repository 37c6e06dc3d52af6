package io.chatwire.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * An event accepted from the platform.
 *
 * @param payload the JSON body every endpoint receives, byte for byte
 */
public record Event(
        String id,
        String accountId,
        String chatbotId,
        EventType type,
        String payload,
        Optional<String> idempotencyKey,
        Instant createdAt) {

    public byte[] payloadBytes() {
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
