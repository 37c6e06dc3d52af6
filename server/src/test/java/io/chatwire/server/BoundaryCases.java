package io.chatwire.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Boundary values for every parameter of every operation in the OpenAPI document, generated from the
 * parameter's schema, so that a new route or parameter is covered as soon as it is documented.
 *
 * <p>Path, query and header parameters, and every property of a request body (nested objects and
 * the first item of arrays included), get values by their schema: strings empty, one past
 * {@code maxLength}, very long, and with control characters; integers and numbers one past
 * {@code minimum}/{@code maximum}, the bounds themselves, 0, -1, past 32 and 64 bits, {@code 1e400},
 * {@code 1e-2147483649} and non-numbers; {@code date-time} and {@code date} the extreme years
 * Java's time types accept or overflow on (±999999999, ±1000000000, the ends of epoch milliseconds),
 * years past 9999 and before 1970, and garbage; enums unknown values. The date parameters of an
 * operation are also set together (both ends of a range at one extreme). A few seeded random strings
 * per string parameter add variety; the seed makes every run the same.
 */
final class BoundaryCases {
    private static final ObjectMapper ESCAPING = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final List<String> METHODS = List.of("get", "put", "post", "patch", "delete");

    /** Where a value goes. */
    enum Where { PATH, QUERY, HEADER, BODY }

    /**
     * One request: an operation with one parameter (or, for {@link #together}, all its date
     * parameters) set to a boundary value. For a body property {@code value} is a JSON literal; for the
     * others the text to send, which {@link #encoded} percent-encodes (path values are sent as given,
     * already encoded, so that malformed escapes can be sent too).
     */
    record Case(Where where, String name, String value, List<String> together) {
        String label() {
            String shown = value.length() > 48 ? value.substring(0, 45) + "...(" + value.length() + ")" : value;
            StringBuilder sb = new StringBuilder();
            shown.codePoints().forEach(c -> sb.append(c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)
                    ? String.format("\\u%04x", c) : Character.toString(c)));
            String who = together.isEmpty() ? name : String.join("+", together);
            return where.name().toLowerCase(Locale.ROOT) + " " + who + " = " + sb;
        }

        /** The names a refusal's message may mention: a body property's own name, or any of {@link #together}. */
        List<String> names() {
            return together.isEmpty() ? List.of(leaf()) : together;
        }

