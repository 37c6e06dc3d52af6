package io.chatwire.ordering;

import io.chatwire.problem.Problem;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Whether an endpoint gets each conversation's events one at a time, in acceptance order. */
public enum Ordering {
    /** Every delivery goes as soon as it can (the default). */
    NONE,
    /**
     * Deliveries of events with the same {@code conversation_id} are attempted one at a time, in
     * acceptance order; events without one, and different conversations, go in parallel.
     */
    CONVERSATION;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The setting named on the wire, or a 400 naming the field and the values it takes. */
    public static Ordering fromWire(String field, String value) {
        for (Ordering o : values()) {
            if (o.wireName().equals(value)) {
                return o;
            }
        }
        throw new Problem.Invalid("invalid_field", field + " must be one of "
                + Arrays.stream(values()).map(o -> "'" + o.wireName() + "'").collect(Collectors.joining(", ")));
    }
}
