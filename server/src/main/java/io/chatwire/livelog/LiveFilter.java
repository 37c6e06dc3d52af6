package io.chatwire.livelog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The filters a live stream takes: the attempt list's, each optional. */
public record LiveFilter(Optional<String> outcome, Optional<String> endpointId, Optional<String> chatbotId,
        Optional<String> eventType, Optional<String> eventId) {

    /** Column to required value, for the filters that are set. */
    Map<String, String> conditions() {
        Map<String, String> set = new LinkedHashMap<>();
        outcome.ifPresent(v -> set.put("t.outcome", v));
        endpointId.ifPresent(v -> set.put("t.endpoint_id", v));
        chatbotId.ifPresent(v -> set.put("e.chatbot_id", v));
        eventType.ifPresent(v -> set.put("e.event_type", v));
        eventId.ifPresent(v -> set.put("t.event_id", v));
        return set;
    }
}
