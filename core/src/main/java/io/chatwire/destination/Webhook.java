package io.chatwire.destination;

import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.event.EventType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/** A receiver of the customer's own: the event byte for byte, any 2xx taken, anything else retried. */
public record Webhook() implements Destination {
    @Override
    public String wireName() {
        return "webhook";
    }

    @Override
    public void checkUrl(URI url, Predicate<URI> operatorAllows) {
        // Any URL the form and network checks accept.
    }

    @Override
    public Outgoing outgoing(EventType type, String payload, String eventId, DeliveryContentType chosen) {
        return new Outgoing(payload.getBytes(StandardCharsets.UTF_8), chosen);
    }

    @Override
    public Verdict verdictOn(int status, String body, Optional<Duration> retryAfterHeader) {
        return status >= 200 && status < 300 ? new Verdict.Taken() : new Verdict.TryAgain(retryAfterHeader);
    }
}
