package io.chatwire.ordering;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where an ordered delivery stands in its conversation: positions count from 1, one per ordered
 * delivery of the conversation to the endpoint, in acceptance order.
 *
 * @param conversation the conversation's key ({@link #key(String)})
 */
public record Sequence(String conversation, long position) {
    /**
     * Carries {@link #position()} on every ordered delivery, so that a receiver can notice a gap (a
     * released delivery) or a repeat (at-least-once after a crash).
     */
    public static final String HEADER = "x-chatwire-sequence";

    /** Conversation ids up to this length are their own key; longer ones are keyed by their hash. */
    static final int LONGEST_PLAIN_KEY = 200;

    /**
     * The key a conversation is ordered by: its id, or for an id too long to index cheaply (the body
     * limit is the only bound on it), {@code sha256:} and the id's hash. Empty for a blank id: such
     * events are not ordered.
     */
    public static Optional<String> key(String conversationId) {
        if (conversationId == null || conversationId.isBlank()) {
            return Optional.empty();
        }
        if (conversationId.length() <= LONGEST_PLAIN_KEY) {
            return Optional.of(conversationId);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(conversationId.getBytes(StandardCharsets.UTF_8));
            return Optional.of("sha256:" + HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The request's headers with the position added when the delivery is ordered. */
    public static Map<String, String> withHeader(Map<String, String> headers, Optional<Sequence> sequence) {
        if (sequence.isEmpty()) {
            return headers;
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(HEADER, Long.toString(sequence.get().position()));
        return all;
    }
}
