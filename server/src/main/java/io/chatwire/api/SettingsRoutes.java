package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.account.Plan;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.endpoint.EndpointUrl;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Accounts (operator), and an account's chatbots, endpoints and signing secret. */
final class SettingsRoutes {
    private static final int MAX_NAME = 200;

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
        r.get("/v1/account", this::me);
        r.get("/v1/account/signing-secret", this::signingSecret);
        r.post("/v1/chatbots", this::createChatbot);
        r.get("/v1/chatbots", this::listChatbots);
        r.get("/v1/chatbots/{chatbotId}", this::getChatbot);
        r.post("/v1/chatbots/{chatbotId}/endpoints", this::createEndpoint);
        r.get("/v1/chatbots/{chatbotId}/endpoints", this::listEndpoints);
        r.get("/v1/endpoints/{endpointId}", this::getEndpoint);
        r.patch("/v1/endpoints/{endpointId}", this::updateEndpoint);
        r.delete("/v1/endpoints/{endpointId}", this::deleteEndpoint);
    }

    private void createAccount(Context ctx) {
        auth.requireOperator(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name", "plan"));
        String name = name(body.requiredString("name"));
        Plan plan = Plan.fromWire(body.requiredString("plan"));
        ctx.status(201).json(Views.NewAccountView.of(s.accounts().create(name, plan)));
    }

    private void listAccounts(Context ctx) {
        auth.requireOperator(ctx);
        ctx.json(new Views.Page<>(s.accounts().list().stream().map(Views.AccountView::of).toList(),
                java.util.Optional.empty()));
    }

    private void getAccount(Context ctx) {
        auth.requireOperator(ctx);
        ctx.json(Views.AccountView.of(s.accounts().get(ctx.pathParam("accountId"))));
    }

    private void me(Context ctx) {
        ctx.json(Views.AccountView.of(auth.requireAccount(ctx)));
    }

    private void signingSecret(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.json(new Views.SigningSecretView(account.signingSecret().value()));
    }

    private void createChatbot(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("name", "id"));
        String name = name(body.requiredString("name"));
        ctx.status(201).json(Views.ChatbotView.of(s.chatbots().create(account.id(), body.optionalString("id"), name)));
    }

    private void listChatbots(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.json(new Views.Page<>(s.chatbots().list(account.id()).stream().map(Views.ChatbotView::of).toList(),
                java.util.Optional.empty()));
    }

    private void getChatbot(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.json(Views.ChatbotView.of(s.chatbots().get(account.id(), ctx.pathParam("chatbotId"))));
    }

    private void createEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("url", "events", "description", "enabled"));
        var spec = new EndpointStore.Spec(
                EndpointUrl.parse(body.requiredString("url")),
                body.optionalStringList("events").map(SettingsRoutes::eventTypes).orElse(EnumSet.allOf(EventType.class)),
                body.optionalString("description").orElse(""),
                body.optionalBoolean("enabled").orElse(true));
        Endpoint created = s.endpoints().create(account.id(), ctx.pathParam("chatbotId"), spec);
        ctx.status(201).json(Views.EndpointView.of(created));
    }

    private void listEndpoints(Context ctx) {
        Account account = auth.requireAccount(ctx);
        List<Views.EndpointView> endpoints = s.endpoints().listOfChatbot(account.id(), ctx.pathParam("chatbotId"))
                .stream().map(Views.EndpointView::of).toList();
        ctx.json(new Views.Page<>(endpoints, java.util.Optional.empty()));
    }

    private void getEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.json(Views.EndpointView.of(s.endpoints().get(account.id(), ctx.pathParam("endpointId"))));
    }

    private void updateEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("url", "events", "description", "enabled"));
        Endpoint current = s.endpoints().get(account.id(), ctx.pathParam("endpointId"));
        Endpoint changed = new Endpoint(current.id(), current.accountId(), current.chatbotId(),
                body.optionalString("url").map(EndpointUrl::parse).orElse(current.url()),
                body.optionalStringList("events").map(SettingsRoutes::eventTypes).orElse(current.eventTypes()),
                body.optionalString("description").orElse(current.description()),
                body.optionalBoolean("enabled").orElse(current.enabled()),
                current.createdAt(), current.updatedAt());
        ctx.json(Views.EndpointView.of(s.endpoints().update(account.id(), changed)));
    }

    private void deleteEndpoint(Context ctx) {
        Account account = auth.requireAccount(ctx);
        s.endpoints().delete(account.id(), ctx.pathParam("endpointId"));
        ctx.status(204);
    }

    private static Set<EventType> eventTypes(List<String> names) {
        if (names.isEmpty()) {
            throw new Problem.Invalid("invalid_field", "events must name at least one of " + EventType.allNames());
        }
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        for (String n : names) {
            types.add(EventType.fromWire("events", n));
        }
        return types;
    }

    private static String name(String name) {
        String n = name.strip();
        if (n.isEmpty() || n.length() > MAX_NAME) {
            throw new Problem.Invalid("invalid_field", "name must be 1 to " + MAX_NAME + " characters");
        }
        return n;
    }
}
