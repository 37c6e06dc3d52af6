package io.chatwire.endpoint;

import io.chatwire.destination.Destination;
import io.chatwire.event.EventType;
import io.chatwire.policy.EndpointPolicy;
import io.chatwire.transform.Shaping;
import io.chatwire.ordering.Ordering;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A URL of the account's that receives a chatbot's events of the subscribed types.
 *
 * @param contentType the content-type header its deliveries carry
 * @param ownSecret true when the endpoint signs with its own secret instead of the account's
 * @param policy its own rate limit, retry schedule, timeout and static header names (io.chatwire.policy)
 * @param kind what kind of receiver it is: a webhook, or a Slack or Discord incoming webhook
 * @param shaping its filter and transform (see {@code io.chatwire.transform})
 * @param ordering whether each conversation's events are delivered one at a time, in order
 */
public record Endpoint(
        String id,
        String accountId,
        String chatbotId,
        URI url,
        DeliveryContentType contentType,
        Set<EventType> eventTypes,
        String description,
        boolean enabled,
        Health health,
        boolean ownSecret,
        Instant createdAt,
        Instant updatedAt,
        EndpointPolicy policy,
        Destination kind,
        Shaping shaping,
        Ordering ordering) {

    public Endpoint {
        eventTypes = Set.copyOf(eventTypes);
    }

    /** The scheme of a relay endpoint's URL: never dialled (see {@code io.chatwire.relay}). */
    public static final String RELAY_SCHEME = "relay";

    /** True for a temporary endpoint of {@code chatwire listen}, reached over the listener's connection. */
    public boolean isRelay() {
        return RELAY_SCHEME.equals(url.getScheme());
    }

    public boolean wants(EventType type) {
        return enabled && eventTypes.contains(type);
    }

    /**
     * How deliveries to the endpoint have gone lately.
     *
     * @param failingSince the first failed attempt of the current run of failures
     * @param disabledReason set when Chatwire disabled the endpoint by itself
     */
    public record Health(int consecutiveFailures, Optional<Instant> failingSince, Optional<String> disabledReason,
            Optional<Instant> disabledAt) {
        public static final Health GOOD = new Health(0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** {@code healthy}, {@code failing} or {@code disabled}. */
    public String healthStatus() {
        if (!enabled) {
            return "disabled";
        }
        return health.consecutiveFailures() > 0 ? "failing" : "healthy";
    }
}
