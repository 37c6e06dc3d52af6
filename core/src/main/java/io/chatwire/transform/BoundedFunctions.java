package io.chatwire.transform;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.JException;
import java.util.List;

/**
 * JSONata's built-ins that can make a string far larger than their arguments in one call ($pad's
 * width, $join's separator, $replace's replacement), held to {@link Program#MAX_STRING} before they
 * run: the size check on each step's result would come only after the memory was taken. Public only
 * because the engine calls these by reflection.
 */
public final class BoundedFunctions {
    private BoundedFunctions() {
    }

    /** JSONata's $pad, in linear time (the engine's own interns its strings and slows down with width). */
    public static String pad(String str, Number width, String padding) {
        if (str == null) {
            return null;
        }
        if (Math.abs(width.doubleValue()) > Program.MAX_STRING) {
            throw tooLong("$pad");
        }
        int[] with = (padding == null || padding.isEmpty() ? " " : padding).codePoints().toArray();
        int pads = Math.abs(width.intValue()) - str.codePointCount(0, str.length());
        if (pads <= 0) {
            return str;
        }
        StringBuilder fill = new StringBuilder(pads);
        for (int i = 0; i < pads; i++) {
            fill.appendCodePoint(with[i % with.length]);
        }
        return width.intValue() < 0 ? fill + str : str + fill;
    }

    public static String join(List<String> strs, String separator) {
        if (strs != null) {
            long total = (long) strs.size() * (separator == null ? 0 : separator.length());
            for (Object s : strs) {
                total += s instanceof String text ? text.length() : 0;
            }
            if (total > Program.MAX_STRING) {
                throw tooLong("$join");
            }
        }
        return Functions.join(strs, separator);
    }

    public static String replace(String str, Object pattern, Object replacement, Integer limit) {
        if (str != null && pattern instanceof String p && !p.isEmpty() && replacement instanceof String r
                && r.length() > p.length()) {
            long matches = 0;
            for (int at = str.indexOf(p); at >= 0 && (limit == null || matches < limit); at = str.indexOf(p, at + p.length())) {
                matches++;
            }
            if (str.length() + matches * (r.length() - p.length()) > Program.MAX_STRING) {
                throw tooLong("$replace");
            }
        }
        return Functions.replace(str, pattern, replacement, limit);
    }

    private static JException tooLong(String function) {
        return new JException(function + " would make a string longer than " + Program.MAX_STRING + " characters", -1);
    }
}
