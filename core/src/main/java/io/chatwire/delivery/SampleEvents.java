package io.chatwire.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.UUID;

/** The sample sent by "send test event": a real-shaped {@code chat} event, marked as a test in its text. */
final class SampleEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleEvents() {
    }

    static String chat(String chatbotId) {
        ObjectNode event = JSON.createObjectNode();
        event.put("event", "chat");
        var messages = event.putArray("messages");
        messages.addObject().put("role", "assistant").put("content", "👋 Hello there! This is a test event from Chatwire.");
        messages.addObject().put("role", "user").put("content", "Does my webhook endpoint work?");
        event.putObject("answer").put("role", "assistant").put("content", "Yes: this test event reached it.")
                .put("score", 0.99);
        event.put("chatbot_id", chatbotId);
        event.put("source", "api");
        event.put("cost_credits", 0);
        event.put("conversation_id", UUID.randomUUID().toString());
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }
}
