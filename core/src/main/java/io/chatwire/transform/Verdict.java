package io.chatwire.transform;

/** What an endpoint's filter says about one event. */
public sealed interface Verdict {
    /** The endpoint gets the event (also when it has no filter). */
    record Admit() implements Verdict {
    }

    /** The filter kept the event from the endpoint: no delivery, only a count. */
    record Reject() implements Verdict {
    }

    /**
     * The filter failed on the event (it threw or ran too long). The event is not silently lost: the
     * endpoint gets a delivery whose attempt fails with error kind {@code transform} and this message.
     */
    record Broken(String message, java.util.Optional<Position> position) implements Verdict {
    }
}
