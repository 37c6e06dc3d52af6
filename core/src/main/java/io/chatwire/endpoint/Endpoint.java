package io.chatwire.endpoint;

import io.chatwire.event.EventType;
import java.net.URI;
import java.time.Instant;
import java.util.Set;

/** A URL of the account's that receives a chatbot's events of the subscribed types. */
public record Endpoint(
        String id,
        String accountId,
        String chatbotId,
        URI url,
        Set<EventType> eventTypes,
        String description,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt) {

    public Endpoint {
        eventTypes = Set.copyOf(eventTypes);
    }

    public boolean wants(EventType type) {
        return enabled && eventTypes.contains(type);
    }
}
