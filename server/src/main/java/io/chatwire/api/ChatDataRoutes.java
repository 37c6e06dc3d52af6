package io.chatwire.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.chatwire.account.Account;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.endpoint.EndpointUrl;
import io.chatwire.event.EventType;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * The Chat Data compatible routes, for integrations that already speak that API (for example an
 * automation tool's Chat Data node): same paths, same request and answer shapes. Failures answer
 * {@code {"status": "error", "message"}} (see {@link Api#error}).
 */
final class ChatDataRoutes {
    static final String PREFIX = "/api/v2/";

    private final Api.Services s;
    private final Auth auth;
    private final SettingsRoutes settings;
    private final long maxBody;

    ChatDataRoutes(Api.Services services, Auth auth, SettingsRoutes settings, long maxBody) {
        this.s = services;
        this.auth = auth;
        this.settings = settings;
        this.maxBody = maxBody;
    }

    record ChatbotEntry(String chatbotId, String chatbotName) {
    }

    record ChatbotList(List<ChatbotEntry> chatbots) {
    }

    /** The answer of add-webhook; {@code alreadyRegistered} says that the call changed nothing. */
    record Added(String status, String message, boolean alreadyRegistered, String webhookId, String chatbotId,
            String url, List<String> events) {
    }

    record Deleted(String status, String message, String webhookId, String chatbotId, String url,
            List<String> events) {
    }

    /**
     * The account's plan as the Chat Data clients ask for it (n8n tests a saved key with this route).
     *
     * @param accountStatus active, or suspended (events are kept but not delivered until reinstated)
     */
    record CurrentPlan(String status, String plan, String accountStatus, WebhookAllowance webhooks) {
    }

    /**
     * What the plan allows. Only the default endpoint limit is given: the operator may raise it for a
     * chatbot, and that chatbot's own limit is its {@code endpoint_limit} in {@code GET /v1/chatbots/{id}}.
     *
     * @param enabled the plan includes webhooks: endpoints can be registered
     * @param delivering deliveries go out now (false on the free plan and while the account is suspended)
     * @param defaultEndpointsPerChatbot endpoints a chatbot may have unless the operator set its own limit
     *     (0 on the free plan, where no chatbot may have any)
     */
    record WebhookAllowance(boolean enabled, boolean delivering, int defaultEndpointsPerChatbot) {
    }

    /** Chat Data's API is camelCase, unlike Chatwire's own. */
    private static final ObjectMapper CAMEL_CASE = JsonMapper.builder().build();

    private static void answer(Context ctx, Object value) {
        try {
            ctx.contentType("application/json").result(CAMEL_CASE.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("records always serialise", e);
        }
    }

    void register(RoutesConfig r) {
        r.get(PREFIX + "current-plan", this::currentPlan);
        r.get(PREFIX + "get-chatbots", this::getChatbots);
        r.post(PREFIX + "add-webhook", this::addWebhook);
        r.post(PREFIX + "delete-webhook", this::deleteWebhook);
    }

    /**
     * A suspended account's key is still valid (its settings routes all work), so this answers 200 and
     * says that the account is suspended, rather than refuse and make a client think the key is wrong.
     */
    private void currentPlan(Context ctx) {
        Account account = auth.requireAccount(ctx);
        boolean webhooks = account.plan().hasWebhooks();
        boolean delivering = webhooks && account.status() == Account.Status.ACTIVE;
        answer(ctx, new CurrentPlan("success", account.plan().wireName(), account.status().wireName(),
                new WebhookAllowance(webhooks, delivering, webhooks ? Chatbot.DEFAULT_ENDPOINT_LIMIT : 0)));
    }

    private void getChatbots(Context ctx) {
        Account account = auth.requireAccount(ctx);
        List<ChatbotEntry> chatbots = s.chatbots().list(account.id()).stream()
                .map(b -> new ChatbotEntry(b.id(), b.name())).toList();
        answer(ctx, new ChatbotList(chatbots));
    }

    /** Registers the URL for the event; the same URL for another event type extends that endpoint. */
    private void addWebhook(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("url", "event", "chatbotId"));
        String chatbotId = body.requiredString("chatbotId");
        EventType type = EventType.fromWire("event", body.requiredString("event"));
        var url = settings.checkedUrl(body.requiredString("url"));
        EndpointStore.Subscribed result = s.endpoints().subscribe(account.id(), chatbotId, url, type);
        var e = result.endpoint();
        // Repeating a registration is a success (clients re-register when a workflow is re-activated),
        // but the answer says that nothing was added.
        String message = switch (result.change()) {
            case CREATED -> "Webhook added";
            case EXTENDED -> "Event added to the existing webhook";
            case ALREADY_SUBSCRIBED -> "Webhook already registered for this event; nothing was changed"
                    + (e.enabled() ? "" : " (it is disabled: enable it with PATCH /v1/endpoints/" + e.id() + ")");
        };
        ctx.status(result.change() == EndpointStore.Subscribed.Change.CREATED ? 201 : 200);
        answer(ctx, new Added("success", message, result.change() == EndpointStore.Subscribed.Change.ALREADY_SUBSCRIBED,
                e.id(), e.chatbotId(), e.url().toString(), wireNames(e)));
    }

    private void deleteWebhook(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("url", "chatbotId"));
        String chatbotId = body.requiredString("chatbotId");
        // Only form is checked: a URL the network guard refuses today can still be unsubscribed.
        var url = EndpointUrl.parse(body.requiredString("url"));
        var e = s.endpoints().unsubscribe(account.id(), chatbotId, url);
        answer(ctx, new Deleted("success", "Webhook deleted", e.id(), e.chatbotId(), e.url().toString(),
                wireNames(e)));
    }

    private static List<String> wireNames(Endpoint e) {
        return e.eventTypes().stream().sorted().map(EventType::wireName).toList();
    }
}
