package io.chatwire.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a URL's host denotes, read without DNS. An IPv4 address has many spellings besides
 * {@code 127.0.0.1} that C resolvers (inet_aton) and browsers accept: {@code 2130706433},
 * {@code 0177.0.0.1}, {@code 0x7f.0.0.1}, {@code 127.1}. Were they passed to a resolver as names, a
 * check on the "name" would miss the address the socket ends up dialling, so they are parsed here
 * the way inet_aton does. A host whose last label is a number is an address or nothing: no real
 * top-level domain is numeric, so such a host is never handed to a resolver.
 */
sealed interface HostSpelling {
    /** An IP address written out, in any accepted spelling. */
    record Literal(InetAddress address) implements HostSpelling {
    }

    /** A name to be resolved. */
    record Name(String name) implements HostSpelling {
    }

    /** Looks like an address but is not a valid one; never resolved, never dialled. */
    record Malformed(String host, String why) implements HostSpelling {
    }

    Pattern NUMBER = Pattern.compile("0[xX][0-9a-fA-F]*|[0-9]+");

    /** DNS limits (RFC 1035): a name no resolver can look up is refused here, not sent to one. */
    int MAX_NAME = 253;
    int MAX_LABEL = 63;

    static HostSpelling of(String raw) {
        String host = raw == null ? "" : raw.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new Malformed(raw, "the host is empty");
        }
        if (host.contains(":")) {
            try {
                return new Literal(InetAddress.ofLiteral(host));
            } catch (IllegalArgumentException e) {
                return new Malformed(raw, "not a valid IPv6 address");
            }
        }
        // Like a browser, a single trailing dot (the DNS root) does not change what the host denotes.
        String trimmed = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = trimmed.split("\\.", -1);
        if (!NUMBER.matcher(parts[parts.length - 1]).matches()) {
            return name(raw, host, trimmed, parts);
        }
        return ipv4(raw, parts);
    }

    private static HostSpelling name(String raw, String host, String trimmed, String[] labels) {
        if (trimmed.length() > MAX_NAME) {
            return new Malformed(raw, "a host name is at most " + MAX_NAME + " characters (this one has "
                    + trimmed.length() + ")");
        }
        for (String label : labels) {
            if (label.length() > MAX_LABEL) {
                return new Malformed(raw, "each dot-separated part of a host name is at most " + MAX_LABEL
                        + " characters (one has " + label.length() + ")");
            }
        }
        return new Name(host.toLowerCase(Locale.ROOT));
    }

    /** inet_aton: 1 to 4 parts; the last fills all remaining bytes (a, a.b = 8.24, a.b.c = 8.8.16, a.b.c.d). */
    private static HostSpelling ipv4(String raw, String[] parts) {
        if (parts.length > 4) {
            return new Malformed(raw, "an IPv4 address has at most 4 parts");
        }
        long value = 0;
        for (int i = 0; i < parts.length; i++) {
            long part = number(parts[i]);
            boolean last = i == parts.length - 1;
            long max = last ? (1L << (8 * (4 - i))) - 1 : 255;
            if (part < 0 || part > max) {
                return new Malformed(raw, "'" + parts[i] + "' is not a valid part of an IPv4 address");
            }
            value = last ? value | part : value | (part << (8 * (3 - i)));
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        Inet4Address address = Ranges.ipv4(bytes);
        return new Literal(address);
    }

    /** A part in hex (0x..), octal (leading 0) or decimal; -1 when it is none of them or too large. */
    private static long number(String part) {
        if (!NUMBER.matcher(part).matches()) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        digits = digits.replaceFirst("^0+", "");
        if (digits.isEmpty()) {
            return 0;
        }
        if (digits.length() > 12) {
            return -1;
        }
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            return -1;  // 8 or 9 in an octal part
        }
    }
}
