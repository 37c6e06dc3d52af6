package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.account.Plan;
import io.chatwire.destination.Destination;
import io.chatwire.endpoint.ChatbotStore;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.endpoint.EndpointUrl;
import io.chatwire.event.EventType;
import io.chatwire.ordering.Ordering;
import io.chatwire.problem.Problem;
import io.chatwire.signing.SecretSet;
import io.chatwire.transform.Program;
import io.chatwire.transform.Role;
import io.chatwire.transform.Shaper;
import io.chatwire.transform.Shaping;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Settings: accounts, API keys and endpoint limits (operator); an account's chatbots, endpoints and
 * signing secrets.
 */
final class SettingsRoutes {
    private static final int MAX_NAME = 200;
    private static final Set<String> ENDPOINT_FIELDS = union(Set.of("url", "content_type", "events", "description",
            "enabled", "kind", "filter", "transform", "ordering"), PolicyFields.NAMES);

    private final Api.Services s;
    private final Auth auth;
    private final long maxBody;

    SettingsRoutes(Api.Services services, Auth auth, long maxBody) {
        this.s = services;
        this.auth = auth;
        this.maxBody = maxBody;
    }

    void register(RoutesConfig r) {
        r.post("/v1/accounts", this::createAccount);
        r.get("/v1/accounts", this::listAccounts);
        r.get("/v1/accounts/{accountId}", this::getAccount);
        r.patch("/v1/accounts/{accountId}", this::updateAccount);
        r.post("/v1/accounts/{accountId}/suspend", ctx -> setStatus(ctx, Account.Status.SUSPENDED));
        r.post("/v1/accounts/{accountId}/reinstate", ctx -> setStatus(ctx, Account.Status.ACTIVE));
        r.post("/v1/accounts/{accountId}/api-keys", this::createApiKey);
        r.get("/v1/accounts/{accountId}/api-keys", this::listApiKeys);
        r.delete("/v1/accounts/{accountId}/api-keys/{keyId}", this::revokeApiKey);
        r.put("/v1/chatbots/{chatbotId}/endpoint-limit", this::setEndpointLimit);
        r.post("/v1/accounts/{accountId}/chatbots", this::createChatbotForAccount);

        r.get("/v1/account", this::me);
        r.get("/v1/account/signing-secret", this::signingSecret);
        r.post("/v1/account/signing-secret/rotate", this::rotateSigningSecret);
        r.post("/v1/chatbots", this::createChatbot);
        r.get("/v1/chatbots", this::listChatbots);
        r.get("/v1/chatbots/{chatbotId}", this::getChatbot);
        r.patch("/v1/chatbots/{chatbotId}", this::renameChatbot);
        r.delete("/v1/chatbots/{chatbotId}", this::deleteChatbot);
        r.post("/v1/chatbots/{chatbotId}/endpoints", this::createEndpoint);
        r.get("/v1/chatbots/{chatbotId}/endpoints", this::listEndpoints);
        r.get("/v1/endpoints/{endpointId}", this::getEndpoint);
        r.patch("/v1/endpoints/{endpointId}", this::updateEndpoint);
        r.delete("/v1/endpoints/{endpointId}", this::deleteEndpoint);
        r.get("/v1/endpoints/{endpointId}/secret", this::endpointSecret);
        r.post("/v1/endpoints/{endpointId}/secret/rotate", this::rotateEndpointSecret);
        r.delete("/v1/endpoints/{endpointId}/secret", this::clearEndpointSecret);
    }

    // --- operator -------------------------------------------------------------------------------

