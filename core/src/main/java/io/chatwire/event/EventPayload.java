package io.chatwire.event;

/**
 * A validated event body.
 *
 * @param json the body as sent: stored and delivered byte for byte
 * @param source where the chat came from ({@code widget}, {@code api}, {@code discord}, ...), or
 *     {@code unknown} when the event does not say
 * @param costCredits the message credits the chat consumed (0 when absent)
 */
public record EventPayload(EventType type, String chatbotId, String json, String source, double costCredits) {
    public EventPayload(EventType type, String chatbotId, String json) {
        this(type, chatbotId, json, "unknown", 0);
    }
}
