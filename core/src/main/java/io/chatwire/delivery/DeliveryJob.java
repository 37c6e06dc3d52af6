package io.chatwire.delivery;

import io.chatwire.destination.Destination;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.event.EventType;
import io.chatwire.policy.JobPolicy;
import io.chatwire.signing.SecretSet;
import io.chatwire.transform.Shaping;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One leased delivery, with everything its attempt needs, so that the attempt itself reads nothing
 * from the database.
 *
 * @param version the row version the lease was taken at; the attempt's record must find it unchanged
 * @param attempts attempts made so far, over every cycle
 * @param cycleAttempts attempts made in the current retry cycle (a resend starts a new cycle)
 * @param url empty when the endpoint was deleted
 * @param contentType the endpoint's; when it was deleted, a stand-in (nothing is sent then)
 * @param accountHasWebhooks false once the account is on the free plan (a downgrade after the event)
 * @param testEvent true for the sample sent by "send test event": its attempts are logged and tell the
 *     endpoint's health, but are not counted in the delivery analytics, which measure real traffic
 * @param policy the endpoint's own rate limit, retry schedule, timeout and static headers
 * @param kind the endpoint's kind: what the event becomes on the wire and how the answer reads
 * @param shaping the endpoint's filter and transform as they are now (none when it was deleted)
 * @param sequence the delivery's place in its conversation, for an ordered one
 */
public record DeliveryJob(
        String deliveryId,
        long version,
        int attempts,
        int cycleAttempts,
        Cause cause,
        String accountId,
        String eventId,
        EventType eventType,
        String payload,
        String endpointId,
        Optional<URI> url,
        DeliveryContentType contentType,
        boolean endpointEnabled,
        boolean accountHasWebhooks,
        boolean testEvent,
        SecretSet secrets,
        JobPolicy policy,
        Destination kind,
        Shaping shaping,
        Optional<io.chatwire.ordering.Sequence> sequence) {

    /** Why an attempt is made. */
    public enum Cause {
        SCHEDULED, MANUAL;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public byte[] payloadBytes() {
        return payload.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DeliveryJob[" + deliveryId + " event=" + eventId + " endpoint=" + endpointId + "]";
    }
}
