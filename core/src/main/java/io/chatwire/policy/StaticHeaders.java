package io.chatwire.policy;

import io.chatwire.problem.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Headers an endpoint's owner wants on every delivery (a receiver's own auth token, say). Their values
 * are secrets: they are stored sealed, cut out of echoed answers in the attempt log, shown in the API
 * by name only, and {@link #toString()} masks them so that logging a value object cannot leak one.
 */
public record StaticHeaders(Map<String, String> values) {
    public static final StaticHeaders NONE = new StaticHeaders(Map.of());
    public static final int MAX_COUNT = 20;
    public static final int MAX_NAME_LENGTH = 64;
    public static final int MAX_VALUE_LENGTH = 1024;
    public static final int MAX_TOTAL_BYTES = 8 * 1024;

    /**
     * Names Chatwire sets itself, or that belong to the connection rather than the message (hop-by-hop,
     * RFC 9110 §7.6.1), or that would change how the body is read: a static header may not replace them.
     */
    public static final Set<String> RESERVED_NAMES = Set.of("content-type", "content-length", "content-encoding",
            "transfer-encoding", "host", "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "upgrade", "expect", "user-agent", "date", "cookie",
            "forwarded", "via", "max-forwards", "http2-settings");
    /** Prefixes of the signature headers (Standard Webhooks, Chat Data) and of Chatwire's own. */
    public static final List<String> RESERVED_PREFIXES = List.of("webhook-", "x-chat-data-", "x-chatwire-",
            "x-forwarded-", "sec-", ":");

    public StaticHeaders {
        // Sorted, case kept as given: the order of the API's list and of the stored form is stable.
        values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** The headers with names and values checked; a refusal says which rule was broken. */
    public static StaticHeaders checked(Map<String, String> values) {
        Set<String> seen = new java.util.HashSet<>();
        int bytes = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            String name = checkName(e.getKey());
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw invalid("header " + name + " is named twice (names are case-insensitive)");
            }
            checkValue(name, e.getValue());
            bytes += name.length() + e.getValue().length() + 4;
        }
        if (values.size() > MAX_COUNT) {
            throw invalid("an endpoint has at most " + MAX_COUNT + " static headers (got " + values.size() + ")");
        }
        if (bytes > MAX_TOTAL_BYTES) {
            throw invalid("the static headers together must stay under " + MAX_TOTAL_BYTES + " bytes");
        }
        return new StaticHeaders(values);
    }

    /** The name if it may be a static header's (a token, not reserved); refused (400) otherwise. */
    public static String checkName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw invalid("a header name is 1 to " + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!token) {
                throw invalid("header name '" + printable(name)
                        + "' may hold only letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 token)");
            }
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED_NAMES.contains(lower) || RESERVED_PREFIXES.stream().anyMatch(lower::startsWith)) {
            throw new Problem.Invalid("reserved_header", "header " + name
                    + " is reserved: Chatwire sets it, or it belongs to the connection (see docs/policies.md)");
        }
        return name;
    }

    private static void checkValue(String name, String value) {
        if (value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
            throw invalid("the value of header " + name + " is 1 to " + MAX_VALUE_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                throw invalid("the value of header " + name
                        + " may hold only printable ASCII (no line breaks or control characters)");
            }
        }
        if (value.strip().length() != value.length()) {
            throw invalid("the value of header " + name + " may not start or end with white space");
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static Problem.Invalid invalid(String message) {
        return new Problem.Invalid("invalid_header", message);
    }

    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * These headers with the edit applied: a name given a value is set (replacing one of the same name
     * in any case), a name given empty is removed.
     */
    public StaticHeaders merged(Map<String, Optional<String>> edit) {
        Map<String, String> result = new LinkedHashMap<>(values);
        edit.forEach((name, value) -> {
            result.keySet().removeIf(n -> n.equalsIgnoreCase(name));
            value.ifPresent(v -> result.put(name, v));
        });
        return checked(result);
    }

    /** One {@code name: value} a line: names are tokens and values hold no line break. */
    String stored() {
        List<String> lines = new ArrayList<>();
        values.forEach((name, value) -> lines.add(name + ": " + value));
        return String.join("\n", lines);
    }

    static StaticHeaders fromStored(String stored) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : stored.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                values.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return new StaticHeaders(values);
    }

    @Override
    public String toString() {
        return "StaticHeaders" + names() + " (values hidden)";
    }
}
