package io.chatwire.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatwire.event.EventParser;
import io.chatwire.input.Parameter;
import io.chatwire.problem.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A settings request body, read strictly: it must be one JSON object, fields Chatwire does not know
 * and values of the wrong type are refused with a message that names the field.
 */
final class JsonBody {
    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    static final int MAX_STRING = 2048;

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    static JsonBody parse(byte[] body, Set<String> allowed) {
        JsonNode root;
        try {
            // Decoded strictly first: Jackson alone lets overlong forms and encoded surrogates through.
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new Problem.Invalid("invalid_encoding", "the body must be UTF-8 encoded JSON");
        }
        try {
            root = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Problem.Invalid("invalid_json", "the body is not valid JSON: " + EventParser.describe(e));
        } catch (IOException e) {
            throw new Problem.Invalid("invalid_json", "the body could not be read as JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw new Problem.Invalid("invalid_json", "the body is empty: send a JSON object");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new Problem.Invalid("invalid_json", "the body must be a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new Problem.Invalid("unknown_field", "unknown field '" + name + "' (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return new JsonBody(object);
    }

    String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> new Problem.Invalid("missing_field", field + " is required"));
    }

    Optional<String> optionalString(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new Problem.Invalid("invalid_field", field + " must be a string");
        }
        if (v.textValue().length() > MAX_STRING) {
            throw new Problem.Invalid("invalid_field", field + " is longer than " + MAX_STRING + " characters");
        }
        Requests.requireCleanText(field, v.textValue());
        return Optional.of(v.textValue());
    }

    /**
     * A field that can be set or cleared: empty when absent (leave as it is); present and empty when
     * null or blank (clear it); else the text, up to {@code max} characters (line breaks allowed).
     */
    Optional<Optional<String>> clearableText(String field, int max) {
        if (!node.has(field)) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        if (v.isNull()) {
            return Optional.of(Optional.empty());
        }
        if (!v.isTextual()) {
            throw new Problem.Invalid("invalid_field", field + " must be a string, or null to remove it");
        }
        if (v.textValue().length() > max) {
            throw new Problem.Invalid("invalid_field", field + " is longer than " + max + " characters");
        }
        Requests.requireCleanText(field, v.textValue());
        return Optional.of(v.textValue().isBlank() ? Optional.empty() : Optional.of(v.textValue()));
    }

    /** A JSON object given as a field's value, as JSON text. */
    Optional<String> optionalObject(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw new Problem.Invalid("invalid_field", field + " must be a JSON object");
        }
        return Optional.of(v.toString());
    }

    boolean has(String field) {
        return node.has(field);
    }

    /** True when the field is given as {@code null} (in a PATCH: clear the setting). */
    boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    /**
     * An object of strings, a {@code null} member kept as empty (in a PATCH: remove that entry); names
     * and values are checked by whoever knows what they are.
     */
    Optional<Map<String, Optional<String>>> optionalStringMap(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw new Problem.Invalid("invalid_field", field + " must be an object of strings");
        }
        Map<String, Optional<String>> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode item = e.getValue();
            if (!(item.isTextual() || item.isNull()) || (item.isTextual() && item.textValue().length() > MAX_STRING)) {
                throw new Problem.Invalid("invalid_field", field + " must be an object of strings (or null to remove one)");
            }
            values.put(e.getKey(), item.isNull() ? Optional.empty() : Optional.of(item.textValue()));
        }
        return Optional.of(values);
    }

    /** A whole number from {@code min} to {@code max}, held to them by {@link Parameter}. */
    Optional<Integer> optionalInt(String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        Parameter parameter = Parameter.field(field);
        if (!v.isIntegralNumber()) {
            throw parameter.refused("a whole number from " + min + " to " + max, v.isNumber() ? v.asText() : v.toString());
        }
        return Optional.of((int) parameter.wholeNumber(v.bigIntegerValue(), min, max));
    }

    Optional<Boolean> optionalBoolean(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw new Problem.Invalid("invalid_field", field + " must be true or false");
        }
        return Optional.of(v.booleanValue());
    }

    Optional<List<String>> optionalStringList(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            throw new Problem.Invalid("invalid_field", field + " must be an array of strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.textValue().length() > MAX_STRING) {
                throw new Problem.Invalid("invalid_field", field + " must be an array of strings");
            }
            Requests.requireCleanText(field, item.textValue());
            values.add(item.textValue());
        }
        return Optional.of(values);
    }
}
