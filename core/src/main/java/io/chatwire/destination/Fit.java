package io.chatwire.destination;

import java.text.BreakIterator;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Untrusted text made to fit a field of a service: escaped for its markup code point by code point,
 * and, when too long, cut between two characters as people see them (never inside a surrogate pair,
 * an emoji sequence or an escape) with a visible note of how much was left out. Lengths are counted
 * in UTF-16 units, which is never less than what either service counts.
 */
final class Fit {
    /** How a service escapes one code point of untrusted text for its markup. */
    interface Escaping extends IntFunction<String> {
        Escaping NONE = Character::toString;
    }

    private Fit() {
    }

    /** The escaped text, whole if it fits in {@code max} units, else cut with a note; empty text stays empty. */
    static String text(String raw, int max, Escaping escaping) {
        String whole = escapeAll(raw, escaping);
        if (whole.length() <= max) {
            return whole;
        }
        int totalPoints = raw.codePointCount(0, raw.length());
        // The note is sized for the largest count it may carry, so it always fits after the cut.
        int noteRoom = note(totalPoints).length();
        if (max <= noteRoom) {
            return note(totalPoints).substring(0, Math.max(0, max)).strip();
        }
        int room = max - noteRoom;
        StringBuilder kept = new StringBuilder();
        int keptPoints = 0;
        BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
        graphemes.setText(raw);
        int start = graphemes.first();
        for (int end = graphemes.next(); end != BreakIterator.DONE; start = end, end = graphemes.next()) {
            String piece = escapeAll(raw.substring(start, end), escaping);
            if (kept.length() + piece.length() > room) {
                break;
            }
            kept.append(piece);
            keptPoints += raw.codePointCount(start, end);
        }
        String shown = kept.toString().stripTrailing();
        // Trailing whitespace is never escaped: what strip removed is that many code points left out.
        return shown + note(totalPoints - keptPoints + (kept.length() - shown.length()));
    }

    /** The note that ends a cut text: it says that, and how much, is missing. */
    static String note(int leftOut) {
        return " … [cut: " + leftOut + " more characters]";
    }

    /**
     * The text without what no service should get: a lone surrogate (not encodable as UTF-8) becomes
     * U+FFFD, and control characters but newline and tab are dropped.
     */
    static String clean(String raw) {
        return escapeAll(raw, Escaping.NONE);
    }

    private static String escapeAll(String raw, Escaping escaping) {
        StringBuilder out = new StringBuilder(raw.length() + 16);
        raw.codePoints().forEach(cp -> {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                out.append('\uFFFD'); // A lone surrogate cannot be sent as UTF-8.
            } else if (Character.isISOControl(cp) && cp != '\n' && cp != '\t') {
                return; // Invisible at best; some services refuse them.
            } else {
                out.append(escaping.apply(cp));
            }
        });
        return out.toString();
    }
}
