package io.chatwire.network;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The address blocks a webhook must never reach unless the operator allows them: everything that
 * is not a public unicast address, after the IANA IPv4 and IPv6 special-purpose address registries.
 * The first matching rule names the refusal, so the more specific blocks come first. Left reachable
 * on purpose: the special-purpose blocks the registries mark globally reachable that answer like any
 * server and lie outside a refused block (AS112 DNS sinks 192.31.196.0/24, 192.175.48.0/24,
 * 2620:4f:8000::/48; AMT relays 192.52.193.0/24).
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
            Rule.of("reserved", "203.0.113.0/24"),
            // The 6to4 relay anycast (RFC 7526 deprecated it): whichever relay is nearest answers,
            // which may be one inside the operator's network, and it forwards into IPv6 unchecked.
            Rule.of("reserved", "192.88.99.0/24"));

    private static final Cidr UNSPECIFIED6 = Cidr.parse("::/128");
    private static final Cidr LOOPBACK6 = Cidr.parse("::1/128");

    private static final List<Rule> IPV6 = List.of(
            Rule.of("unique-local", "fc00::/7"),
            Rule.of("ipv6-link-local", "fe80::/10"),
            Rule.of("multicast", "ff00::/8"),
            // IETF protocol assignments (RFC 2928): Teredo 2001::/32, which hides its IPv4 address
            // obfuscated, benchmarking 2001:2::/48 (often used inside networks), ORCHID, anycast
            // services. None of it is a customer's server.
            Rule.of("reserved", "2001::/23"),
            // Documentation space is never a real server (RFC 3849, RFC 9637).
            Rule.of("reserved", "2001:db8::/32"),
            Rule.of("reserved", "3fff::/20"),
            // Local-use NAT64 (RFC 8215) translates into the operator's own network.
            Rule.of("reserved", "64:ff9b:1::/48"));

    /**
     * Only 2000::/3 is global unicast; anything else left over is not a customer's server: the
     * discard prefix 100::/64, the deprecated IPv4-compatible ::/96 and site-local fec0::/10, and
     * the IPv4-translated ::ffff:0:0:0/96 among them.
     */
    private static final Cidr GLOBAL_UNICAST6 = Cidr.parse("2000::/3");

    /** NAT64's well-known prefix (RFC 6052): a translator reaches the IPv4 address, and nothing else. */
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");

    /**
     * IPv4-mapped addresses, ::ffff:0:0/96: never on the wire; a socket given one dials the IPv4
     * address over IPv4. (Built by hand: Cidr.parse refuses it, as an allow-list entry that could
     * never match.)
     */
    private static final Cidr MAPPED = new Cidr(true, BigInteger.valueOf(0xffff).shiftLeft(32), 96);

    /** IPv6 forms that carry an IPv4 address and reach it. */
    private record Embedding(Cidr block, int offset) {
    }

    private static final List<Embedding> EMBEDDINGS = List.of(
            new Embedding(Cidr.parse("::ffff:0:0:0/96"), 12),  // IPv4-translated (SIIT)
            new Embedding(NAT64, 12),
            new Embedding(Cidr.parse("::/96"), 12),            // IPv4-compatible (deprecated, still routed by some stacks)
            new Embedding(Cidr.parse("2002::/16"), 2));        // 6to4

    static Optional<String> ipv4Rule(Inet4Address address) {
        byte[] bytes = address.getAddress();
        return IPV4.stream().filter(r -> r.block().contains(bytes)).map(Rule::name).findFirst();
    }

    /**
     * The rule for an IPv6 address. One that carries an IPv4 address is refused when that address
     * would be, under that address's rule (the telling one: "loopback" for ::127.0.0.1); then it must
     * pass as IPv6 too, except through NAT64, which reaches the public IPv4 address and nothing else.
     */
    static Optional<String> ipv6Rule(Inet6Address address) {
        byte[] bytes = address.getAddress();
        Optional<String> carriedRule = embeddedIpv4(bytes).flatMap(Ranges::ipv4Rule);
        if (carriedRule.isPresent()) {
            return carriedRule;
        }
        if (NAT64.contains(bytes)) {
            return Optional.empty();
        }
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

    /**
     * The address a socket actually dials: an IPv4-mapped IPv6 address is dialled as its IPv4
     * address, over IPv4 (Java already reads the literal ::ffff:a.b.c.d as IPv4, but a resolver may
     * hand back an Inet6Address with those bytes). Every other address is dialled as it is.
     */
    static InetAddress dialled(InetAddress address) {
        if (address instanceof Inet6Address v6 && MAPPED.contains(v6.getAddress())) {
            byte[] v4 = new byte[4];
            System.arraycopy(v6.getAddress(), 12, v4, 0, 4);
            return ipv4(v4);
        }
        return address;
    }

    /** The IPv4 address an IPv6 address carries, if it is one of the forms that reach it. */
    private static Optional<Inet4Address> embeddedIpv4(byte[] bytes) {
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
