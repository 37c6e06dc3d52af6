package io.chatwire.delivery;

import io.chatwire.account.AccountStore;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.Event;
import io.chatwire.event.EventPayload;
import io.chatwire.event.EventStore;
import io.chatwire.problem.Problem;
import io.chatwire.signing.SigningSecret;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accepts an event from the platform: stores it and one delivery per enabled, subscribed endpoint of
 * its chatbot in a single transaction, and hands the deliveries to the dispatcher once that is
 * committed. Only then is the caller told the event was accepted.
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
            Instant now = clock.instant();
            Event event = new Event(Ids.newId("evt"), chatbot.accountId(), chatbot.id(), payload.type(),
                    payload.json(), idempotencyKey, now);
            EventStore.insert(c, event);
            List<Endpoint> targets = EndpointStore.ofChatbot(c, chatbot.id()).stream()
                    .filter(e -> e.wants(payload.type()))
                    .toList();
            if (targets.isEmpty()) {
                return new Staged(new Accepted(event, false, 0), List.of());
            }
            SigningSecret secret = AccountStore.signingSecret(c, chatbot.accountId()).orElseThrow();
            List<DeliveryJob> jobs = new ArrayList<>(targets.size());
            for (Endpoint endpoint : targets) {
                String deliveryId = Ids.newId("dlv");
                deliveries.insertLeased(c, deliveryId, event.id(), endpoint.id(), event.accountId(), now);
                jobs.add(new DeliveryJob(deliveryId, 0, 0, 0, DeliveryJob.Cause.SCHEDULED, event.accountId(),
                        event.id(), event.type(), event.payload(), endpoint.id(), Optional.of(endpoint.url()),
                        true, secret));
            }
            return new Staged(new Accepted(event, false, jobs.size()), jobs);
        });
        dispatcher.dispatch(staged.jobs());
        return staged.accepted();
    }
}