        private String leaf() {
            String[] parts = name.split("\\.");
            for (int i = parts.length - 1; i >= 0; i--) {
                if (!parts[i].chars().allMatch(Character::isDigit)) {
                    return parts[i];
                }
            }
            return name;
        }
    }

    /** A documented operation: its parameters and request body schema, with $refs resolved. */
    record Operation(String method, String template, List<JsonNode> parameters, Optional<JsonNode> bodySchema,
            Set<String> security) {
        String key() {
            return method + " " + template;
        }
    }

    private final JsonNode doc;
    private final long seed;

    BoundaryCases(JsonNode doc, long seed) {
        this.doc = doc;
        this.seed = seed;
    }

    List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        doc.path("paths").properties().forEach(path -> {
            JsonNode item = path.getValue();
            for (String method : METHODS) {
                JsonNode op = item.path(method);
                if (op.isMissingNode()) {
                    continue;
                }
                List<JsonNode> params = new ArrayList<>();
                item.path("parameters").forEach(p -> params.add(resolve(p)));
                op.path("parameters").forEach(p -> params.add(resolve(p)));
                Optional<JsonNode> body = Optional.of(op.path("requestBody").path("content").path("application/json")
                        .path("schema")).filter(s -> !s.isMissingNode()).map(this::resolve);
                Set<String> security = new LinkedHashSet<>();
                (op.has("security") ? op.path("security") : doc.path("security"))
                        .forEach(req -> req.fieldNames().forEachRemaining(security::add));
                ops.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey(), params, body, security));
            }
        });
        return ops;
    }

    /** Every case of the operation; {@code validBody} is what body cases change one property of. */
    List<Case> of(Operation op, Optional<JsonNode> validBody) {
        Random random = new Random(seed ^ op.key().hashCode());
        List<Case> cases = new ArrayList<>();
        List<String> dateParams = new ArrayList<>();
        JsonNode dateSchema = null;
        for (JsonNode p : op.parameters()) {
            String name = p.path("name").asText();
            JsonNode schema = resolve(p.path("schema"));
            switch (p.path("in").asText()) {
                case "path" -> pathValues(schema).forEach(v -> cases.add(new Case(Where.PATH, name, v, List.of())));
                case "query" -> {
                    textValues(schema, random).forEach(v -> cases.add(new Case(Where.QUERY, name, v, List.of())));
                    if (isDate(schema)) {
                        dateParams.add(name);
                        dateSchema = schema;
                    }
                }
                case "header" -> headerValues(schema).forEach(v -> cases.add(new Case(Where.HEADER, name, v, List.of())));
                default -> { }
            }
        }
        if (dateParams.size() > 1) {
            for (String v : dateValues(dateSchema)) {
                cases.add(new Case(Where.QUERY, dateParams.getFirst(), v, List.copyOf(dateParams)));
            }
        }
        op.bodySchema().ifPresent(schema -> bodyCases(schema, "", 0, random, cases));
        return cases;
    }

    // --- values by schema -------------------------------------------------------------------------

    private static final List<String> DATE_TIMES = List.of(
            "+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
            "+292278994-08-17T07:12:55.807Z", "+292278994-08-17T07:12:55.808Z",
            "-292275055-05-16T16:47:04.192Z", "-292275055-05-16T16:47:04.191Z",
            "+10000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-20T24:00:01Z",
            "2026-11-20T00:00:00+18:00", "2026-11-20T00:00:00-99:00", "2026-11-20", "1763596800", "garbage", "");
    private static final List<String> DATES = List.of(
            "-999999999-01-01", "+999999999-12-31", "+1000000000-01-01", "-1000000000-01-01",
            "+10000-01-01", "9999-12-31", "1970-01-01", "1969-12-31", "0000-01-01", "2026-02-30", "2026-13-01",
            "20261120", "2026-11-20T00:00:00Z", "garbage", "");
    private static final List<String> URLS = List.of(
            "not a url", "http://", "http:///x", "ftp://203.0.113.9/", "http://[::1/", "http://127.0.0.1:65536/",
            "http://127.0.0.1:99999999999/", "http://127.0.0.1:-1/", "http://127.0.0.1:0/", "http://user:pw@127.0.0.1/",
            "http://127.0.0.1/#fragment", "http://127.0.0.1/" + "a".repeat(2100), "http://%00/", "http://999.1.1.1/",
            "http://[fe80::1%25eth0]/", "javascript:alert(1)");
    private static final List<String> NUMBERS = List.of(
            "0", "-1", "1.5", "-0", "1e400", "-1e400", "1e-2147483649", "1e2147483648", "2147483648", "-2147483649",
            "9223372036854775808", "-9223372036854775809", "9".repeat(99), "4.9e-325");

    /** Values for a parameter sent as text (query). */
    private List<String> textValues(JsonNode schema, Random random) {
        String type = type(schema);
        List<String> values = new ArrayList<>();
        switch (type) {
            case "integer", "number" -> {
                values.addAll(numericBounds(schema));
                values.addAll(NUMBERS);
                values.addAll(List.of("abc", "", " 1", "+1", "\u0663", "0x10", "NaN", "Infinity", "1e3"));
            }
            case "boolean" -> values.addAll(List.of("", "yes", "1", "TRUE", "null"));
            default -> {
                if (isDate(schema)) {
                    values.addAll(dateValues(schema));
                } else {
                    values.addAll(stringValues(schema, 5000));
                    values.addAll(randomStrings(random));
                }
            }
        }
        return distinct(values);
    }

    private static List<String> dateValues(JsonNode schema) {
        return "date".equals(schema.path("format").asText()) ? DATES : DATE_TIMES;
    }

    private static boolean isDate(JsonNode schema) {
        String format = schema.path("format").asText();
        return format.equals("date") || format.equals("date-time");
    }

    /** Strings by the schema's constraints: empty, too short, too long, control characters, unknown enum values. */
    private List<String> stringValues(JsonNode schema, int veryLong) {
        List<String> values = new ArrayList<>(List.of("", "a\u0001b", "\u0000", "\u007f", "\u001b[2J", "x".repeat(veryLong)));
        if (schema.has("maxLength")) {
            values.add("x".repeat(schema.path("maxLength").asInt() + 1));
        }
        if (schema.path("minLength").asInt(0) > 1) {
            values.add("x".repeat(schema.path("minLength").asInt() - 1));
        }
        if (schema.has("enum")) {
            String first = schema.path("enum").get(0).asText();
            values.addAll(List.of("no-such-value", first.toUpperCase(Locale.ROOT), " " + first, first + "\u0000"));
        }
        switch (schema.path("format").asText()) {
            case "date-time" -> values.addAll(DATE_TIMES);
            case "date" -> values.addAll(DATES);
            case "uri" -> values.addAll(URLS);
            case "uuid" -> values.addAll(List.of("not-a-uuid", "00000000-0000-0000-0000-00000000000g"));
            default -> { }
        }
        return values;
    }

    /** Seeded random text: any code point, controls and astral planes included (no lone surrogates). */
    private static List<String> randomStrings(Random random) {
        List<String> values = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(24);
            while (sb.length() < length) {
                int cp = random.nextInt(4) == 0 ? random.nextInt(0x20) : random.nextInt(0x10FFFF);
                if (cp < 0xd800 || cp > 0xdfff) {
                    sb.appendCodePoint(cp);
                }
            }
            values.add(sb.toString());
        }
        return values;
    }

    /** One past each documented bound, and the bounds themselves. */
    private static List<String> numericBounds(JsonNode schema) {
        List<String> values = new ArrayList<>();
        if (schema.has("minimum")) {
            BigInteger min = schema.path("minimum").bigIntegerValue();
            values.addAll(List.of(min.subtract(BigInteger.ONE).toString(), min.toString()));
        }
        if (schema.has("maximum")) {
            BigInteger max = schema.path("maximum").bigIntegerValue();
            values.addAll(List.of(max.toString(), max.add(BigInteger.ONE).toString()));
        }
        return values;
    }

    /**
     * Path values, sent as given: already percent-encoded, so that malformed escapes can be sent
     * ({@code HostileInputTest.hostilePathParameters} adds SQL, script and traversal fragments).
     */
    private static List<String> pathValues(JsonNode schema) {
        List<String> values = new ArrayList<>(List.of("", "x".repeat(5000), "a%01b", "%7F", "%zz", "%C0%AF"));
        if (schema.has("maxLength")) {
            values.add("x".repeat(schema.path("maxLength").asInt() + 1));
        }
        return distinct(values);
    }

    /** Header values (sent over a raw socket, byte for byte in UTF-8). */
    private static List<String> headerValues(JsonNode schema) {
        List<String> values = new ArrayList<>(List.of("", " ", "a\tb", "a\u0001b", "\u007f", "\u00e9t\u00e9",
                "x".repeat(20_000)));
        if (schema.has("maxLength")) {
            values.add("x".repeat(schema.path("maxLength").asInt()));
            values.add("x".repeat(schema.path("maxLength").asInt() + 1));
        }
        return distinct(values);
    }

    // --- bodies ---------------------------------------------------------------------------------

    /** Cases for every property under {@code schema}, nested objects and first array items included. */
    private void bodyCases(JsonNode given, String prefix, int depth, Random random, List<Case> cases) {
        JsonNode schema = objectVariant(given);
        if (depth > 3) {
            return;
        }
        if (schema.has("properties")) {
            schema.path("properties").properties().forEach(e -> {
                String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                JsonNode property = resolve(e.getValue());
                jsonValues(property, random).forEach(v -> cases.add(new Case(Where.BODY, path, v, List.of())));
                bodyCases(property, path, depth + 1, random, cases);
            });
        } else if ("array".equals(type(schema)) && schema.has("items")) {
            String path = prefix + ".0";
            JsonNode item = objectVariant(resolve(schema.path("items")));
            jsonValues(item, random).forEach(v -> cases.add(new Case(Where.BODY, path, v, List.of())));
            bodyCases(item, path, depth + 1, random, cases);
        }
    }

    /** Values for a body property, as JSON literals. */
    private List<String> jsonValues(JsonNode schema, Random random) {
        List<String> values = new ArrayList<>();
        switch (type(schema)) {
            case "integer", "number" -> {
                values.addAll(numericBounds(schema));
                values.addAll(NUMBERS);
                values.addAll(List.of("1E+2", "1.0", "\"12\"", "true", "null"));
            }
            case "boolean" -> values.addAll(List.of("\"true\"", "1", "0", "null"));
            case "array" -> values.addAll(List.of("[]", "[null]", "\"x\"", "null"));
            case "object" -> values.addAll(List.of("[]", "\"x\"", "null"));
            default -> {
                for (String s : stringValues(schema, 10_000)) {
                    values.add(literal(s));
                }
                randomStrings(random).forEach(s -> values.add(literal(s)));
                values.addAll(List.of("12", "null"));
            }
        }
        return distinct(values);
    }

    /**
     * A body the operation may accept, built from its schema (required properties, from examples and
     * defaults where given): for a documented route no test knows a valid body of yet.
     */
    JsonNode exampleBody(Operation op) {
        return op.bodySchema().map(s -> example(s, 0)).orElseGet(ESCAPING::createObjectNode);
    }

    private JsonNode example(JsonNode given, int depth) {
        JsonNode schema = objectVariant(resolve(given));
        if (schema.has("examples")) {
            return schema.path("examples").get(0);
        }
        if (schema.has("default")) {
            return schema.path("default");
        }
        if (schema.has("enum")) {
            return schema.path("enum").get(0);
        }
        ObjectMapper m = ESCAPING;
        return switch (type(schema)) {
            case "object" -> {
                ObjectNode o = m.createObjectNode();
                if (depth < 4) {
                    schema.path("required").forEach(r -> o.set(r.asText(),
                            example(schema.path("properties").path(r.asText()), depth + 1)));
                }
                yield o;
            }
            case "array" -> m.createArrayNode().add(example(schema.path("items"), depth + 1));
            case "integer", "number" -> m.getNodeFactory().numberNode(schema.path("minimum").asInt(1));
            case "boolean" -> m.getNodeFactory().booleanNode(true);
            default -> m.getNodeFactory().textNode("x");
        };
    }

    /**
     * The body with the property at {@code path} set to {@code literal} (missing parents are made),
     * as text with non-ASCII escaped so that every character reaches the server as generated.
     */
    static String replaced(JsonNode body, String path, String literal) {
        String marker = "\"__BOUNDARY__\"";
        JsonNode copy = body.deepCopy();
        String[] parts = path.split("\\.");
        JsonNode parent = copy;
        for (int i = 0; i < parts.length - 1; i++) {
            boolean nextIsIndex = parts[i + 1].chars().allMatch(Character::isDigit);
            JsonNode child = parent.isArray() ? parent.path(Integer.parseInt(parts[i])) : parent.path(parts[i]);
            if (!(child.isObject() || child.isArray()) || child.isArray() != nextIsIndex) {
                child = nextIsIndex ? ESCAPING.createArrayNode() : ESCAPING.createObjectNode();
                set(parent, parts[i], child);
            }
            parent = child;
        }
        set(parent, parts[parts.length - 1], ESCAPING.getNodeFactory().textNode("__BOUNDARY__"));
        try {
            return ESCAPING.writeValueAsString(copy).replace(marker, literal);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static void set(JsonNode parent, String key, JsonNode value) {
        if (parent instanceof ArrayNode array) {
            int i = Integer.parseInt(key);
            while (array.size() <= i) {
                array.addNull();
            }
            array.set(i, value);
        } else {
            ((ObjectNode) parent).set(key, value);
        }
    }

    /** The query or header value percent-encoded for a URL. */
    static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // --- schema helpers -------------------------------------------------------------------------

    private JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        for (int i = 0; i < 10 && n.has("$ref"); i++) {
            String ref = n.path("$ref").asText();
            if (!ref.startsWith("#/")) {
                break;
            }
            JsonNode target = doc;
            for (String part : ref.substring(2).split("/")) {
                target = target.path(part);
            }
            n = target;
        }
        return n;
    }

    /** For {@code oneOf}/{@code anyOf} (an object or null, say) the first alternative that is not null. */
    private JsonNode objectVariant(JsonNode schema) {
        schema = resolve(schema);
        for (String combinator : List.of("oneOf", "anyOf")) {
            for (JsonNode alt : schema.path(combinator)) {
                JsonNode r = resolve(alt);
                if (!"null".equals(type(r))) {
                    return r;
                }
            }
        }
        return schema;
    }

    /** The schema's type, the first that is not null when it lists several; enums without one are strings. */
    private static String type(JsonNode schema) {
        JsonNode t = schema.path("type");
        if (t.isArray()) {
            for (JsonNode each : t) {
                if (!each.asText().equals("null")) {
                    return each.asText();
                }
            }
            return "null";
        }
        if (t.isTextual()) {
            return t.asText();
        }
        return schema.has("properties") ? "object" : "string";
    }

    private static String literal(String s) {
        try {
            return ESCAPING.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> distinct(List<String> values) {
        return List.copyOf(new LinkedHashSet<>(values));
    }
}
