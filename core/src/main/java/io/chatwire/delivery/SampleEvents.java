package io.chatwire.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.event.EventSchemas;
import io.chatwire.event.EventType;

/**
 * The sample sent by "send test event": the example of the type's schema, for the endpoint's own
 * chatbot, so a receiver sees exactly the shape the catalog documents.
 */
final class SampleEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleEvents() {
    }

    static String of(EventType type, String chatbotId) {
        var event = EventSchemas.bundled().example(type);
        event.put("chatbot_id", chatbotId);
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }
}
