package io.chatwire.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.account.Account;
import io.chatwire.problem.Problem;
import io.chatwire.transform.Position;
import io.chatwire.transform.Program;
import io.chatwire.transform.Role;
import io.chatwire.transform.Shaped;
import io.chatwire.transform.Shaper;
import io.chatwire.transform.Verdict;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/transforms/preview}: runs a filter and/or transform over an example event, or over
 * one of the account's stored events, exactly as a delivery would, and answers what it made.
 */
final class TransformRoutes {
    private static final Set<String> FIELDS = Set.of("filter", "transform", "event", "event_id");

    private final Api.Services s;
    private final Auth auth;
    private final long maxBody;
    private final OnDemandQuota previews;

    /** @param previews a quota of the account's own for previews, which may each take a second of CPU */
    TransformRoutes(Api.Services services, Auth auth, long maxBody, OnDemandQuota previews) {
        this.s = services;
        this.auth = auth;
        this.maxBody = maxBody;
        this.previews = previews;
    }

    void register(RoutesConfig r) {
        r.post("/v1/transforms/preview", this::preview);
    }

    /** Where an expression failed, in the answer. */
    record ExpressionErrorView(String error, String message, String field, Optional<Position> position) {
    }

    record FilterView(boolean passes) {
    }

    /**
     * @param outcome {@code send} or {@code drop}
     * @param body the exact text that would be signed and sent
     * @param json the body again as JSON, when it is JSON
     */
    record TransformView(String outcome, Optional<String> body, Optional<JsonNode> json,
            Map<String, String> headers, Optional<String> reason) {
    }

    record PreviewView(Optional<FilterView> filter, Optional<TransformView> transform, @JsonRawValue String event) {
    }

    private void preview(Context ctx) {
        Account account = auth.requireAccount(ctx);
        previews.admit(account, OnDemandQuota.Kind.PREVIEW);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), FIELDS);
        Optional<String> filter = body.clearableText("filter", Program.MAX_SOURCE).flatMap(e -> e);
        Optional<String> transform = body.clearableText("transform", Program.MAX_SOURCE).flatMap(e -> e);
        Optional<String> example = body.optionalObject("event");
        Optional<String> eventId = body.optionalString("event_id");
        if (filter.isEmpty() && transform.isEmpty()) {
            throw new Problem.Invalid("missing_field", "give a filter, a transform, or both (with event or event_id)");
        }
        if (example.isPresent() == eventId.isPresent()) {
            throw new Problem.Invalid("missing_field", "give either event (an example event, as a JSON object) or "
                    + "event_id (one of your stored events), to run the " + (filter.isPresent() ? "filter" : "")
                    + (filter.isPresent() && transform.isPresent() ? " and " : "")
                    + (transform.isPresent() ? "transform" : "") + " over");
        }
        String event = example.orElseGet(() -> s.events().get(account.id(), eventId.get()).payload());
        Optional<Program> filterProgram = filter.map(f -> compiled(Role.FILTER, f));
        Optional<Program> transformProgram = transform.map(t -> compiled(Role.TRANSFORM, t));
        Optional<FilterView> filterView = Optional.empty();
        if (filterProgram.isPresent()) {
            switch (Shaper.verdictOf(filterProgram.get().runOnJson(event))) {
                case Verdict.Broken b -> {
                    failed(ctx, Role.FILTER, b.message(), b.position());
                    return;
                }
                case Verdict.Admit a -> filterView = Optional.of(new FilterView(true));
                case Verdict.Reject r -> filterView = Optional.of(new FilterView(false));
            }
        }
        Optional<TransformView> transformView = Optional.empty();
        if (transformProgram.isPresent()) {
            switch (Shaper.transform(transformProgram.get(), event)) {
                case Shaped.Broken b -> {
                    failed(ctx, Role.TRANSFORM, b.message(), b.position());
                    return;
                }
                case Shaped.Drop d -> transformView = Optional.of(new TransformView("drop", Optional.empty(),
                        Optional.empty(), Map.of(), Optional.of(d.reason())));
                case Shaped.Send send -> {
                    String text = new String(send.body(), StandardCharsets.UTF_8);
                    transformView = Optional.of(new TransformView("send", Optional.of(text), asJson(text),
                            send.headers(), Optional.empty()));
                }
            }
        }
        ctx.json(new PreviewView(filterView, transformView, event));
    }

    /** The program, or a 400 naming where it does not compile. */
    private static Program compiled(Role role, String source) {
        return switch (Shaper.check(role, source)) {
            case Program.Compiled.Ok ok -> ok.program();
            case Program.Compiled.Refused r -> throw new ExpressionRefused(role, r.message(), r.position());
        };
    }

    private static void failed(Context ctx, Role role, String message, Optional<Position> position) {
        ctx.status(422).json(new ExpressionErrorView(role.field() + "_failed", message, role.field(), position));
    }

    /** A filter or transform that does not compile: answered as 400 with its position. */
    static final class ExpressionRefused extends RuntimeException {
        final transient ExpressionErrorView view;

        ExpressionRefused(Role role, String message, Optional<Position> position) {
            super(message, null, false, false);
            this.view = new ExpressionErrorView("invalid_" + role.field(), role.field() + ": " + message
                    + position.map(p -> " at " + p).orElse(""), role.field(), position);
        }
    }

    private static Optional<JsonNode> asJson(String text) {
        try {
            return Optional.ofNullable(Api.JSON.readTree(text)).filter(node -> !node.isMissingNode());
        } catch (java.io.IOException | RuntimeException notJson) {
            return Optional.empty();
        }
    }
}
