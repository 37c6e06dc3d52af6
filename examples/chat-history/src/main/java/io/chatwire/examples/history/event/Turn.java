package io.chatwire.examples.history.event;

import java.util.Optional;

/** One message of a conversation; {@code score} is the answer's retrieval score, when the event gave one. */
public record Turn(String role, String content, Optional<Double> score) {
    /** The same message: later events repeat a turn without the score its answer had. */
    public boolean sameMessageAs(Turn other) {
        return role.equals(other.role) && content.equals(other.content);
    }
}
