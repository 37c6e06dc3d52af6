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
import io.chatwire.policy.JobPolicy;
import io.chatwire.policy.PolicyStore;
import io.chatwire.policy.StaticHeaders;
import io.chatwire.ordering.ConversationOrder;
import io.chatwire.ordering.Ordering;
import io.chatwire.ordering.Sequence;
import io.chatwire.problem.Problem;
import io.chatwire.signing.SecretSet;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.StoreUnavailableException;
import io.chatwire.transform.Shaper;
import io.chatwire.transform.Shaping;
import io.chatwire.transform.Verdict;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.Set;

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
    private final Shaper shaper;

    private final Predicate<Endpoint> deliverableHere;

    /**
     * @param deliverableHere whether this node can attempt an endpoint's delivery at once; those it
     *     cannot (a relay endpoint whose listener is connected to another node) are left due for the
     *     node that can, instead of failing here first
     */
    public EventIntake(Database db, DeliveryStore deliveries, Dispatcher dispatcher, Clock clock, Shaper shaper,
            Predicate<Endpoint> deliverableHere) {
        this.db = db;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.deliverableHere = deliverableHere;
        this.shaper = shaper;
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
        Set<String> filteredOut = filteredOut(payload);
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
                    .filter(e -> admitted(e, filteredOut))
                    .toList();
            Predicate<Endpoint> leaseHere = account.status() == Account.Status.ACTIVE ? deliverableHere : e -> false;
            List<DeliveryJob> jobs = stage(c, event, targets, leaseHere, now, account.secrets(),
                    payload.conversationId().flatMap(Sequence::key));
            return new Staged(new Accepted(event, false, targets.size()), jobs);
        });
        dispatcher.dispatch(staged.jobs());
        return staged.accepted();
    }

    /**
     * The chatbot's endpoints whose filter keeps the event out. Judged before the write, from a read:
     * the writer is shared by every ingest, and must not wait for customers' expressions. A filter
     * that fails lets the event through, so that the failure shows in the delivery's attempt log.
     */
    private Set<String> filteredOut(EventPayload payload) {
        List<EndpointStore.Filter> filters = db.read(c -> EndpointStore.filtersOfChatbot(c, payload.chatbotId()));
        Set<String> out = new HashSet<>();
        for (EndpointStore.Filter f : filters) {
            if (f.eventTypes().contains(payload.type())
                    && shaper.admits(Shaping.of(Optional.of(f.expression()), Optional.empty()), payload.json())
                            instanceof Verdict.Reject) {
                out.add(f.endpointId());
            }
        }
        return out;
    }

    /** False for an endpoint the filter kept the event from: counted, not delivered. */
    private static boolean admitted(Endpoint endpoint, Set<String> filteredOut) {
        if (filteredOut.contains(endpoint.id())) {
            EndpointStore.countFilteredOut(endpoint.id());
            return false;
        }
        return true;
    }

    /**
     * Stores the example event of a type for one endpoint ("send test event") with a delivery leased by
     * this node, and returns that delivery's job for the caller to attempt at once.
     */
    public DeliveryJob acceptTest(String accountId, String endpointId, EventType type) {
        return db.write(c -> {
            Endpoint endpoint = EndpointStore.find(c, endpointId).filter(e -> e.accountId().equals(accountId))
                    .orElseThrow(() -> new Problem.NotFound("endpoint", endpointId));
            Instant now = clock.instant();
            Event event = new Event(Ids.newId("evt"), accountId, endpoint.chatbotId(), type,
                    SampleEvents.of(type, endpoint.chatbotId()), Optional.empty(), now, true);
            EventStore.insert(c, event);
            // A test is sent even to a disabled endpoint: checking a receiver before enabling it is the point.
            Endpoint target = new Endpoint(endpoint.id(), endpoint.accountId(), endpoint.chatbotId(), endpoint.url(),
                    endpoint.contentType(), endpoint.eventTypes(), endpoint.description(), true, endpoint.health(),
                    endpoint.ownSecret(), endpoint.createdAt(), endpoint.updatedAt(), endpoint.policy(),
                    endpoint.kind(),
                    endpoint.shaping(), endpoint.ordering());
            SecretSet accountSecrets = AccountStore.secrets(c, db.cipher(), accountId).orElseThrow();
            // A sample stands alone: it is never ordered, so it never waits behind real traffic.
            return stage(c, event, List.of(target), e -> true, now, accountSecrets, Optional.empty()).getFirst();
        });
    }

    /** Most endpoints have no static headers, and their jobs need no read or decryption for them. */
    private JobPolicy jobPolicy(Connection c, Endpoint endpoint) throws SQLException {
        return new JobPolicy(endpoint.policy(), endpoint.policy().headerNames().isEmpty() ? StaticHeaders.NONE
                : PolicyStore.headers(c, db.cipher(), endpoint.id()));
    }

    /**
     * Inserts the event's deliveries: leased by this node for those {@code leaseHere} accepts (their
     * jobs are returned, to attempt once committed), left due for the scheduler for the others. An
     * ordered endpoint's delivery takes its place in the conversation, and waits (no job) unless it
     * is the conversation's head.
     */
    private List<DeliveryJob> stage(Connection c, Event event, List<Endpoint> targets, Predicate<Endpoint> leaseHere,
            Instant now, SecretSet accountSecrets, Optional<String> conversation) throws SQLException {
        List<String> deliveryIds = new ArrayList<>(targets.size());
        List<String> leasedIds = new ArrayList<>(targets.size());
        List<String> leasedEndpoints = new ArrayList<>(targets.size());
        boolean[] leased = new boolean[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            String id = Ids.newId("dlv");
            deliveryIds.add(id);
            leased[i] = leaseHere.test(targets.get(i));
            if (leased[i]) {
                leasedIds.add(id);
                leasedEndpoints.add(targets.get(i).id());
            } else {
                deliveries.insertWaiting(c, id, event.id(), targets.get(i).id(), event.accountId(), now);
            }
        }
        if (!leasedIds.isEmpty()) {
            // One statement for all of the event's deliveries: ingest is the writer's hottest path.
            deliveries.insertLeased(c, leasedIds, event.id(), leasedEndpoints, event.accountId(), now);
        }
        List<Optional<ConversationOrder.Placement>> placements =
                placeOrdered(c, event, targets, deliveryIds, conversation);
        List<DeliveryJob> jobs = new ArrayList<>(leasedIds.size());
        for (int i = 0; i < targets.size(); i++) {
            Endpoint endpoint = targets.get(i);
            Optional<ConversationOrder.Placement> placement = placements.get(i);
            if (!leased[i] || placement.isPresent() && !placement.get().head()) {
                continue; // Left for the scheduler, or held behind an earlier delivery of its conversation.
            }
            // Most endpoints sign with the account's secret, already read with the account.
            SecretSet secrets = endpoint.ownSecret()
                    ? EndpointStore.signingSecrets(c, db.cipher(), event.accountId(), endpoint.id())
                    : accountSecrets;
            jobs.add(new DeliveryJob(deliveryIds.get(i), 0, 0, 0, DeliveryJob.Cause.SCHEDULED, event.accountId(),
                    event.id(), event.type(), event.payload(), endpoint.id(), Optional.of(endpoint.url()),
                    endpoint.contentType(), true, true, event.test(), secrets, jobPolicy(c, endpoint),
                    endpoint.kind(), Shaping.of(endpoint.shaping().filter(), endpoint.shaping().transform()),
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
