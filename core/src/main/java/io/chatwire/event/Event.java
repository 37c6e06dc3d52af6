package io.chatwire.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * An event accepted from the platform.
 *
 * @param payload the JSON body every endpoint receives, byte for byte
 * @param test true for a sample sent with "send test event": logged, but not usage
 */
public record Event(
        String id,
        String accountId,
        String chatbotId,
        EventType type,
        String payload,
        Optional<String> idempotencyKey,
        Instant createdAt,
        boolean test) {

    public Event(String id, String accountId, String chatbotId, EventType type, String payload,
            Optional<String> idempotencyKey, Instant createdAt) {
        this(id, accountId, chatbotId, type, payload, idempotencyKey, createdAt, false);
    }

    public byte[] payloadBytes() {
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
