package io.chatwire.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.chatwire.account.Account;
import io.chatwire.account.NewAccount;
import io.chatwire.delivery.Attempt;
import io.chatwire.delivery.Delivery;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.event.Event;
import io.chatwire.event.EventType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The JSON shapes of the API's answers (written in snake_case). */
final class Views {
    private Views() {
    }

    record ErrorView(String error, String message) {
    }

    record Page<T>(List<T> data, Optional<String> nextCursor) {
    }

    record AccountView(String id, String name, String plan, Instant createdAt) {
        static AccountView of(Account a) {
            return new AccountView(a.id(), a.name(), a.plan().wireName(), a.createdAt());
        }
    }

    record NewAccountView(String id, String name, String plan, String apiKey, String signingSecret, Instant createdAt) {
        static NewAccountView of(NewAccount n) {
            Account a = n.account();
            return new NewAccountView(a.id(), a.name(), a.plan().wireName(), n.apiKey(), a.signingSecret().value(),
                    a.createdAt());
        }
    }

    record SigningSecretView(String signingSecret) {
    }

    record ChatbotView(String id, String name, int endpointLimit, Instant createdAt) {
        static ChatbotView of(Chatbot b) {
            return new ChatbotView(b.id(), b.name(), b.effectiveEndpointLimit(), b.createdAt());
        }
    }

    record EndpointView(String id, String chatbotId, String url, List<String> events, String description,
            boolean enabled, Instant createdAt, Instant updatedAt) {
        static EndpointView of(Endpoint e) {
            return new EndpointView(e.id(), e.chatbotId(), e.url().toString(),
                    e.eventTypes().stream().sorted().map(EventType::wireName).toList(), e.description(), e.enabled(),
                    e.createdAt(), e.updatedAt());
        }
    }

    record AcceptedView(String id, boolean duplicate, int deliveries) {
    }

    record EventView(String id, String event, String chatbotId, Instant createdAt, @JsonRawValue String payload) {
        static EventView of(Event e) {
            return new EventView(e.id(), e.type().wireName(), e.chatbotId(), e.createdAt(), e.payload());
        }
    }

    record AttemptView(String id, int attemptNumber, String cause, String url, Instant startedAt, long latencyMs,
            Optional<Integer> httpStatus, String responseBody, String outcome, Optional<String> errorKind,
            Optional<String> errorMessage, String nodeId) {
        static AttemptView of(Attempt a) {
            return new AttemptView(a.id(), a.attemptNumber(), a.cause(), a.url(), a.startedAt(), a.latency().toMillis(),
                    a.httpStatus(), a.responseBody(), a.outcome(), a.errorKind(), a.errorMessage(), a.nodeId());
        }
    }

    record DeliveryView(String id, String eventId, String endpointId, String status, int attemptCount,
            Optional<Instant> nextAttemptAt, Instant createdAt, Instant updatedAt, List<AttemptView> attempts) {
        static DeliveryView of(Delivery d) {
            return new DeliveryView(d.id(), d.eventId(), d.endpointId(), d.status().wireName(), d.attempts(),
                    d.nextAttemptAt(), d.createdAt(), d.updatedAt(),
                    d.attemptLog().stream().map(AttemptView::of).toList());
        }
    }

    record ResendView(String deliveryId, String status) {
    }
}
