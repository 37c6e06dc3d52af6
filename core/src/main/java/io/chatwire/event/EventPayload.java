package io.chatwire.event;

/**
 * A validated event body.
 *
 * @param json the compact JSON that is stored and delivered
 */
public record EventPayload(EventType type, String chatbotId, String json) {
}
