package io.chatwire.abuse;

import io.chatwire.network.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who is calling, as far as it can be known: the address of the connection's other end, unless that
 * is one of the operator's reverse proxies ({@code CHATWIRE_TRUSTED_PROXIES}). Then the address comes
 * from what the proxies recorded, {@code X-Forwarded-For} or RFC 7239 {@code Forwarded}, read from
 * the right: each proxy appends the address it saw, so the right-most address that is not a trusted
 * proxy is the client; everything left of it was written by the client and proves nothing.
 *
 * <p>A header from a peer that is not a trusted proxy is never read: anyone can send one. An entry
 * that is not an address ({@code unknown}, an obfuscated {@code _name}, garbage) ends the walk at the
 * last trusted hop. When a request carries both headers and they name different clients, one of them
 * passed the proxy untouched (a proxy sets one, the client wrote the other), and which one is unknown:
 * the proxy's own address is used, which a client cannot choose. Only literals are read; no name is
 * ever looked up.
 */
public final class ClientAddresses {
    /** For a peer that is not an IP address (never over TCP): all such requests count as one. */
    private static final InetAddress UNKNOWN = InetAddress.ofLiteral("0.0.0.0");

    private final List<Cidr> trustedProxies;

    public ClientAddresses(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * @param peer the connection's remote address
     * @param xForwardedFor every X-Forwarded-For header line, in order
     * @param forwarded every Forwarded header line, in order
     */
    public InetAddress resolve(String peer, List<String> xForwardedFor, List<String> forwarded) {
        InetAddress direct = literal(peer).orElse(UNKNOWN);
        if (!trusted(direct)) {
            return direct;
        }
        Optional<InetAddress> byXff = xForwardedFor.isEmpty() ? Optional.empty()
                : Optional.of(rightMostUntrusted(direct, xffNodes(xForwardedFor)));
        Optional<InetAddress> byForwarded = forwarded.isEmpty() ? Optional.empty()
                : Optional.of(rightMostUntrusted(direct, forwardedNodes(forwarded)));
        if (byXff.isPresent() && byForwarded.isPresent() && !byXff.get().equals(byForwarded.get())) {
            return direct;
        }
        return byXff.or(() -> byForwarded).orElse(direct);
    }

    private boolean trusted(InetAddress address) {
        for (Cidr proxy : trustedProxies) {
            if (proxy.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private InetAddress rightMostUntrusted(InetAddress direct, List<String> nodes) {
        InetAddress current = direct;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = literal(nodes.get(i));
            if (hop.isEmpty()) {
                return current;
            }
            current = hop.get();
            if (!trusted(current)) {
                return current;
            }
        }
        return current;
    }

    private static List<String> xffNodes(List<String> headers) {
        List<String> nodes = new ArrayList<>();
        for (String line : headers) {
            nodes.addAll(split(line, ','));
        }
        return nodes;
    }

    /** The {@code for=} of each element; an element without one is an unknown hop. */
    static List<String> forwardedNodes(List<String> headers) {
        List<String> nodes = new ArrayList<>();
        for (String line : headers) {
            for (String element : split(line, ',')) {
                String node = "";
                for (String pair : split(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                        node = pair.substring(eq + 1).strip();
                    }
                }
                nodes.add(node);
            }
        }
        return nodes;
    }

    /** Splits on {@code separator} outside quoted strings (RFC 7230), keeping the quotes. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\' && i + 1 < text.length()) {
                part.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(part.toString().strip());
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        parts.add(part.toString().strip());
        return parts;
    }

    /**
     * An IP literal as proxies write it: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1},
     * {@code [2001:db8::1]:4711}, possibly quoted; anything else is empty.
     */
    static Optional<InetAddress> literal(String node) {
        String t = node.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1).replace("\\", "");
        }
        String host;
        if (t.startsWith("[")) {
            int end = t.indexOf(']');
            if (end < 0 || !t.substring(end + 1).matches("(:\\d{1,5})?")) {
                return Optional.empty();
            }
            host = t.substring(1, end);
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':')); // a.b.c.d:port
            if (!t.substring(t.indexOf(':') + 1).matches("\\d{1,5}")) {
                return Optional.empty();
            }
        } else {
            host = t;
        }
        if (host.isEmpty() || host.length() > 45 || !host.matches("[0-9A-Fa-f.:]+")
                || (!host.contains(":") && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.ofLiteral(host));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
