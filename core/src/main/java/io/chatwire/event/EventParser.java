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
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
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
import java.util.Set;

/**
 * Validates an event body from the platform against its type's JSON Schema ({@link EventSchemas}):
 * the {@code event} field picks the schema, and its first complaint becomes a 400 naming the field.
 * The checks a schema cannot make come first: UTF-8, JSON syntax, duplicate keys, depth and number
 * length. A top-level field Chatwire does not know is accepted by default: the day the platform adds
 * a field, refusing it would refuse every event at the source, and receivers get it anyway since the
 * body is delivered as sent. The payload names such fields so that they can be
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
    private final EventSchemas schemas = EventSchemas.bundled();

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
        EventType type = eventType(event);
        List<Error> errors = schemas.validator(type, unknownFields).validate(event);
        if (!errors.isEmpty()) {
            throw refusal(type, errors.getFirst());
        }
        List<String> unknown = new ArrayList<>();
        Set<String> known = schemas.fields(type);
        for (Iterator<String> names = event.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        JsonNode source = event.get("source");
        JsonNode credits = event.get("cost_credits");
        JsonNode conversation = event.get("conversation_id");
        return new EventPayload(type, event.get("chatbot_id").textValue(), text,
                source == null || source.isNull() || source.textValue().isBlank() ? "unknown" : source.textValue(),
                credits == null || credits.isNull() ? 0 : finiteOrZero(credits.doubleValue()), unknown,
                conversation == null || conversation.isNull() || conversation.textValue().isBlank()
                        ? java.util.Optional.empty() : java.util.Optional.of(conversation.textValue()));
    }

    /** The type names the schema the rest is checked against, so it is read first. */
    private static EventType eventType(ObjectNode event) {
        JsonNode v = event.get("event");
        if (v == null || v.isNull()) {
            throw new Problem.Invalid("missing_field", "event is required");
        }
        if (!v.isTextual()) {
            throw new Problem.Invalid("invalid_field", "event must be a string, not " + describe(v));
        }
        return EventType.fromWire("event", v.textValue());
    }

    /** The schema's complaint as a 400 naming the field ({@code messages[1].content}), in words a sender reads. */
    private Problem.Invalid refusal(EventType type, Error e) {
        String at = fieldName(e.getInstanceLocation());
        JsonNode value = e.getInstanceNode();
        JsonNode rule = e.getSchemaNode();
        return switch (e.getKeyword()) {
            case "required" -> new Problem.Invalid("missing_field",
                    (at.isEmpty() ? "" : at + ".") + e.getProperty() + " is required");
            case "additionalProperties" -> new Problem.Invalid("unknown_field", "unknown field '" + e.getProperty() + "'");
            // Null counts as absent: a required field that is null is missing (an optional one may be null).
            case "type" -> value != null && value.isNull() && !at.endsWith("]")
                    ? new Problem.Invalid("missing_field", at + " is required")
                    : new Problem.Invalid("invalid_field", at + " must be " + expected(rule) + ", not " + describe(value));
            case "minLength" -> new Problem.Invalid("invalid_field", at + " must not be empty");
            case "maxLength" -> new Problem.Invalid("invalid_field", at + " is longer than " + rule.asInt() + " characters");
            case "maxItems", "maxProperties" -> new Problem.Invalid("invalid_field",
                    at + " is too large: at most " + rule.asInt() + " entries");
            // A pattern says nothing a sender can read: the field's description says what it must be.
            case "pattern" -> new Problem.Invalid("invalid_field", at + " is not valid: " + schemas.rule(type, e));
            default -> new Problem.Invalid("invalid_field", at + " is not valid: " + e.getMessage());
        };
    }

    private static String fieldName(NodePath location) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                name.append('[').append(index).append(']');
            } else {
                name.append(name.isEmpty() ? "" : ".").append(element);
            }
        }
        return name.toString();
    }

    /** "a string", "an object" for a {@code type} keyword's value, null left out. */
    private static String expected(JsonNode type) {
        List<String> names = new ArrayList<>();
        for (JsonNode t : type.isArray() ? type : List.of(type)) {
            if (!t.asText().equals("null")) {
                names.add(switch (t.asText()) {
                    case "array" -> "an array";
                    case "object" -> "an object";
                    case "integer" -> "an integer";
                    default -> "a " + t.asText();
                });
            }
        }
        return String.join(" or ", names);
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

    /** Jackson's message without its note about the hidden source, keeping line and column. */
    public static String describe(JsonProcessingException e) {
        return e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[")
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")");
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
