package io.chatwire.delivery;

import io.chatwire.endpoint.DeliveryContentType;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a signed attempt reaches its endpoint: the seam between deciding what to send (the
 * {@link Dispatcher}) and moving the bytes. {@link HttpDeliverer} dials the URL; other transports
 * (the relay of {@code chatwire listen}) carry it over a connection the receiver opened.
 */
public interface DeliveryTransport {
    /** Sends the body with the headers, labelled with the content type; never throws for the network. */
    AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers, byte[] body);

    /**
     * As {@link #post(URI, DeliveryContentType, Map, byte[])}, within the endpoint's own timeout when it
     * has one; a transport with no timeout of its own to shorten ignores it.
     */
    default AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers, byte[] body,
            Optional<Duration> timeout) {
        return post(url, contentType, headers, body);
    }
}
