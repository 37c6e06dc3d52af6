package io.chatwire.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The state of one event's delivery to one endpoint, with its attempts when asked for. */
public record Delivery(
        String id,
        String eventId,
        String endpointId,
        Status status,
        int attempts,
        Optional<Instant> nextAttemptAt,
        Instant createdAt,
        Instant updatedAt,
        List<Attempt> attemptLog) {

    public enum Status {
        PENDING, DELIVERED, FAILED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Optional<Status> fromWire(String value) {
            for (Status s : values()) {
                if (s.wireName().equals(value)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }
}
