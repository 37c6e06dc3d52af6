package io.chatwire.transform;

import java.util.Optional;

/**
 * How an endpoint shapes what it gets: a JSONata {@code filter} over the event's payload that decides
 * whether the endpoint gets the event at all, and a JSONata {@code transform} that makes the body it
 * is sent. See docs/transforms.md.
 *
 * @param filteredOut events the filter kept from the endpoint so far (they are no deliveries)
 */
public record Shaping(Optional<String> filter, Optional<String> transform, long filteredOut) {
    public static final Shaping NONE = new Shaping(Optional.empty(), Optional.empty(), 0);

    /** The same expressions, without the count (what a delivery job carries). */
    public static Shaping of(Optional<String> filter, Optional<String> transform) {
        return new Shaping(filter, transform, 0);
    }
}
