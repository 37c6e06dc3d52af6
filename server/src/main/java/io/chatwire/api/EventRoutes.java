package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.delivery.Attempt;
import io.chatwire.delivery.Delivery;
import io.chatwire.delivery.DeliveryJob;
import io.chatwire.delivery.DeliveryStore;
import io.chatwire.delivery.EventIntake;
import io.chatwire.event.Event;
import io.chatwire.event.EventPayload;
import io.chatwire.event.EventStore;
import io.chatwire.event.EventType;
import io.chatwire.input.Parameter;
import io.chatwire.livelog.LiveFilter;
import io.chatwire.livelog.LiveLog;
import io.chatwire.problem.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ingest (the platform), and the account's view of its events, deliveries and attempts. */
final class EventRoutes {
    private static final Logger log = LoggerFactory.getLogger(EventRoutes.class);
    static final int MAX_IDEMPOTENCY_KEY = 255;

    private final Api.Services s;
    private final Auth auth;
    private final long maxEventBytes;
    private final IngestLimiter ingestLimiter;
    private final OnDemandQuota onDemand;
    private final LiveLog live;

    EventRoutes(Api.Services services, Auth auth, long maxEventBytes, IngestLimiter ingestLimiter,
            OnDemandQuota onDemand, LiveLog live) {
        this.live = live;
        this.s = services;
        this.auth = auth;
        this.maxEventBytes = maxEventBytes;
        this.ingestLimiter = ingestLimiter;
        this.onDemand = onDemand;
    }

    void register(RoutesConfig r) {
        r.post("/v1/events", this::ingest);
        r.get("/v1/events", this::listEvents);
        r.get("/v1/events/{eventId}", this::getEvent);
        r.get("/v1/events/{eventId}/deliveries", this::deliveriesOfEvent);
        r.post("/v1/events/{eventId}/resend", this::resend);
        r.get("/v1/deliveries", this::listDeliveries);
        r.get("/v1/attempts", this::listAttempts);
        r.get("/v1/attempts/stream", this::streamAttempts);
        r.post("/v1/endpoints/{endpointId}/test", this::sendTestEvent);
        r.post("/v1/endpoints/{endpointId}/recover", this::recover);
    }

