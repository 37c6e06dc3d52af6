package io.chatwire.event;

import io.chatwire.problem.Problem;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** The kinds of event the chatbot platform forwards, by their Chat Data names. */
public enum EventType {
    CHAT("chat"),
    LEAD_SUBMISSION("lead-submission"),
    LIVE_CHAT_ESCALATION("live-chat-escalation");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static EventType fromWire(String field, String value) {
        return Arrays.stream(values())
                .filter(t -> t.wireName.equals(value))
                .findFirst()
                .orElseThrow(() -> new Problem.Invalid("invalid_event_type",
                        field + " must be one of " + allNames() + " (got '" + value + "')"));
    }

    public static String allNames() {
        return Arrays.stream(values()).map(EventType::wireName).collect(Collectors.joining(", "));
    }

    /** Stored as a comma-separated list of wire names. */
    public static String toColumn(Set<EventType> types) {
        return types.stream().sorted().map(EventType::wireName).collect(Collectors.joining(","));
    }

    public static Set<EventType> fromColumn(String column) {
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        for (String name : column.split(",")) {
            if (!name.isBlank()) {
                types.add(fromWire("event_types", name));
            }
        }
        return types;
    }
}
