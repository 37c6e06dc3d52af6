package io.chatwire.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The messages on a relay connection, JSON text frames, in one place for both ends.
 *
 * <pre>
 * server → listener  {"type":"ready","endpoint_id","chatbot_id","events":[...]}
 * server → listener  {"type":"delivery","id","event","event_id","headers":{...},"body"}
 * listener → server  {"type":"answer","id","status","latency_ms","body"}  or  {"type":"answer","id","error","latency_ms"}
 * listener → server  {"type":"stop"}   (Ctrl-C: remove the endpoint now)
 * </pre>
 *
 * The body travels as the event's JSON text; its UTF-8 bytes are exactly the bytes that were
 * signed, so a receiver verifies the relayed delivery as it would a direct one.
 */
public final class RelayProtocol {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Longest answer body a listener sends back (the attempt log keeps 4 KiB). */
    public static final int MAX_ANSWER_BODY = 4096;

    private RelayProtocol() {
    }

    /** A delivery as the listener receives it. */
    public record Delivery(String id, String event, String eventId, Map<String, String> headers, String body) {
    }

    /** The hello the server sends once the endpoint exists. */
    public record Ready(String endpointId, String chatbotId, List<String> events) {
    }

    public static String ready(Ready r) {
        ObjectNode n = JSON.createObjectNode().put("type", "ready").put("endpoint_id", r.endpointId())
                .put("chatbot_id", r.chatbotId());
        r.events().forEach(n.putArray("events")::add);
        return n.toString();
    }

    public static String delivery(Delivery d) {
        ObjectNode n = JSON.createObjectNode().put("type", "delivery").put("id", d.id()).put("event", d.event())
                .put("event_id", d.eventId()).put("body", d.body());
        ObjectNode h = n.putObject("headers");
        d.headers().forEach(h::put);
        return n.toString();
    }

    public static String answer(String id, RelayAnswer a) {
        ObjectNode n = JSON.createObjectNode().put("type", "answer").put("id", id);
        switch (a) {
            case RelayAnswer.Answered x -> n.put("status", x.status()).put("latency_ms", x.latency().toMillis())
                    .put("body", cut(x.body()));
            case RelayAnswer.NotAnswered x -> n.put("error", cut(x.message())).put("latency_ms", x.latency().toMillis());
        }
        return n.toString();
    }

    public static String stop() {
        return "{\"type\":\"stop\"}";
    }

    private static String cut(String s) {
        return s.length() > MAX_ANSWER_BODY ? s.substring(0, MAX_ANSWER_BODY) : s;
    }

    /** A message read from the other end: its type and fields. */
    public record Message(String type, JsonNode fields) {
        public String text(String field) {
            JsonNode v = fields.get(field);
            return v == null || v.isNull() ? "" : v.asText();
        }

        public Ready asReady() {
            List<String> events = new java.util.ArrayList<>();
            fields.path("events").forEach(e -> events.add(e.asText()));
            return new Ready(text("endpoint_id"), text("chatbot_id"), events);
        }

        public Delivery asDelivery() {
            Map<String, String> headers = new LinkedHashMap<>();
            fields.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
            return new Delivery(text("id"), text("event"), text("event_id"), headers, text("body"));
        }

        /** The answer this message carries; empty when it is malformed. */
        public Optional<RelayAnswer> asAnswer() {
            Duration latency = Duration.ofMillis(Math.max(0, fields.path("latency_ms").asLong(0)));
            if (fields.hasNonNull("status") && fields.get("status").canConvertToInt()) {
                int status = fields.get("status").asInt();
                if (status < 100 || status > 999) {
                    return Optional.empty();
                }
                return Optional.of(new RelayAnswer.Answered(status, latency, cut(text("body"))));
            }
            if (fields.hasNonNull("error")) {
                return Optional.of(new RelayAnswer.NotAnswered(cut(text("error")), latency));
            }
            return Optional.empty();
        }
    }

    /** Parses a frame; empty for anything that is not a JSON object with a type. */
    public static Optional<Message> read(String frame) {
        try {
            JsonNode n = JSON.readTree(frame);
            if (n == null || !n.isObject() || !n.path("type").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new Message(n.get("type").asText(), n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
