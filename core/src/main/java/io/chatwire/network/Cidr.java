package io.chatwire.network;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A block of addresses, {@code 10.0.0.0/8} or {@code fc00::/7}, as an operator writes it in
 * CHATWIRE_ALLOWED_TARGETS. The address is held as a number so that the check is plain arithmetic,
 * and an IPv6 block stays IPv6 even where Java would turn its address into an IPv4 one.
 */
public record Cidr(boolean ipv6, BigInteger network, int prefix) {

    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = ipv6 ? 128 : 32;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix must be 0-" + bits + " (got " + prefix + ")");
        }
        // Host bits are dropped: "10.1.2.3/8" means the same block as "10.0.0.0/8".
        network = network.shiftRight(bits - prefix).shiftLeft(bits - prefix);
    }

    /**
     * Parses {@code address/prefix}, or a bare address (a block of one). Only plain literals are
     * accepted here, and no name is ever looked up.
     *
     * @throws IllegalArgumentException naming the entry when it is not a CIDR
     */
    public static Cidr parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        boolean ipv6 = address.contains(":");
        int prefix;
        try {
            prefix = slash < 0 ? (ipv6 ? 128 : 32) : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: the prefix after / must be a number");
        }
        if (!ipv6 && !address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: write an IPv4 block as a.b.c.d/n"
                    + " or an IPv6 block as x:x::/n");
        }
        InetAddress literal;
        try {
            literal = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: '" + address + "' is not an IP address");
        }
        // Java reads "::ffff:a.b.c.d" as an IPv4 address; an IPv6 block must keep its 128 bits.
        byte[] bytes = ipv6 ? sixteenBytes(literal) : literal.getAddress();
        Cidr block;
        try {
            block = new Cidr(ipv6, new BigInteger(1, bytes), prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR: " + e.getMessage());
        }
        if (ipv6 && prefix >= 96 && isIpv4Mapped(bytes)) {
            // An entry must mean exactly the addresses it names, and these are only ever dialled as IPv4.
            Cidr same = new Cidr(false, new BigInteger(1, new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]}), prefix - 96);
            throw new IllegalArgumentException("'" + text + "' would never match: IPv4-mapped addresses (::ffff:a.b.c.d)"
                    + " are dialled as their IPv4 address; write " + same);
        }
        return block;
    }

    private static boolean isIpv4Mapped(byte[] sixteen) {
        for (int i = 0; i < 10; i++) {
            if (sixteen[i] != 0) {
                return false;
            }
        }
        return sixteen[10] == (byte) 0xff && sixteen[11] == (byte) 0xff;
    }

    /** Whether the address lies in this block; an IPv4 address is never in an IPv6 block, nor the reverse. */
    public boolean contains(InetAddress address) {
        return switch (address) {
            case Inet4Address v4 when !ipv6 -> inBlock(v4.getAddress(), 32);
            case Inet6Address v6 when ipv6 -> inBlock(v6.getAddress(), 128);
            default -> false;
        };
    }

    boolean contains(byte[] address) {
        return address.length == (ipv6 ? 16 : 4) && inBlock(address, ipv6 ? 128 : 32);
    }

    private boolean inBlock(byte[] address, int bits) {
        return new BigInteger(1, address).shiftRight(bits - prefix).shiftLeft(bits - prefix).equals(network);
    }

    static byte[] sixteenBytes(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    @Override
    public String toString() {
        int length = ipv6 ? 16 : 4;
        byte[] big = network.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(big.length, length);
        System.arraycopy(big, big.length - copy, bytes, length - copy, copy);
        String address;
        if (ipv6) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i += 2) {
                sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
            }
            address = sb.toString().replaceFirst("(^|:)(0(:|$)){2,}", "::").replaceFirst(":::", "::");
        } else {
            address = (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        return address + "/" + prefix;
    }
}
