package io.chatwire.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.event.EventSchemas;
import io.chatwire.event.EventType;
import io.javalin.config.RoutesConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The event catalog: each event type with its JSON Schema and example. It is public, like
 * /openapi.json, which holds the same schemas: it documents what Chatwire sends, not anything of an
 * account's, and a page can show it before (or without) an API key, as the embedded portal does.
 */
final class EventTypeRoutes {
    /** One type of the catalog. */
    record EventTypeView(String name, String description, JsonNode schema, JsonNode example) {
    }

    private final Views.Page<EventTypeView> catalog;

    EventTypeRoutes(EventSchemas schemas) {
        List<EventTypeView> types = Arrays.stream(EventType.values())
                .map(t -> new EventTypeView(t.wireName(), schemas.description(t), schemas.schema(t), schemas.example(t)))
                .toList();
        this.catalog = new Views.Page<>(types, Optional.empty());
    }

    void register(RoutesConfig r) {
        r.get("/v1/event-types", ctx -> ctx.json(catalog));
    }
}
