package io.chatwire.transform;

import java.time.Duration;

/**
 * What an expression is for, and so how long one run of it may take. A filter runs while the
 * platform waits for ingest to answer (one per filtered endpoint of the chatbot), so it gets much
 * less time than a transform, which runs on its delivery's own thread. Both are far above what real expressions take (tens of microseconds, see
 * docs/benchmarks.md): they are there to stop runaway ones, also on a loaded machine.
 */
public enum Role {
    FILTER("filter", Duration.ofMillis(100)),
    TRANSFORM("transform", Duration.ofSeconds(1));

    private final String field;
    private final Duration timeLimit;

    Role(String field, Duration timeLimit) {
        this.field = field;
        this.timeLimit = timeLimit;
    }

    /** The name of the endpoint's field (and the preview's). */
    public String field() {
        return field;
    }

    public Duration timeLimit() {
        return timeLimit;
    }
}
