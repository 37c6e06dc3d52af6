package io.chatwire.network;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The address blocks a webhook must never reach unless the operator allows them: everything that
 * is not a public unicast address. The first matching rule names the refusal, so the more specific
 * blocks come first.
 */
final class Ranges {
    private Ranges() {
    }

    /** One refused block and the word used for it in messages. */
    record Rule(String name, Cidr block) {
        static Rule of(String name, String cidr) {
            return new Rule(name, Cidr.parse(cidr));
        }
    }

    private static final List<Rule> IPV4 = List.of(
            Rule.of("broadcast", "255.255.255.255/32"),
            Rule.of("unspecified", "0.0.0.0/8"),
            Rule.of("loopback", "127.0.0.0/8"),
            Rule.of("private", "10.0.0.0/8"),
            Rule.of("private", "172.16.0.0/12"),
            Rule.of("private", "192.168.0.0/16"),
            // 169.254.169.254 is the cloud metadata service: credentials of the machine Chatwire runs on.
            Rule.of("link-local", "169.254.0.0/16"),
            Rule.of("cgnat", "100.64.0.0/10"),
            Rule.of("multicast", "224.0.0.0/4"),
            Rule.of("reserved", "240.0.0.0/4"),
            // Protocol assignments, documentation and benchmarking blocks: never a customer's server,
            // and benchmarking space is often used inside private networks.
            Rule.of("reserved", "192.0.0.0/24"),
            Rule.of("reserved", "192.0.2.0/24"),
            Rule.of("reserved", "198.18.0.0/15"),
            Rule.of("reserved", "198.51.100.0/24"),
            Rule.of("reserved", "203.0.113.0/24"));

    private static final Cidr UNSPECIFIED6 = Cidr.parse("::/128");
    private static final Cidr LOOPBACK6 = Cidr.parse("::1/128");

    private static final List<Rule> IPV6 = List.of(
            Rule.of("unique-local", "fc00::/7"),
            Rule.of("ipv6-link-local", "fe80::/10"),
            Rule.of("multicast", "ff00::/8"),
            // Teredo hides its IPv4 address obfuscated; documentation space is never a real server.
            Rule.of("reserved", "2001::/32"),
            Rule.of("reserved", "2001:db8::/32"),
            // Local-use NAT64 (RFC 8215) translates into the operator's own network.
            Rule.of("reserved", "64:ff9b:1::/48"));

    /** Only 2000::/3 is global unicast; anything else left over is not a customer's server. */
    private static final Cidr GLOBAL_UNICAST6 = Cidr.parse("2000::/3");

    /** IPv6 forms that carry an IPv4 address and reach it: the IPv4 address decides. */
    private record Embedding(Cidr block, int offset) {
    }

    private static final List<Embedding> EMBEDDINGS = List.of(
            new Embedding(Cidr.parse("::ffff:0:0/96"), 12),    // IPv4-mapped
            new Embedding(Cidr.parse("::ffff:0:0:0/96"), 12),  // IPv4-translated (SIIT)
            new Embedding(Cidr.parse("64:ff9b::/96"), 12),     // NAT64 well-known prefix
            new Embedding(Cidr.parse("::/96"), 12),            // IPv4-compatible (deprecated, still routed by some stacks)
            new Embedding(Cidr.parse("2002::/16"), 2));        // 6to4

    static Optional<String> ipv4Rule(Inet4Address address) {
        byte[] bytes = address.getAddress();
        return IPV4.stream().filter(r -> r.block().contains(bytes)).map(Rule::name).findFirst();
    }

    /** The rule for an IPv6 address that embeds no IPv4 address. */
    static Optional<String> ipv6Rule(byte[] bytes) {
        if (UNSPECIFIED6.contains(bytes)) {
            return Optional.of("unspecified");
        }
        if (LOOPBACK6.contains(bytes)) {
            return Optional.of("loopback");
        }
        Optional<String> named = IPV6.stream().filter(r -> r.block().contains(bytes)).map(Rule::name).findFirst();
        if (named.isPresent() || GLOBAL_UNICAST6.contains(bytes)) {
            return named;
        }
        return Optional.of("reserved");
    }

    /** The IPv4 address an IPv6 address carries, if it is one of the forms that reach it. */
    static Optional<Inet4Address> embeddedIpv4(Inet6Address address) {
        byte[] bytes = address.getAddress();
        if (UNSPECIFIED6.contains(bytes) || LOOPBACK6.contains(bytes)) {
            return Optional.empty();
        }
        for (Embedding e : EMBEDDINGS) {
            if (e.block().contains(bytes)) {
                byte[] v4 = new byte[4];
                System.arraycopy(bytes, e.offset(), v4, 0, 4);
                return Optional.of(ipv4(v4));
            }
        }
        return Optional.empty();
    }

    static Inet4Address ipv4(byte[] four) {
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
