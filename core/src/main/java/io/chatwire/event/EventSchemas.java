package io.chatwire.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schemas (draft 2020-12) of the event types, one resource file per type
 * ({@code io/chatwire/event/schemas/<name>.schema.json}). They are the one description of an event:
 * ingest validates against them, the catalog ({@code GET /v1/event-types}) and openapi.json show
 * them, and "send test event" sends their examples.
 *
 * <p>Each schema allows top-level fields it does not list ({@code additionalProperties: true}); the
 * strict variant ({@code CHATWIRE_STRICT_EVENTS}) is the same schema with {@code additionalProperties:
 * false}. Every field is listed directly under the schema's {@code properties} (no composition), so
 * that swap is all it takes.
 */
public final class EventSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventSchemas BUNDLED = new EventSchemas();

    private record Compiled(ObjectNode document, Set<String> fields, Schema lenient, Schema strict) {
    }

    private final Map<EventType, Compiled> byType = new EnumMap<>(EventType.class);

    private EventSchemas() {
        // Stop at the first complaint (only that one is reported): a 1 MiB body of a thousand thousand
        // wrong items would otherwise cost seconds of work collecting them all.
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().failFast(true).build()));
        for (EventType type : EventType.values()) {
            ObjectNode document = read(type);
            ObjectNode strict = document.deepCopy();
            strict.put("additionalProperties", false);
            Set<String> fields = new LinkedHashSet<>();
            document.path("properties").fieldNames().forEachRemaining(fields::add);
            SchemaLocation location = SchemaLocation.of("classpath:" + resource(type));
            byType.put(type, new Compiled(document, Set.copyOf(fields), compile(registry, location, document),
                    compile(registry,
                    SchemaLocation.of("classpath:" + resource(type).replace(".schema.", ".strict.schema.")), strict)));
        }
    }

    /** The schemas shipped in this jar (loaded and compiled once). */
    public static EventSchemas bundled() {
        return BUNDLED;
    }

    /** The type's schema as published: a copy the caller may change. */
    public ObjectNode schema(EventType type) {
        return byType.get(type).document().deepCopy();
    }

    /** What the type is, from the schema's own description. */
    public String description(EventType type) {
        return byType.get(type).document().path("description").asText();
    }

    /** The schema's first example, an event of the type as the platform sends it: a copy. */
    public ObjectNode example(EventType type) {
        return (ObjectNode) byType.get(type).document().path("examples").get(0).deepCopy();
    }

    /** The schema file, as a classpath resource name. */
    public static String resource(EventType type) {
        return "io/chatwire/event/schemas/" + type.wireName() + ".schema.json";
    }

    Schema validator(EventType type, EventParser.UnknownFields unknownFields) {
        Compiled c = byType.get(type);
        return unknownFields == EventParser.UnknownFields.REFUSE ? c.strict() : c.lenient();
    }

    /** The top-level fields the type's schema lists. */
    Set<String> fields(EventType type) {
        return byType.get(type).fields();
    }

    /** The description of the field whose rule an error names (the schema's words for what it must be). */
    String rule(EventType type, com.networknt.schema.Error e) {
        String location = e.getSchemaLocation().toString();
        String pointer = location.substring(location.indexOf('#') + 1);
        JsonNode field = byType.get(type).document().at(pointer.substring(0, pointer.lastIndexOf('/')));
        return field.path("description").asText(e.getMessage());
    }

    private static Schema compile(SchemaRegistry registry, SchemaLocation location, JsonNode document) {
        Schema schema = registry.getSchema(location, document);
        // Compiled now, so that a broken schema fails at startup rather than on the first event.
        schema.initializeValidators();
        return schema;
    }

    private static ObjectNode read(EventType type) {
        try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(resource(type))) {
            if (in == null) {
                throw new IllegalStateException("missing event schema " + resource(type));
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
