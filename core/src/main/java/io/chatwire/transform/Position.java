package io.chatwire.transform;

import java.util.Optional;

/**
 * Where in an expression something went wrong.
 *
 * @param offset characters from the start (0-based)
 * @param line 1-based
 * @param column 1-based
 */
public record Position(int offset, int line, int column) {

    /**
     * The position the engine reports: it counts the character just past the token where it went
     * wrong, and the answer names that token's last character.
     */
    static Optional<Position> ofEngine(String source, int location) {
        return in(source, location - 1);
    }

    /** The position of a character offset in {@code source}; empty when there is none. */
    static Optional<Position> in(String source, int offset) {
        if (offset < 0) {
            return Optional.empty();
        }
        int at = Math.min(offset, source.length());
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return Optional.of(new Position(at, line, at - lineStart + 1));
    }

    @Override
    public String toString() {
        return "line " + line + ", column " + column + " (offset " + offset + ")";
    }
}
