package io.chatwire.delivery;

import io.chatwire.endpoint.DeliveryContentType;
import java.net.URI;
import java.util.Map;

/**
 * How a signed attempt reaches its endpoint: the seam between deciding what to send (the
 * {@link Dispatcher}) and moving the bytes. {@link HttpDeliverer} dials the URL; other transports
 * (the relay of {@code chatwire listen}) carry it over a connection the receiver opened.
 */
public interface DeliveryTransport {
    /** Sends the body with the headers, labelled with the content type; never throws for the network. */
    AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers, byte[] body);
}
