package io.chatwire.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.chatwire.account.Account;
import io.chatwire.account.ApiKey;
import io.chatwire.account.NewAccount;
import io.chatwire.account.NewApiKey;
import io.chatwire.delivery.Attempt;
import io.chatwire.delivery.Delivery;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.event.Event;
import io.chatwire.event.EventType;
import io.chatwire.policy.EndpointPolicy;
import io.chatwire.signing.SecretSet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The JSON shapes of the API's answers (written in snake_case). */
final class Views {
    private Views() {
    }

    record ErrorView(String error, String message) {
    }

    record ChatDataError(String status, String message) {
    }

    record Page<T>(List<T> data, Optional<String> nextCursor) {
    }

    record AccountView(String id, String name, String plan, String status, Instant createdAt) {
        static AccountView of(Account a) {
            return new AccountView(a.id(), a.name(), a.plan().wireName(), a.status().wireName(), a.createdAt());
        }
    }

    record ApiKeyView(String id, String prefix, Instant createdAt, Optional<Instant> revokedAt, Optional<String> apiKey) {
        static ApiKeyView of(ApiKey k) {
            return new ApiKeyView(k.id(), k.prefix(), k.createdAt(), k.revokedAt(), Optional.empty());
        }

        static ApiKeyView of(NewApiKey n) {
            ApiKey k = n.key();
            return new ApiKeyView(k.id(), k.prefix(), k.createdAt(), k.revokedAt(), Optional.of(n.secret()));
        }
    }

    record NewAccountView(String id, String name, String plan, String apiKey, String signingSecret, Instant createdAt) {
        static NewAccountView of(NewAccount n) {
            Account a = n.account();
            return new NewAccountView(a.id(), a.name(), a.plan().wireName(), n.apiKey(), a.signingSecret().value(),
                    a.createdAt());
        }
    }

    /** A secret and, during a rotation's grace period, when the one it replaced stops working. */
    record SigningSecretView(String signingSecret, Optional<Instant> previousSecretExpiresAt) {
        static SigningSecretView of(SecretSet s, Instant now) {
            return new SigningSecretView(s.current().value(),
                    s.stillValid(now).isEmpty() ? Optional.empty() : s.previousExpiresAt());
        }
    }

    record ChatbotView(String id, String name, int endpointLimit, Instant createdAt) {
        static ChatbotView of(Chatbot b) {
            return new ChatbotView(b.id(), b.name(), b.effectiveEndpointLimit(), b.createdAt());
        }
    }

    record HealthView(String status, int consecutiveFailures, Optional<Instant> failingSince,
            Optional<String> disabledReason, Optional<Instant> disabledAt) {
        static HealthView of(Endpoint e) {
            Endpoint.Health h = e.health();
            return new HealthView(e.healthStatus(), h.consecutiveFailures(), h.failingSince(), h.disabledReason(),
                    h.disabledAt());
        }
    }

    /**
     * An endpoint; its policy fields are left out while it uses the operator's defaults, and its static
     * headers are shown by name only.
     *
     * @param filteredOut events the endpoint's filter kept from it (no deliveries were made for them)
     */
    record EndpointView(String id, String chatbotId, String url, String contentType, List<String> events,
            String description, boolean enabled, HealthView health, boolean ownSecret, Instant createdAt,
            Instant updatedAt, Optional<Integer> rateLimit, Optional<List<String>> retrySchedule,
            Optional<String> timeout, List<String> headers, Optional<Instant> pausedUntil, String kind,
            Optional<String> filter, Optional<String> transform, long filteredOut, String ordering) {
        static EndpointView of(Endpoint e) {
            EndpointPolicy p = e.policy();
            return new EndpointView(e.id(), e.chatbotId(), e.url().toString(), e.contentType().wireName(),
                    e.eventTypes().stream().sorted().map(EventType::wireName).toList(), e.description(), e.enabled(),
                    HealthView.of(e), e.ownSecret(), e.createdAt(), e.updatedAt(), p.rateLimit(),
                    p.retrySchedule().map(s -> s.stream().map(EndpointPolicy::wire).toList()),
                    p.timeout().map(EndpointPolicy::wire), p.headerNames(), p.pausedUntil(), e.kind().wireName(),
                    e.shaping().filter(), e.shaping().transform(), e.shaping().filteredOut(),
                    e.ordering().wireName());
        }
    }

    record AcceptedView(String id, boolean duplicate, int deliveries) {
    }

    record EventView(String id, String event, String chatbotId, boolean test, Instant createdAt,
            @JsonRawValue String payload) {
        static EventView of(Event e) {
            return new EventView(e.id(), e.type().wireName(), e.chatbotId(), e.test(), e.createdAt(), e.payload());
        }
    }

    record AttemptView(String id, String deliveryId, String eventId, String endpointId, int attemptNumber,
            String cause, String url, Instant startedAt, long latencyMs,
            Optional<Integer> httpStatus, String responseBody, String outcome, Optional<String> errorKind,
            Optional<String> errorMessage, String nodeId, Optional<java.util.Map<String, String>> requestHeaders) {
        static AttemptView of(Attempt a) {
            return new AttemptView(a.id(), a.deliveryId(), a.eventId(), a.endpointId(), a.attemptNumber(), a.cause(),
                    a.url(), a.startedAt(), a.latency().toMillis(),
                    a.httpStatus(), a.responseBody(), a.outcome(), a.errorKind(), a.errorMessage(), a.nodeId(),
                    a.requestHeaders().isEmpty() ? Optional.empty() : Optional.of(a.requestHeaders()));
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

    record TestEventView(String eventId, Optional<AttemptView> attempt) {
    }

    record RecoverView(int recovered) {
    }
}
