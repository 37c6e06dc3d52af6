package io.chatwire.examples.history.event;

import java.util.List;
import java.util.Optional;

/** What a verified delivery means to the history. */
public sealed interface HistoryEvent {
    String type();

    Optional<String> conversationId();

    Optional<String> leadUuid();

    /**
     * A chat turn: {@code transcript} is the event's {@code messages} (the history so far, repeated in
     * every event) followed by its {@code answer}.
     */
    record Chat(String chatbotId, Optional<String> conversationId, Optional<String> leadUuid, String source,
            List<Turn> transcript) implements HistoryEvent {
        public Chat {
            transcript = List.copyOf(transcript);
        }

        @Override
        public String type() {
            return "chat";
        }
    }

    /** A visitor filled in the lead form: {@code leadJson} is the event's whole {@code lead} object. */
    record LeadSubmission(String chatbotId, Optional<String> conversationId, Optional<String> leadUuid,
            Optional<String> name, Optional<String> email, Optional<String> phone, String leadJson) implements HistoryEvent {
        @Override
        public String type() {
            return "lead-submission";
        }
    }

    /** A visitor asked for a human; {@code lastMessage} is the last message the event carried. */
    record LiveChatEscalation(String chatbotId, Optional<String> conversationId, Optional<String> leadUuid,
            String source, Optional<String> lastMessage) implements HistoryEvent {
        @Override
        public String type() {
            return "live-chat-escalation";
        }
    }

    /** An event type this receiver does not know yet: acknowledged (so it is not retried) and kept as delivered. */
    record Other(String type, Optional<String> conversationId, Optional<String> leadUuid) implements HistoryEvent {
    }
}
