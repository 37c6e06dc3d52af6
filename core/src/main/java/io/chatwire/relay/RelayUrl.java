package io.chatwire.relay;

import io.chatwire.endpoint.Endpoint;
import java.net.URI;
import java.util.Optional;

/**
 * The stored URL of a relay endpoint, {@code relay://<endpoint id>}: it names the listener's
 * connection, not a host, so nothing ever dials it (the HTTP deliverer's scheme check refuses it
 * should one reach it).
 */
public final class RelayUrl {
    private RelayUrl() {
    }

    public static URI of(String endpointId) {
        return URI.create(Endpoint.RELAY_SCHEME + "://" + endpointId);
    }

    /** The endpoint id a relay URL names; empty for any other URL. */
    public static Optional<String> endpointId(URI url) {
        // The authority, not the host: an id with '_' is no host name to java.net.URI.
        String id = url.getRawAuthority();
        if (!Endpoint.RELAY_SCHEME.equals(url.getScheme()) || id == null || id.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(id);
    }
}
