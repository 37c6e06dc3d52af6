package io.chatwire.examples.history.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a delivery body (already verified) into a {@link HistoryEvent}. */
public final class EventReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why a verified body could not be read; the message names the field. */
    public static final class UnreadableEvent extends Exception {
        UnreadableEvent(String message) {
            super(message);
        }
    }

    public HistoryEvent read(byte[] body) throws UnreadableEvent {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new UnreadableEvent("the body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new UnreadableEvent("the body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new UnreadableEvent("the body must be a JSON object");
        }
        String type = requiredText(root, "event");
        Optional<String> conversation = text(root, "conversation_id");
        Optional<String> lead = text(root.path("lead"), "uuid");
        return switch (type) {
            case "chat" -> new HistoryEvent.Chat(requiredText(root, "chatbot_id"), conversation, lead,
                    text(root, "source").orElse("unknown"), transcript(root));
            case "lead-submission" -> {
                JsonNode l = root.path("lead");
                yield new HistoryEvent.LeadSubmission(requiredText(root, "chatbot_id"), conversation, lead,
                        text(l, "name"), text(l, "email"), text(l, "phone"), l.isObject() ? l.toString() : "{}");
            }
            case "live-chat-escalation" -> {
                List<Turn> messages = turns(root.path("messages"), "messages");
                yield new HistoryEvent.LiveChatEscalation(requiredText(root, "chatbot_id"), conversation, lead,
                        text(root, "source").orElse("unknown"),
                        messages.isEmpty() ? Optional.empty() : Optional.of(messages.getLast().content()));
            }
            default -> new HistoryEvent.Other(type, conversation, lead);
        };
    }

    private static List<Turn> transcript(JsonNode root) throws UnreadableEvent {
        List<Turn> turns = new ArrayList<>(turns(root.path("messages"), "messages"));
        JsonNode answer = root.path("answer");
        if (!answer.isObject()) {
            throw new UnreadableEvent("a chat event needs an answer {role, content}");
        }
        turns.add(turn(answer, "answer"));
        return turns;
    }

    private static List<Turn> turns(JsonNode messages, String field) throws UnreadableEvent {
        if (messages.isMissingNode() || messages.isNull()) {
            return List.of();
        }
        if (!messages.isArray()) {
            throw new UnreadableEvent(field + " must be an array");
        }
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            turns.add(turn(messages.get(i), field + "[" + i + "]"));
        }
        return turns;
    }

    private static Turn turn(JsonNode message, String field) throws UnreadableEvent {
        if (!message.isObject()) {
            throw new UnreadableEvent(field + " must be an object {role, content}");
        }
        JsonNode score = message.path("score");
        return new Turn(requiredText(message, "role", field + ".role"), requiredText(message, "content", field + ".content"),
                score.isNumber() ? Optional.of(score.doubleValue()) : Optional.empty());
    }

    private static String requiredText(JsonNode node, String name) throws UnreadableEvent {
        return requiredText(node, name, name);
    }

    private static String requiredText(JsonNode node, String name, String field) throws UnreadableEvent {
        return text(node, name).orElseThrow(() -> new UnreadableEvent(field + " is required (a string)"));
    }

    /** A present, non-blank string field. */
    private static Optional<String> text(JsonNode node, String name) {
        JsonNode v = node.path(name);
        return v.isTextual() && !v.textValue().isBlank() ? Optional.of(v.textValue()) : Optional.empty();
    }
}