    private void createAccount(Context ctx) {
        auth.requireOperator(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name", "plan"));
        String name = name(body.requiredString("name"));
        Plan plan = Plan.fromWire(body.requiredString("plan"));
        ctx.status(201).json(Views.NewAccountView.of(s.accounts().create(name, plan)));
    }

    private void listAccounts(Context ctx) {
        auth.requireOperator(ctx);
        ctx.json(new Views.Page<>(s.accounts().list().stream().map(Views.AccountView::of).toList(), Optional.empty()));
    }

    private void getAccount(Context ctx) {
        auth.requireOperator(ctx);
        ctx.json(Views.AccountView.of(s.accounts().get(ctx.pathParam("accountId"))));
    }

    private void updateAccount(Context ctx) {
        auth.requireOperator(ctx);
        String id = ctx.pathParam("accountId");
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name", "plan"));
        Optional<String> name = body.optionalString("name").map(SettingsRoutes::name);
        Optional<Plan> plan = body.optionalString("plan").map(Plan::fromWire);
        s.accounts().get(id);
        name.ifPresent(n -> s.accounts().rename(id, n));
        plan.ifPresent(p -> s.accounts().changePlan(id, p));
        ctx.json(Views.AccountView.of(s.accounts().get(id)));
    }

    private void setStatus(Context ctx, Account.Status status) {
        auth.requireOperator(ctx);
        ctx.json(Views.AccountView.of(s.accounts().setStatus(ctx.pathParam("accountId"), status)));
        if (status == Account.Status.ACTIVE) {
            s.scheduler().wake(s.clock().instant());
        }
    }

    private void createApiKey(Context ctx) {
        auth.requireOperator(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.status(201).json(Views.ApiKeyView.of(s.accounts().createApiKey(ctx.pathParam("accountId"))));
    }

    private void listApiKeys(Context ctx) {
        auth.requireOperator(ctx);
        ctx.json(new Views.Page<>(s.accounts().apiKeys(ctx.pathParam("accountId")).stream()
                .map(Views.ApiKeyView::of).toList(), Optional.empty()));
    }

    private void revokeApiKey(Context ctx) {
        auth.requireOperator(ctx);
        s.accounts().revokeApiKey(ctx.pathParam("accountId"), ctx.pathParam("keyId"));
        ctx.status(204);
    }

    private void setEndpointLimit(Context ctx) {
        auth.requireOperator(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("endpoint_limit"));
        if (!body.has("endpoint_limit")) {
            throw new Problem.Invalid("missing_field", "endpoint_limit is required (a number, or null for the default)");
        }
        ctx.json(Views.ChatbotView.of(s.chatbots().setEndpointLimit(ctx.pathParam("chatbotId"),
                body.optionalInt("endpoint_limit", 0, ChatbotStore.MAX_ENDPOINT_LIMIT))));
    }

    // --- account --------------------------------------------------------------------------------

    private void me(Context ctx) {
        ctx.json(Views.AccountView.of(auth.requireAccount(ctx)));
    }

    private void signingSecret(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.json(Views.SigningSecretView.of(account.secrets(), s.clock().instant()));
    }

    private void rotateSigningSecret(Context ctx) {
        Account account = auth.requireAccount(ctx);
        SecretSet rotated = s.accounts().rotateSecret(account.id(), s.secretGracePeriod());
        ctx.header("Cache-Control", "no-store");
        ctx.json(Views.SigningSecretView.of(rotated, s.clock().instant()));
    }

    /**
     * An account creates chatbots with ids Chatwire makes. Only the operator may give a chatbot the id
     * the platform already uses ({@link #createChatbotForAccount}): events are routed by chatbot id
     * alone, so an account that could pick ids could claim another customer's chatbot and receive its
     * chats.
     */
    private void createChatbot(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name", "id"));
        String name = name(body.requiredString("name"));
        if (body.optionalString("id").isPresent()) {
            throw new Problem.Forbidden("chatbot_id_reserved", "only the operator chooses chatbot ids "
                    + "(POST /v1/accounts/{accountId}/chatbots); leave id out and Chatwire makes one");
        }
        ctx.status(201).json(Views.ChatbotView.of(s.chatbots().create(account.id(), Optional.empty(), name)));
    }

    /** The platform registers one of its chatbots, under the id its events carry, for an account. */
    private void createChatbotForAccount(Context ctx) {
        auth.requireOperator(ctx);
        String accountId = s.accounts().get(ctx.pathParam("accountId")).id();
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name", "id"));
        String name = name(body.requiredString("name"));
        ctx.status(201).json(Views.ChatbotView.of(s.chatbots().create(accountId, body.optionalString("id"), name)));
    }

    private void listChatbots(Context ctx) {
        Account account = auth.requireAccount(ctx);
        Optional<String> scope = auth.chatbotScope(ctx);
        ctx.json(new Views.Page<>(s.chatbots().list(account.id()).stream()
                .filter(b -> scope.map(b.id()::equals).orElse(true)).map(Views.ChatbotView::of).toList(),
                Optional.empty()));
    }

    private void getChatbot(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.json(Views.ChatbotView.of(s.chatbots().get(account.id(), ctx.pathParam("chatbotId"))));
    }

    private void renameChatbot(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name"));
        ctx.json(Views.ChatbotView.of(s.chatbots().rename(account.id(), ctx.pathParam("chatbotId"),
                name(body.requiredString("name")))));
    }

    private void deleteChatbot(Context ctx) {
        Account account = auth.requireAccount(ctx);
        s.chatbots().delete(account.id(), ctx.pathParam("chatbotId"));
        ctx.status(204);
    }

    private void createEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), ENDPOINT_FIELDS);
        Destination kind = body.optionalString("kind").map(SettingsRoutes::kind).orElse(Destination.FOR_NEW_ENDPOINTS);
        URI url = checkedUrl(body.requiredString("url"));
        kind.checkUrl(url, s.guard()::operatorAllows);
        var spec = new EndpointStore.Spec(
                url,
                body.optionalString("content_type").map(SettingsRoutes::contentType)
                        .orElse(DeliveryContentType.FOR_NEW_ENDPOINTS),
                body.optionalStringList("events").map(SettingsRoutes::eventTypes).orElse(EnumSet.allOf(EventType.class)),
                body.optionalString("description").orElse(""),
                body.optionalBoolean("enabled").orElse(true),
                PolicyFields.read(body, s.policyBounds()),
                kind,
                new Shaping(checkedExpression(body, Role.FILTER).flatMap(e -> e),
                        checkedExpression(body, Role.TRANSFORM).flatMap(e -> e), 0),
                body.optionalString("ordering").map(o -> Ordering.fromWire("ordering", o)).orElse(Ordering.NONE));
        Endpoint created = s.endpoints().create(account.id(), ctx.pathParam("chatbotId"), spec);
        ctx.status(201).json(Views.EndpointView.of(created));
    }

    private void listEndpoints(Context ctx) {
        Account account = auth.requireAccount(ctx);
        List<Views.EndpointView> endpoints = s.endpoints().listOfChatbot(account.id(), ctx.pathParam("chatbotId"))
                .stream().map(Views.EndpointView::of).toList();
        ctx.json(new Views.Page<>(endpoints, Optional.empty()));
    }

    private void getEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.json(Views.EndpointView.of(s.endpoints().get(account.id(), ctx.pathParam("endpointId"))));
    }

    private void updateEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), ENDPOINT_FIELDS);
        var changes = new EndpointStore.Changes(
                body.optionalString("url").map(this::checkedUrl),
                body.optionalString("content_type").map(SettingsRoutes::contentType),
                body.optionalStringList("events").map(SettingsRoutes::eventTypes),
                body.optionalString("description"),
                body.optionalBoolean("enabled"),
                PolicyFields.read(body, s.policyBounds()),
                body.optionalString("kind").map(SettingsRoutes::kind),
                checkedExpression(body, Role.FILTER),
                checkedExpression(body, Role.TRANSFORM),
                body.optionalString("ordering").map(o -> Ordering.fromWire("ordering", o)));
        if (changes.url().isPresent() || changes.kind().isPresent()) {
            // The URL and the kind must suit each other whichever of the two changes.
            Endpoint current = s.endpoints().get(account.id(), ctx.pathParam("endpointId"));
            changes.kind().orElse(current.kind()).checkUrl(changes.url().orElse(current.url()), s.guard()::operatorAllows);
        }
        ctx.json(Views.EndpointView.of(s.endpoints().update(account.id(), ctx.pathParam("endpointId"), changes)));
    }

    private void deleteEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        s.endpoints().delete(account.id(), ctx.pathParam("endpointId"));
        ctx.status(204);
    }

    /** The secret the endpoint's deliveries are signed with now: its own, or the account's. */
    private void endpointSecret(Context ctx) {
        Account account = auth.requireAccount(ctx);
        SecretSet secrets = s.endpoints().ownSecret(account.id(), ctx.pathParam("endpointId")).orElse(account.secrets());
        ctx.header("Cache-Control", "no-store");
        ctx.json(Views.SigningSecretView.of(secrets, s.clock().instant()));
    }

    private void rotateEndpointSecret(Context ctx) {
        Account account = auth.requireAccount(ctx);
        SecretSet rotated = s.endpoints().rotateOwnSecret(account.id(), ctx.pathParam("endpointId"),
                s.secretGracePeriod());
        ctx.header("Cache-Control", "no-store");
        ctx.json(Views.SigningSecretView.of(rotated, s.clock().instant()));
    }

    private void clearEndpointSecret(Context ctx) {
        Account account = auth.requireAccount(ctx);
        s.endpoints().clearOwnSecret(account.id(), ctx.pathParam("endpointId"));
        ctx.status(204);
    }

    /**
     * A URL checked for form and against the network guard, so that a customer learns at once that
     * an internal address is refused (the guard checks again when it dials).
     */
    URI checkedUrl(String raw) {
        URI url = EndpointUrl.parse(raw);
        s.guard().checkRegistration(url);
        return url;
    }

    /**
     * An endpoint's filter or transform as given (see {@link JsonBody#clearableText}), compiled now so
     * that one that does not compile is refused at once, with where.
     */
    static Optional<Optional<String>> checkedExpression(JsonBody body, Role role) {
        Optional<Optional<String>> given = body.clearableText(role.field(), Program.MAX_SOURCE);
        given.flatMap(e -> e).ifPresent(source -> {
            if (Shaper.check(role, source) instanceof Program.Compiled.Refused r) {
                throw new Problem.Invalid("invalid_" + role.field(), role.field() + ": " + r.message()
                        + r.position().map(p -> " at " + p).orElse(""));
            }
        });
        return given;
    }

    static Set<EventType> eventTypes(List<String> names) {
        if (names.isEmpty()) {
            throw new Problem.Invalid("invalid_field", "events must name at least one of " + EventType.allNames());
        }
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        for (String n : names) {
            types.add(EventType.fromWire("events", n));
        }
        return types;
    }

    private static Destination kind(String name) {
        return Destination.fromWire("kind", name);
    }

    private static DeliveryContentType contentType(String name) {
        return DeliveryContentType.fromWire("content_type", name);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static String name(String name) {
        String n = name.strip();
        if (n.isEmpty() || n.length() > MAX_NAME) {
            throw new Problem.Invalid("invalid_field", "name must be 1 to " + MAX_NAME + " characters");
        }
        return n;
    }
}
