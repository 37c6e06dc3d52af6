package io.chatwire.examples.history.store;

import io.chatwire.examples.history.event.Turn;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the store gives back to read. */
public final class Views {
    private Views() {
    }

    /** A lead submission or escalation, on its conversation and lead. */
    public record Activity(String type, Optional<String> conversationId, Optional<String> leadUuid, String summary,
            Instant receivedAt) {
    }

    public record Conversation(String conversationId, String chatbotId, Optional<String> leadUuid, String source,
            Instant firstSeen, Instant lastSeen, List<Turn> turns, List<Activity> activity) {
    }

    public record Lead(String leadUuid, Optional<String> name, Optional<String> email, Optional<String> phone,
            Instant firstSeen, Instant lastSeen, List<Conversation> conversations, List<Activity> activity) {
    }

    public record LeadSummary(String leadUuid, Optional<String> name, Optional<String> email, int conversations,
            Instant lastSeen) {
    }
}
