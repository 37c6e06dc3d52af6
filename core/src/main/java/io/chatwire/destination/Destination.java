package io.chatwire.destination;

import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What kind of receiver an endpoint is, and so what its deliveries look like and how its answers
 * read: a {@link Webhook} gets the event as the platform sent it, a {@link Slack} or {@link Discord}
 * incoming webhook gets a message made for people, rendered within that service's documented limits.
 */
public sealed interface Destination permits Webhook, Slack, Discord {
    Destination WEBHOOK = new Webhook();
    Destination SLACK = new Slack();
    Destination DISCORD = new Discord();
    /** What an endpoint is when nothing was chosen: today's behaviour, the event as sent. */
    Destination FOR_NEW_ENDPOINTS = WEBHOOK;

    List<Destination> ALL = List.of(WEBHOOK, SLACK, DISCORD);

    /** The name in the API ({@code kind}) and in the endpoints table. */
    String wireName();

    /**
     * Refuses, with a 400 naming the kind, a URL that is not one of this service's webhook URLs. A URL
     * whose host the operator allowed ({@code CHATWIRE_ALLOWED_TARGETS}: a test double, a self-hosted
     * proxy) passes whatever its form.
     */
    void checkUrl(URI url, Predicate<URI> operatorAllows);

    /** The body to send for the event and its content type ({@code chosen} is the endpoint's setting). */
    Outgoing outgoing(EventType type, String payload, String eventId, DeliveryContentType chosen);

    /** What the receiver's answer (its status, body, and the Retry-After header if any) means. */
    Verdict verdictOn(int status, String body, Optional<Duration> retryAfterHeader);

    /** The kind with this wire name, or a 400 that names {@code field} and the choices. */
    static Destination fromWire(String field, String value) {
        for (Destination d : ALL) {
            if (d.wireName().equals(value)) {
                return d;
            }
        }
        throw new Problem.Invalid("invalid_field", field + " must be one of " + allNames() + " (got '" + value + "')");
    }

    static String allNames() {
        return ALL.stream().map(Destination::wireName).collect(Collectors.joining(", "));
    }

    /** The bytes of one delivery and the content-type they are labelled with. */
    record Outgoing(byte[] body, DeliveryContentType contentType) {
    }
}
