package io.chatwire.transform;

import java.util.Map;

/** What an endpoint's shaping makes of one event, just before it is signed and sent. */
public sealed interface Shaped {
    /** These bytes, with these extra headers, are what is signed and sent. */
    record Send(byte[] body, Map<String, String> headers) implements Shaped {
    }

    /** The transform chose to send nothing for this event. */
    record Drop(String reason) implements Shaped {
    }

    /** The filter or transform failed: the attempt fails with error kind {@code transform}. */
    record Broken(String message, java.util.Optional<Position> position) implements Shaped {
    }
}
