package io.chatwire.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatwire.input.Parameter;
import io.chatwire.problem.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates an event body from the platform against the Chat Data event shapes. Known fields must
 * have their documented types. A top-level field Chatwire does not know is accepted by default: the
 * day the platform adds a field, refusing it would refuse every event at the source, and receivers
 * get it anyway since the body is delivered as sent. The payload names such fields so that they can be
 * counted. An operator who prefers typos found at once refuses them ({@link UnknownFields#REFUSE},
 * {@code CHATWIRE_STRICT_EVENTS}). What is stored and delivered is the body exactly as the platform
 * sent it (it must be UTF-8): numbers keep their spelling, fields their order.
 */
public final class EventParser {
    static final int MAX_DEPTH = 32;

    /** What becomes of an event with a top-level field the parser does not know. */
    public enum UnknownFields {
        /** Accepted, stored and delivered as sent; the payload lists the fields' names. */
        ACCEPT,
        /** Refused with 400 {@code unknown_field}, naming the first such field. */
        REFUSE
    }

    private static final Set<String> KNOWN_FIELDS = Set.of(
            "event", "chatbot_id", "messages", "answer", "client_ip", "source", "conversation_id",
            "cost_credits", "lead", "created_at");

    private final ObjectMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(100)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // Numbers stay exactly as sent (1.50 is not 1.5): the payload is delivered byte for byte.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private final UnknownFields unknownFields;

    /** A parser that accepts unknown top-level fields (the default). */
    public EventParser() {
        this(UnknownFields.ACCEPT);
    }

    public EventParser(UnknownFields unknownFields) {
        this.unknownFields = unknownFields;
    }

    /** Parses and validates; a {@link Problem.Invalid} names the offending field. */
    public EventPayload parse(byte[] body) {
        String text = utf8(body);
        JsonNode root;
        try (JsonParser json = mapper.createParser(text)) {
            root = readNumbersInRange(json);
        } catch (StreamConstraintsException e) {
            throw new Problem.Invalid("invalid_json", "the body is too deeply nested or has an over-long number: "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new Problem.Invalid("invalid_json", "the body is not valid JSON: " + describe(e));
        } catch (IOException e) {
            // The parser reads a String in memory: no other I/O can fail.
            throw new UncheckedIOException(e);
        }
        if (root == null || root.isMissingNode()) {
            throw new Problem.Invalid("invalid_json", "the body is empty: send a JSON object");
        }
        if (!(root instanceof ObjectNode event)) {
            throw new Problem.Invalid("invalid_json", "the body must be a JSON object, not " + describe(root));
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = event.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN_FIELDS.contains(name)) {
                if (unknownFields == UnknownFields.REFUSE) {
                    throw new Problem.Invalid("unknown_field", "unknown field '" + name + "'");
                }
                unknown.add(name);
            }
        }
        EventType type = EventType.fromWire("event", requiredString(event, "event"));
        String chatbotId = requiredString(event, "chatbot_id");
        if (chatbotId.isBlank()) {
            throw new Problem.Invalid("invalid_field", "chatbot_id must not be empty");
        }
        requireCleanText("chatbot_id", chatbotId, 256);
        optionalString(event, "client_ip");
        JsonNode sourceField = optional(event, "source", JsonNodeType.STRING);
        if (sourceField != null) {
            // Kept as a column of the usage aggregates, not only inside the stored body.
            requireCleanText("source", sourceField.textValue(), 100);
        }
        optionalString(event, "conversation_id");
        optionalString(event, "created_at");
        optional(event, "cost_credits", JsonNodeType.NUMBER);
        checkMessages(event, type == EventType.CHAT);
        checkAnswer(event, type == EventType.CHAT);
        checkLead(event, type == EventType.LEAD_SUBMISSION);
        JsonNode source = event.get("source");
        JsonNode credits = event.get("cost_credits");
        JsonNode conversation = event.get("conversation_id");
        return new EventPayload(type, chatbotId, text,
                source == null || source.isNull() || source.textValue().isBlank() ? "unknown" : source.textValue(),
                credits == null || credits.isNull() ? 0 : finiteOrZero(credits.doubleValue()), unknown,
                conversation == null || conversation.isNull() || conversation.textValue().isBlank()
                        ? java.util.Optional.empty() : java.util.Optional.of(conversation.textValue()));
    }

    /**
     * The tree, or a 400 naming the number Jackson cannot hold: one whose exponent takes its scale
     * past 32 bits ({@code 1e-2147483649}) fails as a bare NumberFormatException, not a parse error.
     */
    private JsonNode readNumbersInRange(JsonParser json) throws IOException {
        try {
            return mapper.readTree(json);
        } catch (NumberFormatException e) {
            StringBuilder name = new StringBuilder();
            for (JsonStreamContext c = json.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
                name.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : (c.getParent().inRoot() ? "" : ".")
                        + c.getCurrentName());
            }
            throw Parameter.field(name.isEmpty() ? "a number" : name.toString())
                    .refused("a number whose exponent fits in 32 bits", json.getText());
        }
    }

    /**
     * The credits as counted in the usage aggregates. The body keeps a number like {@code 1e400}
     * exactly, but as a double it is infinite, and one infinity (or a sum past the double range)
     * would poison every sum it joins; such a value counts as 0 there.
     */
    private static double finiteOrZero(double credits) {
        return Double.isFinite(credits) && Math.abs(credits) <= 1e15 ? credits : 0;
    }

    /** Decodes strictly: a body that is not UTF-8 is refused rather than delivered with replaced bytes. */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Problem.Invalid("invalid_encoding", "the body must be UTF-8 encoded JSON");
        }
    }

    private static void checkMessages(ObjectNode event, boolean required) {
        JsonNode messages = required ? require(event, "messages", JsonNodeType.ARRAY)
                : optional(event, "messages", JsonNodeType.ARRAY);
        if (messages == null) {
            return;
        }
        for (int i = 0; i < messages.size(); i++) {
            String field = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) {
                throw new Problem.Invalid("invalid_field", field + " must be an object {role, content}");
            }
            requiredString((ObjectNode) m, field, "role");
            requiredString((ObjectNode) m, field, "content");
        }
    }

    private static void checkAnswer(ObjectNode event, boolean required) {
        JsonNode answer = required ? require(event, "answer", JsonNodeType.OBJECT)
                : optional(event, "answer", JsonNodeType.OBJECT);
        if (answer == null) {
            return;
        }
        requiredString((ObjectNode) answer, "answer", "role");
        requiredString((ObjectNode) answer, "answer", "content");
        JsonNode score = answer.get("score");
        if (score != null && !score.isNull() && !score.isNumber()) {
            throw new Problem.Invalid("invalid_field", "answer.score must be a number");
        }
    }

    /** An id or label that becomes a column value: no control characters or lone surrogates, not too long. */
    private static void requireCleanText(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw new Problem.Invalid("invalid_field", field + " is longer than " + maxLength + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean loneSurrogate = Character.isHighSurrogate(c)
                    ? i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(++i))
                    : Character.isLowSurrogate(c);
            if (c < 0x20 || c == 0x7f || loneSurrogate) {
                throw new Problem.Invalid("invalid_field", field + " contains control characters or invalid Unicode");
            }
        }
    }

    private static void checkLead(ObjectNode event, boolean required) {
        JsonNode lead = required ? require(event, "lead", JsonNodeType.OBJECT)
                : optional(event, "lead", JsonNodeType.OBJECT);
        if (lead == null) {
            return;
        }
        JsonNode uuid = lead.get("uuid");
        if (uuid != null && !uuid.isTextual()) {
            throw new Problem.Invalid("invalid_field", "lead.uuid must be a string");
        }
        for (Map.Entry<String, JsonNode> e : lead.properties()) {
            if (e.getValue().isContainerNode() && e.getValue().size() > 1000) {
                throw new Problem.Invalid("invalid_field", "lead." + e.getKey() + " is too large");
            }
        }
    }

    /** Jackson's message without its note about the hidden source, keeping line and column. */
    public static String describe(JsonProcessingException e) {
        return e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[")
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")");
    }

    private static String requiredString(ObjectNode node, String field) {
        return require(node, field, JsonNodeType.STRING).textValue();
    }

    private static String requiredString(ObjectNode node, String parent, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Problem.Invalid("missing_field", parent + "." + field + " is required");
        }
        if (!v.isTextual()) {
            throw new Problem.Invalid("invalid_field", parent + "." + field + " must be a string, not " + describe(v));
        }
        return v.textValue();
    }

    private static void optionalString(ObjectNode node, String field) {
        optional(node, field, JsonNodeType.STRING);
    }

    private static JsonNode require(ObjectNode node, String field, JsonNodeType type) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new Problem.Invalid("missing_field", field + " is required");
        }
        return checkType(field, v, type);
    }

    /** The field's value if present and not null, else null; a present value of the wrong type is a 400. */
    private static JsonNode optional(ObjectNode node, String field, JsonNodeType type) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return checkType(field, v, type);
    }

    private static JsonNode checkType(String field, JsonNode v, JsonNodeType type) {
        if (v.getNodeType() != type) {
            throw new Problem.Invalid("invalid_field",
                    field + " must be " + article(type) + ", not " + describe(v));
        }
        return v;
    }

    private static String article(JsonNodeType type) {
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
