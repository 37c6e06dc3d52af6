package io.chatwire.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.chatwire.problem.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schema files are what ingest accepts. The oracle is the published schemas read straight from
 * the files and compiled here on their own, joined as {@code oneOf} (the way openapi.json's
 * ChatDataEvent joins them) instead of the parser's "event picks the schema": for seeded variants of
 * every example (fields dropped, nulled, retyped, emptied, lengthened, unknown ones added) the parser
 * accepts exactly what the schemas accept, in the default and the strict mode, and a refusal names
 * the field it is about.
 */
class EventSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper ESCAPING = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final int VARIANTS = 600;
    private static final Schema LENIENT = oneOfTheFiles(false);
    private static final Schema STRICT = oneOfTheFiles(true);

    private final EventParser parser = new EventParser();
    private final EventParser strictParser = new EventParser(EventParser.UnknownFields.REFUSE);

    @ParameterizedTest
    @EnumSource(EventType.class)
    void eachExampleValidatesAgainstItsSchemaAndIsAcceptedByIngestInBothModes(EventType type) {
        ObjectNode example = EventSchemas.bundled().example(type);
        byte[] body = example.toString().getBytes(StandardCharsets.UTF_8);

        assertThat(STRICT.validate(example)).isEmpty();
        assertThat(parser.parse(body).type()).isEqualTo(type);
        assertThat(strictParser.parse(body).unknownFields()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void eachSchemaIsDraft2020WithADescriptionAnExampleAndItsOwnEventName(EventType type) {
        JsonNode schema = file(type);

        assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.path("description").asText()).contains("CHATWIRE_STRICT_EVENTS");
        assertThat(schema.path("examples")).hasSize(1);
        assertThat(schema.at("/properties/event/const").asText()).isEqualTo(type.wireName());
        assertThat(schema.path("required")).extracting(JsonNode::asText).contains("event", "chatbot_id");
        assertThat(schema.path("additionalProperties").asBoolean()).isTrue();
    }

    @Test
    void everyTypeKnowsTheSameTopLevelFields() {
        List<List<String>> fields = Stream.of(EventType.values()).map(t -> {
            List<String> names = new ArrayList<>();
            file(t).path("properties").fieldNames().forEachRemaining(names::add);
            return names;
        }).toList();

        assertThat(fields).allSatisfy(f -> assertThat(f).isEqualTo(fields.getFirst()));
        assertThat(fields.getFirst()).contains("event", "chatbot_id", "messages", "answer", "lead", "source",
                "cost_credits", "conversation_id", "client_ip", "created_at");
    }

    @Test
    void theStrictModeIsTheSchemaWithoutAdditionalProperties() {
        ObjectNode event = EventSchemas.bundled().example(EventType.LIVE_CHAT_ESCALATION).put("sentiment", "calm");
        byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);

        assertThat(LENIENT.validate(event)).isEmpty();
        assertThat(STRICT.validate(event)).isNotEmpty();
        assertThat(parser.parse(body).unknownFields()).containsExactly("sentiment");
        assertThatThrownBy(() -> strictParser.parse(body)).hasMessage("unknown field 'sentiment'");
    }

    static Stream<Arguments> variants() {
        Random master = new Random(0x5C4E_3A11L);
        return IntStream.range(0, VARIANTS).mapToObj(i -> Arguments.of(i, master.nextLong()));
    }

    @ParameterizedTest(name = "variant {0} (seed {1})")
    @MethodSource("variants")
    void ingestAcceptsExactlyWhatTheSchemasAccept(int n, long seed) throws IOException {
        Random random = new Random(seed);
        EventType type = EventType.values()[random.nextInt(EventType.values().length)];
        ObjectNode event = EventSchemas.bundled().example(type);
        String field = mutate(random, event);
        // Escaped, so that a lone surrogate reaches the parser as sent rather than as a '?'.
        byte[] body = ESCAPING.writeValueAsBytes(event);

        for (boolean strict : new boolean[] {false, true}) {
            boolean valid = (strict ? STRICT : LENIENT).validate(event).isEmpty();
            EventParser ingest = strict ? strictParser : parser;
            String what = (strict ? "strict" : "default") + " mode, " + field + ": " + event;
            if (valid) {
                assertThat(ingest.parse(body).type()).as(what).isEqualTo(type);
            } else {
                assertThatThrownBy(() -> ingest.parse(body), "%s", what)
                        .isInstanceOf(Problem.Invalid.class)
                        .hasMessageContaining(leaf(field));
            }
        }
    }

    // --- variants -------------------------------------------------------------------------------

    private static final List<JsonNode> VALUES = List.of(JSON.nullNode(), JSON.getNodeFactory().numberNode(7),
            JSON.getNodeFactory().numberNode(new java.math.BigDecimal("1e400")), JSON.getNodeFactory().textNode("x"),
            JSON.getNodeFactory().textNode(""), JSON.getNodeFactory().textNode("   "),
            JSON.getNodeFactory().textNode("a\u0001b"), JSON.getNodeFactory().textNode("\ud800"),
            JSON.getNodeFactory().textNode("é".repeat(300)), JSON.getNodeFactory().booleanNode(true),
            JSON.createArrayNode(), JSON.createObjectNode(), JSON.createObjectNode().put("role", "user"),
            JSON.createObjectNode().put("role", "user").put("content", "hi"),
            JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", "hi")),
            JSON.createArrayNode().add(1));

    /** Changes one thing, at the top level or one level down, and says which field it touched. */
    private static String mutate(Random random, ObjectNode event) {
        List<String> names = new ArrayList<>();
        event.fieldNames().forEachRemaining(names::add);
        names.addAll(List.of("messages", "answer", "lead", "client_ip", "cost_credits", "created_at"));
        String name = names.get(random.nextInt(names.size()));
        ObjectNode parent = event;
        String field = name;
        JsonNode child = event.get(name);
        if (child != null && random.nextBoolean()) {
            if (child instanceof ObjectNode object && !object.isEmpty()) {
                List<String> inner = new ArrayList<>();
                object.fieldNames().forEachRemaining(inner::add);
                inner.addAll(List.of("role", "content", "score", "uuid", "answers"));
                parent = object;
                field = name + "." + inner.get(random.nextInt(inner.size()));
            } else if (child instanceof ArrayNode array && !array.isEmpty() && array.get(0) instanceof ObjectNode first) {
                parent = first;
                field = name + "[0]." + (random.nextBoolean() ? "role" : "content");
            }
        }
        String key = field.substring(field.lastIndexOf('.') + 1);
        switch (random.nextInt(4)) {
            case 0 -> parent.remove(key);
            case 1 -> {
                key = "x_" + Integer.toHexString(random.nextInt(0x10000));
                field = (parent == event ? "" : field.substring(0, field.lastIndexOf('.') + 1)) + key;
                parent.put(key, 1);
            }
            case 2 -> {
                ArrayNode big = JSON.createArrayNode();
                IntStream.range(0, 1001).forEach(big::add);
                parent.set(key, big);
            }
            default -> parent.set(key, VALUES.get(random.nextInt(VALUES.size())).deepCopy());
        }
        return field;
    }

    /** The name a refusal's message must contain: the last field name of the path. */
    private static String leaf(String field) {
        String last = field.substring(field.lastIndexOf('.') + 1);
        return last.replaceAll("\\[\\d+]$", "");
    }

    // --- the oracle -----------------------------------------------------------------------------

    private static Schema oneOfTheFiles(boolean strict) {
        ObjectNode oneOf = JSON.createObjectNode().put("$schema", "https://json-schema.org/draft/2020-12/schema");
        ArrayNode alternatives = oneOf.putArray("oneOf");
        for (EventType type : EventType.values()) {
            ObjectNode schema = file(type);
            schema.remove("$schema");
            if (strict) {
                schema.put("additionalProperties", false);
            }
            alternatives.add(schema);
        }
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(oneOf);
    }

    private static ObjectNode file(EventType type) {
        try (InputStream in = EventSchemasTest.class.getClassLoader().getResourceAsStream(EventSchemas.resource(type))) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
