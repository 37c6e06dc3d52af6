package io.chatwire.delivery;

import io.chatwire.account.Account;
import io.chatwire.analytics.AnalyticsStore;
import io.chatwire.account.AccountStore;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.Event;
import io.chatwire.event.EventPayload;
import io.chatwire.event.EventStore;
import io.chatwire.event.EventType;
import io.chatwire.ordering.ConversationOrder;
import io.chatwire.ordering.Ordering;
import io.chatwire.ordering.Sequence;
import io.chatwire.problem.Problem;
import io.chatwire.signing.SecretSet;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accepts an event from the platform: stores it and one delivery per enabled, subscribed endpoint of
 * its chatbot in a single transaction, and hands the deliveries to the dispatcher once that is
 * committed. Only then is the caller told the event was accepted.
 *
 * <p>A free account's events are stored but fan out to nobody (the plan has no webhooks). A suspended
 * account's deliveries are stored but left for the scheduler, which holds them until reinstatement.
 */
public final class EventIntake {
    private final Database db;
    private final DeliveryStore deliveries;
    private final Dispatcher dispatcher;
    private final Clock clock;

    public EventIntake(Database db, DeliveryStore deliveries, Dispatcher dispatcher, Clock clock) {
        this.db = db;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    /** The accepted event; {@code duplicate} when an earlier post with the same idempotency key made it. */
    public record Accepted(Event event, boolean duplicate, int deliveries) {
    }

    private record Staged(Accepted accepted, List<DeliveryJob> jobs) {
    }

    public Accepted accept(EventPayload payload, Optional<String> idempotencyKey) {
        try {
            return acceptOnce(payload, idempotencyKey);
        } catch (StoreUnavailableException e) {
            if (idempotencyKey.isPresent() && e.getCause() instanceof SQLException sql
                    && db.dialect().isUniqueViolation(sql)) {
                // Another node stored an event with the same key between our check and our insert:
                // the second try finds it and answers with it.
                return acceptOnce(payload, idempotencyKey);
            }
            throw e;
        }
    }

    private Accepted acceptOnce(EventPayload payload, Optional<String> idempotencyKey) {
        Staged staged = db.write(c -> {
            if (idempotencyKey.isPresent()) {
                Optional<Event> earlier = EventStore.findByIdempotencyKey(c, idempotencyKey.get());
                if (earlier.isPresent()) {
                    if (!earlier.get().payload().equals(payload.json())) {
                        throw new Problem.Conflict("idempotency_key_reused",
                                "Idempotency-Key '" + idempotencyKey.get() + "' was used for a different event");
                    }
                    return new Staged(new Accepted(earlier.get(), true, 0), List.of());
                }
            }
            Chatbot chatbot = EndpointStore.findChatbot(c, payload.chatbotId())
                    .orElseThrow(() -> new Problem.NotFound("chatbot", payload.chatbotId()));
            Account account = AccountStore.find(c, db.cipher(), chatbot.accountId()).orElseThrow();
            Instant now = clock.instant();
            Event event = new Event(Ids.newId("evt"), account.id(), chatbot.id(), payload.type(), payload.json(),
                    idempotencyKey, now, false);
            EventStore.insert(c, event);
            AnalyticsStore.countEvent(account.id(), chatbot.id(), payload.type(), payload.source(),
                    payload.costCredits(), now);
            if (!account.plan().hasWebhooks()) {
                return new Staged(new Accepted(event, false, 0), List.of());
            }
            List<Endpoint> targets = EndpointStore.ofChatbot(c, chatbot.id()).stream()
                    .filter(e -> e.wants(payload.type()))
                    .toList();
            List<DeliveryJob> jobs = stage(c, event, targets, account.status() == Account.Status.ACTIVE, now,
                    account.secrets(), payload.conversationId().flatMap(Sequence::key));
            return new Staged(new Accepted(event, false, targets.size()), jobs);
        });
        dispatcher.dispatch(staged.jobs());
        return staged.accepted();
    }

    /**
     * Stores a sample {@code chat} event for one endpoint ("send test event") with a delivery leased by
     * this node, and returns that delivery's job for the caller to attempt at once.
     */
    public DeliveryJob acceptTest(String accountId, String endpointId) {
        return db.write(c -> {
            Endpoint endpoint = EndpointStore.find(c, endpointId).filter(e -> e.accountId().equals(accountId))
                    .orElseThrow(() -> new Problem.NotFound("endpoint", endpointId));
            Instant now = clock.instant();
            Event event = new Event(Ids.newId("evt"), accountId, endpoint.chatbotId(), EventType.CHAT,
                    SampleEvents.chat(endpoint.chatbotId()), Optional.empty(), now, true);
            EventStore.insert(c, event);
            // A test is sent even to a disabled endpoint: checking a receiver before enabling it is the point.
            Endpoint target = new Endpoint(endpoint.id(), endpoint.accountId(), endpoint.chatbotId(), endpoint.url(),
                    endpoint.contentType(), endpoint.eventTypes(), endpoint.description(), true, endpoint.health(),
                    endpoint.ownSecret(), endpoint.createdAt(), endpoint.updatedAt(), endpoint.ordering());
            SecretSet accountSecrets = AccountStore.secrets(c, db.cipher(), accountId).orElseThrow();
            // A sample stands alone: it is never ordered, so it never waits behind real traffic.
            return stage(c, event, List.of(target), true, now, accountSecrets, Optional.empty()).getFirst();
        });
    }

    /**
     * Inserts the event's deliveries; those to endpoints ordered by conversation take their place in
     * {@code conversation}, and any that must wait behind an earlier one get no job.
     */
    private List<DeliveryJob> stage(Connection c, Event event, List<Endpoint> targets, boolean deliverNow, Instant now,
            SecretSet accountSecrets, Optional<String> conversation) throws SQLException {
        List<String> deliveryIds = new ArrayList<>(targets.size());
        for (Endpoint endpoint : targets) {
            deliveryIds.add(Ids.newId("dlv"));
        }
        if (!deliverNow) {
            for (int i = 0; i < targets.size(); i++) {
                deliveries.insertWaiting(c, deliveryIds.get(i), event.id(), targets.get(i).id(), event.accountId(), now);
            }
            placeOrdered(c, event, targets, deliveryIds, conversation);
            return List.of();
        }
        // One statement for all of the event's deliveries: ingest is the writer's hottest path.
        deliveries.insertLeased(c, deliveryIds, event.id(), targets.stream().map(Endpoint::id).toList(),
                event.accountId(), now);
        List<Optional<ConversationOrder.Placement>> placements =
                placeOrdered(c, event, targets, deliveryIds, conversation);
        List<DeliveryJob> jobs = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            Endpoint endpoint = targets.get(i);
            Optional<ConversationOrder.Placement> placement = placements.get(i);
            if (placement.isPresent() && !placement.get().head()) {
                continue; // Held behind an earlier delivery of its conversation, which lets it go when it ends.
            }
            // Most endpoints sign with the account's secret, already read with the account.
            SecretSet secrets = endpoint.ownSecret()
                    ? EndpointStore.signingSecrets(c, db.cipher(), event.accountId(), endpoint.id())
                    : accountSecrets;
            jobs.add(new DeliveryJob(deliveryIds.get(i), 0, 0, 0, DeliveryJob.Cause.SCHEDULED, event.accountId(),
                    event.id(), event.type(), event.payload(), endpoint.id(), Optional.of(endpoint.url()),
                    endpoint.contentType(), true, true, event.test(), secrets,
                    placement.map(ConversationOrder.Placement::sequence)));
        }
        return jobs;
    }

    /** The place of each delivery in its conversation; empty for those not ordered. */
    private static List<Optional<ConversationOrder.Placement>> placeOrdered(Connection c, Event event,
            List<Endpoint> targets, List<String> deliveryIds, Optional<String> conversation) throws SQLException {
        List<Optional<ConversationOrder.Placement>> placements = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            placements.add(conversation.isPresent() && targets.get(i).ordering() == Ordering.CONVERSATION
                    ? Optional.of(ConversationOrder.place(c, event.accountId(), targets.get(i).id(), conversation.get(),
                            deliveryIds.get(i)))
                    : Optional.empty());
        }
        return placements;
    }
}
