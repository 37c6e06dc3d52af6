package io.chatwire.event;

import java.util.List;

/**
 * A validated event body.
 *
 * @param json the body as sent: stored and delivered byte for byte
 * @param source where the chat came from ({@code widget}, {@code api}, {@code discord}, ...), or
 *     {@code unknown} when the event does not say
 * @param costCredits the message credits the chat consumed (0 when absent)
 * @param unknownFields the top-level fields Chatwire does not know, in the order sent (they are in
 *     {@code json} like any other; the names come from the sender, so treat them as untrusted text)
 * @param conversationId the event's {@code conversation_id}, when it has a non-blank one
 */
public record EventPayload(EventType type, String chatbotId, String json, String source, double costCredits,
        List<String> unknownFields, java.util.Optional<String> conversationId) {
    public EventPayload {
        unknownFields = List.copyOf(unknownFields);
    }

    public EventPayload(EventType type, String chatbotId, String json) {
        this(type, chatbotId, json, "unknown", 0, List.of(), java.util.Optional.empty());
    }
}
