package io.chatwire.portal;

import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.EventStore;
import io.chatwire.problem.Problem;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds a portal session for one chatbot to that chatbot on every route, whatever the route: each
 * id in the path or the query must be the chatbot's or one of its endpoints or events, and listings
 * must name the chatbot. What it cannot tell about (an id it does not know) is refused, so a route
 * added later is closed to such a session until it is thought about.
 */
final class ChatbotScope {
    /** Reads of the account that show nothing of its other chatbots. */
    private static final Set<String> ACCOUNT_READS = Set.of("/v1/account", "/v1/chatbots",
            "/v1/account/signing-secret", "/v1/event-types");
    /** Changes to the account as a whole, or to the chatbot's existence: the platform's to make. */
    private static final Set<String> ACCOUNT_WRITES = Set.of("POST /v1/chatbots", "DELETE /v1/chatbots/{chatbotId}",
            "POST /v1/account/signing-secret/rotate");
    /** Runs an expression over an example, or over a stored event named in the body: the chatbot's only. */
    private static final String PREVIEW = "POST /v1/transforms/preview";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final EndpointStore endpoints;
    private final EventStore events;

    ChatbotScope(EndpointStore endpoints, EventStore events) {
        this.endpoints = endpoints;
        this.events = events;
    }

    void check(Context ctx, String accountId, String chatbotId) {
        String route = ctx.method().name() + " " + ctx.endpoint().path;
        if (ACCOUNT_WRITES.contains(route)) {
            throw outside("this portal session is for chatbot " + chatbotId + " only; it cannot change the account");
        }
        if (route.equals(PREVIEW)) {
            previewedEvent(ctx).ifPresent(id -> requireOfChatbot("event_id", id, accountId, chatbotId));
            return;
        }
        Map<String, String> path = ctx.pathParamMap();
        path.forEach((name, id) -> requireOfChatbot(name, id, accountId, chatbotId));
        for (var query : List.of("chatbot_id", "endpoint_id", "event_id")) {
            for (String id : ctx.queryParams(query)) {
                requireOfChatbot(query, id, accountId, chatbotId);
            }
        }
        boolean isListing = path.isEmpty() && !ACCOUNT_READS.contains(ctx.path());
        if (isListing && ctx.queryParams("chatbot_id").isEmpty()) {
            throw outside("this portal session is for chatbot " + chatbotId + " only: add chatbot_id=" + chatbotId);
        }
    }

    private void requireOfChatbot(String name, String id, String accountId, String chatbotId) {
        String owner = switch (name) {
            case "chatbotId", "chatbot_id" -> id;
            // Another chatbot's endpoint or event is answered as unknown, as another account's is.
            case "endpointId", "endpoint_id" -> endpoints.get(accountId, id).chatbotId();
            case "eventId", "event_id" -> events.get(accountId, id).chatbotId();
            default -> throw outside("this route is not open to a portal session for one chatbot");
        };
        if (!owner.equals(chatbotId)) {
            throw switch (name) {
                case "endpointId", "endpoint_id" -> new Problem.NotFound("endpoint", id);
                case "eventId", "event_id" -> new Problem.NotFound("event", id);
                default -> outside("this portal session is for chatbot " + chatbotId + " only");
            };
        }
    }

    /** A preview's body is small (two expressions and an example event): more is the route's to refuse. */
    private static final int MAX_PREVIEW_READ = 1 << 20;

    /**
     * The stored event a preview names. The body is read here, at most {@link #MAX_PREVIEW_READ} bytes
     * plus one, and left for the route to read again; a body that is not JSON is the route's to refuse.
     */
    private static java.util.Optional<String> previewedEvent(Context ctx) {
        byte[] body;
        try (java.io.InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(MAX_PREVIEW_READ + 1);
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        }
        ctx.attribute(io.chatwire.api.Api.BODY_READ_AHEAD, body);
        try {
            com.fasterxml.jackson.databind.JsonNode id = JSON.readTree(body).path("event_id");
            return id.isTextual() ? java.util.Optional.of(id.asText()) : java.util.Optional.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static Problem outside(String message) {
        return new Problem.Forbidden("outside_portal_scope", message);
    }
}
