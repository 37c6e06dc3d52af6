package io.chatwire.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which pages may frame the portal: CHATWIRE_PORTAL_FRAME_ANCESTORS, sent as the CSP
 * {@code frame-ancestors} directive. Each source is checked, so that a stray character can never
 * add a directive of its own to the header.
 */
public record FrameAncestors(List<String> sources) {
    private static final Pattern ORIGIN = Pattern.compile(
            "https?://(\\*\\.)?[A-Za-z0-9.-]+(:(\\d{1,5}|\\*))?|https?://\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?");
    public static final FrameAncestors NONE = new FrameAncestors(List.of());

    public FrameAncestors {
        sources = List.copyOf(sources);
    }

    /** Space- or comma-separated origins ({@code https://app.example.com}, {@code https://*.example.com}) or 'self'; empty or 'none' is none. */
    public static FrameAncestors parse(String text) {
        List<String> sources = new ArrayList<>();
        for (String s : text.strip().split("[\\s,]+")) {
            if (s.isEmpty() || s.equals("'none'")) {
                continue;
            }
            if (!s.equals("'self'") && !ORIGIN.matcher(s).matches()) {
                throw new IllegalArgumentException("CHATWIRE_PORTAL_FRAME_ANCESTORS: '" + s + "' is not an origin such as"
                        + " https://app.example.com (or https://*.example.com, or 'self')");
            }
            sources.add(s);
        }
        if (text.contains("'none'") && !sources.isEmpty()) {
            throw new IllegalArgumentException("CHATWIRE_PORTAL_FRAME_ANCESTORS: 'none' cannot be given with origins");
        }
        return new FrameAncestors(sources);
    }

    public boolean none() {
        return sources.isEmpty();
    }

    /** The directive's value. */
    public String directive() {
        return none() ? "'none'" : String.join(" ", sources);
    }

    @Override
    public String toString() {
        return directive();
    }
}