    private void ingest(Context ctx) {
        auth.requireOperator(ctx);
        Optional<String> key = Requests.singleHeader(ctx, "Idempotency-Key").map(String::strip);
        key.ifPresent(k -> {
            if (k.isEmpty() || k.length() > MAX_IDEMPOTENCY_KEY || !k.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7e)) {
                throw new Problem.Invalid("invalid_header",
                        "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " visible ASCII characters");
            }
        });
        EventPayload payload = s.parser().parse(Requests.body(ctx, maxEventBytes));
        ingestLimiter.admit(payload.chatbotId());
        EventIntake.Accepted accepted = s.intake().accept(payload, key);
        if (!accepted.duplicate()) {
            s.metrics().counter("chatwire.events.accepted", "event", payload.type().wireName()).increment();
            if (!payload.unknownFields().isEmpty()) {
                countUnknownFields(accepted.event().id(), payload);
            }
        }
        if (accepted.duplicate()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        ctx.status(202).json(new Views.AcceptedView(accepted.event().id(), accepted.duplicate(), accepted.deliveries()));
    }

    /**
     * Counts an accepted event that has top-level fields Chatwire does not know, so an operator sees
     * when the platform starts sending a new one. The names are the sender's text: as tag values each
     * new name would be a new time series, so they go to the debug log only, cut short and with
     * control characters replaced (never the values, which may hold personal data).
     */
    private void countUnknownFields(String eventId, EventPayload payload) {
        Counter.builder("chatwire.events.with.unknown.fields")
                .description("Accepted events with top-level fields Chatwire does not know (stored and delivered as sent)")
                .tag("event", payload.type().wireName())
                .register(s.metrics())
                .increment();
        if (log.isDebugEnabled()) {
            log.debug("event {} for chatbot {} has fields Chatwire does not know: {}", eventId, payload.chatbotId(),
                    namesForLog(payload.unknownFields()));
        }
    }

    private static final int LOGGED_NAMES = 10;
    private static final int LOGGED_NAME_LENGTH = 64;

    /** At most 10 names of at most 64 characters, anything but printable ASCII as '?'. */
    private static String namesForLog(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(names.size(), LOGGED_NAMES); i++) {
            String name = names.get(i);
            sb.append(i == 0 ? "" : ", ").append('\'');
            name.codePoints().limit(LOGGED_NAME_LENGTH)
                    .forEach(c -> sb.appendCodePoint(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?'));
            sb.append(name.codePointCount(0, name.length()) > LOGGED_NAME_LENGTH ? "...'" : "'");
        }
        if (names.size() > LOGGED_NAMES) {
            sb.append(" and ").append(names.size() - LOGGED_NAMES).append(" more");
        }
        return sb.toString();
    }

    private void listEvents(Context ctx) {
        Account account = auth.requireAccount(ctx);
        int limit = Requests.limit(ctx);
        var filter = new EventStore.Filter(
                Requests.query(ctx, "chatbot_id"),
                Requests.query(ctx, "event").map(v -> EventType.fromWire("event", v)),
                status(ctx),
                Requests.query(ctx, "endpoint_id"),
                Requests.instant(ctx, "since"),
                Requests.instant(ctx, "until"),
                Requests.query(ctx, "cursor"),
                limit + 1); // one more than the page: tells whether another page follows
        List<Event> events = s.events().list(account.id(), filter);
        ctx.json(Requests.page(events.stream().map(Views.EventView::of).toList(), limit, Views.EventView::id));
    }

    private static Optional<String> status(Context ctx) {
        return Requests.query(ctx, "status").map(v -> Delivery.Status.fromWire(v)
                .orElseThrow(() -> new Problem.Invalid("invalid_parameter",
                        "status must be pending, delivered or failed")).wireName());
    }

    private static DeliveryStore.Filter deliveryFilter(Context ctx, Optional<String> status, int limit) {
        return new DeliveryStore.Filter(
                status,
                Requests.query(ctx, "endpoint_id"),
                Requests.query(ctx, "chatbot_id"),
                Requests.query(ctx, "event").map(v -> EventType.fromWire("event", v).wireName()),
                Requests.query(ctx, "event_id"),
                Requests.instant(ctx, "since"),
                Requests.instant(ctx, "until"),
                Requests.query(ctx, "cursor"),
                limit + 1); // one more than the page: tells whether another page follows
    }

    private void getEvent(Context ctx) {
        Account account = auth.requireAccount(ctx);
        ctx.json(Views.EventView.of(s.events().get(account.id(), ctx.pathParam("eventId"))));
    }

    private void deliveriesOfEvent(Context ctx) {
        Account account = auth.requireAccount(ctx);
        Event event = s.events().get(account.id(), ctx.pathParam("eventId"));
        List<Views.DeliveryView> deliveries = s.deliveries().ofEvent(account.id(), event.id()).stream()
                .map(Views.DeliveryView::of).toList();
        ctx.json(new Views.Page<>(deliveries, Optional.empty()));
    }

    private void listDeliveries(Context ctx) {
        Account account = auth.requireAccount(ctx);
        int limit = Requests.limit(ctx);
        List<Delivery> deliveries = s.deliveries().list(account.id(), deliveryFilter(ctx, status(ctx), limit));
        ctx.json(Requests.page(deliveries.stream().map(Views.DeliveryView::of).toList(), limit, Views.DeliveryView::id));
    }

    /** The attempt log; {@code outcome} is delivered, retry or failed. */
    private void listAttempts(Context ctx) {
        Account account = auth.requireAccount(ctx);
        int limit = Requests.limit(ctx);
        List<Views.AttemptView> attempts = s.deliveries().attempts(account.id(), deliveryFilter(ctx, outcome(ctx), limit))
                .stream().map(Views.AttemptView::of).toList();
        ctx.json(Requests.page(attempts, limit, Views.AttemptView::id));
    }

    private static Optional<String> outcome(Context ctx) {
        return Requests.query(ctx, "outcome").map(v -> {
            if (!Set.of("delivered", "retry", "failed").contains(v)) {
                throw new Problem.Invalid("invalid_parameter", "outcome must be delivered, retry or failed");
            }
            return v;
        });
    }

    /** The attempt log as server-sent events, with the list's filters (see {@link LiveLog}). */
    private void streamAttempts(Context ctx) {
        Account account = auth.requireAccount(ctx);
        var filter = new LiveFilter(outcome(ctx), Requests.query(ctx, "endpoint_id"), Requests.query(ctx, "chatbot_id"),
                Requests.query(ctx, "event").map(v -> EventType.fromWire("event", v).wireName()),
                Requests.query(ctx, "event_id"));
        live.serve(ctx, account.id(), filter, Views.AttemptView::of);
    }

    /**
     * Sends the example event of a type (the {@code event} query parameter, chat by default) to the
     * endpoint now, and answers with the attempt.
     */
    private void sendTestEvent(Context ctx) {
        Account account = auth.requireAccount(ctx);
        EventType type = Requests.query(ctx, "event").map(v -> EventType.fromWire("event", v)).orElse(EventType.CHAT);
        requireDeliveringAccount(account);
        String endpointId = s.endpoints().get(account.id(), ctx.pathParam("endpointId")).id();
        onDemand.admit(account, OnDemandQuota.Kind.TEST);
        DeliveryJob job = s.intake().acceptTest(account.id(), endpointId, type);
        Optional<Attempt> attempt = s.dispatcher().attemptNow(job);
        ctx.json(new Views.TestEventView(job.eventId(), attempt.map(Views.AttemptView::of)));
    }

    /**
     * Sending on demand (test event, resend, recover) is refused, not held, for an account that cannot
     * receive deliveries now: the caller should learn that at once rather than wait for nothing.
     */
    private static void requireDeliveringAccount(Account account) {
        if (!account.plan().hasWebhooks()) {
            throw new Problem.Forbidden("plan_without_webhooks",
                    "the free plan has no webhooks: upgrade to standard or professional to send deliveries");
        }
        if (account.status() == Account.Status.SUSPENDED) {
            throw new Problem.Conflict("account_suspended",
                    "the account is suspended: deliveries are held until the operator reinstates it");
        }
    }

    /**
     * Puts every failed delivery of the endpoint since a time back on the schedule; each counts as one
     * send of the account's on-demand quota.
     */
    private void recover(Context ctx) {
        Account account = auth.requireAccount(ctx);
        requireDeliveringAccount(account);
        JsonBody body = JsonBody.parse(Requests.body(ctx, 64 * 1024), Set.of("since"));
        Instant since = Parameter.field("since").instant(body.requiredString("since"));
        var endpoint = s.endpoints().get(account.id(), ctx.pathParam("endpointId"));
        onDemand.admit(account, OnDemandQuota.Kind.RECOVER);
        Instant now = s.clock().instant();
        int recovered = s.deliveries().recoverFailed(account.id(), endpoint.id(), since, now);
        onDemand.charge(account, recovered - 1L); // admit took the first
        s.scheduler().wake(now);
        ctx.status(202).json(new Views.RecoverView(recovered));
    }

    /** Sends one event to one endpoint of its chatbot again, as a new retry cycle. */
    private void resend(Context ctx) {
        Account account = auth.requireAccount(ctx);
        requireDeliveringAccount(account);
        JsonBody body = JsonBody.parse(Requests.body(ctx, 64 * 1024), Set.of("endpoint_id"));
        Event event = s.events().get(account.id(), ctx.pathParam("eventId"));
        var endpoint = s.endpoints().get(account.id(), body.requiredString("endpoint_id"));
        if (!endpoint.chatbotId().equals(event.chatbotId())) {
            throw new Problem.Invalid("endpoint_of_other_chatbot",
                    "endpoint " + endpoint.id() + " belongs to another chatbot than event " + event.id());
        }
        onDemand.admit(account, OnDemandQuota.Kind.RESEND);
        switch (s.deliveries().restart(account.id(), event.id(), endpoint.id(), s.clock().instant())) {
            case DeliveryStore.Restart.Started started -> {
                s.dispatcher().dispatch(List.of(started.job()));
                ctx.status(202).json(new Views.ResendView(started.job().deliveryId(), "pending"));
            }
            case DeliveryStore.Restart.InFlight inFlight -> throw new Problem.Conflict("delivery_in_flight",
                    "delivery " + inFlight.deliveryId() + " is being attempted right now; try again in a moment");
        }
    }
}
