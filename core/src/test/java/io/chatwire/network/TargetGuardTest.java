package io.chatwire.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.chatwire.problem.Problem;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a webhook may go to, and how hosts in URLs are read. No test touches DNS. */
class TargetGuardTest {
    private static final TargetGuard PUBLIC_ONLY = TargetGuard.publicOnly().withResolver(TargetGuardTest::noDns);

    private static InetAddress[] noDns(String host) throws UnknownHostException {
        throw new UnknownHostException(host + " (no DNS in tests)");
    }

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    /** An IPv6 address exactly as written, even where Java would turn it into an IPv4 address. */
    private static InetAddress ipv6(String literal) {
        try {
            return Inet6Address.getByAddress(null, Cidr.sixteenBytes(InetAddress.ofLiteral(literal)), -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static TargetGuard resolvingTo(String... addresses) {
        return TargetGuard.publicOnly().withResolver(host -> {
            InetAddress[] out = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                out[i] = ip(addresses[i]);
            }
            return out;
        });
    }

    @Nested
    class RefusedIpv4Ranges {
        @ParameterizedTest(name = "{0} is refused as {1}")
        @CsvSource({
                "127.0.0.1, loopback",
                "127.255.255.254, loopback",
                "10.0.0.1, private",
                "10.255.255.255, private",
                "172.16.0.1, private",
                "172.31.255.255, private",
                "192.168.1.1, private",
                "169.254.0.1, link-local",
                "169.254.169.254, link-local",
                "100.64.0.1, cgnat",
                "100.127.255.255, cgnat",
                "0.0.0.0, unspecified",
                "0.1.2.3, unspecified",
                "224.0.0.1, multicast",
                "239.255.255.250, multicast",
                "240.0.0.1, reserved",
                "255.255.255.254, reserved",
                "255.255.255.255, broadcast",
                "192.88.99.1, reserved",
                "192.88.99.255, reserved"})
        void refusedWithItsRule(String address, String rule) {
            assertThat(PUBLIC_ONLY.refusal(ip(address))).contains(rule);
        }

        @ParameterizedTest(name = "{0} is just outside a refused range and allowed")
        @ValueSource(strings = {"172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "11.0.0.1",
                "126.255.255.255", "128.0.0.1", "169.253.255.255", "223.255.255.255", "192.88.98.255", "192.88.100.0"})
        void neighboursOfRefusedRangesAreAllowed(String address) {
            assertThat(PUBLIC_ONLY.refusal(ip(address))).isEmpty();
        }
    }

    @Nested
    class RefusedIpv6Ranges {
        @ParameterizedTest(name = "{0} is refused as {1}")
        @CsvSource({
                "::, unspecified",
                "::1, loopback",
                "fc00::1, unique-local",
                "fd12:3456:789a::1, unique-local",
                "fe80::1, ipv6-link-local",
                "febf:ffff::1, ipv6-link-local",
                "ff02::1, multicast",
                "ff0e::1, multicast"})
        void refusedWithItsRule(String address, String rule) {
            assertThat(PUBLIC_ONLY.refusal(ip(address))).contains(rule);
        }

        @ParameterizedTest(name = "{0} carries a refused IPv4 address and is refused as {1}")
        @CsvSource({
                "::ffff:127.0.0.1, loopback",
                "::ffff:10.0.0.1, private",
                "::ffff:169.254.169.254, link-local",
                "::127.0.0.1, loopback",
                "::10.1.2.3, private",
                "::192.168.0.1, private",
                "64:ff9b::127.0.0.1, loopback",
                "64:ff9b::a9fe:a9fe, link-local",
                "64:ff9b::c0a8:101, private",
                "2002:7f00:1::, loopback"})
        void embeddedIpv4FormsAreJudgedByTheIpv4Address(String address, String rule) {
            assertThat(PUBLIC_ONLY.refusal(ipv6(address))).contains(rule);
        }

        @Test
        void ipv4MappedAddressesAreRefusedHoweverJavaRepresentsThem() {
            assertThat(PUBLIC_ONLY.refusal(ip("::ffff:127.0.0.1"))).contains("loopback");
            assertThat(PUBLIC_ONLY.refusal(ipv6("::ffff:127.0.0.1"))).contains("loopback");
        }

        @ParameterizedTest(name = "{0} is not global unicast and refused as reserved")
        @ValueSource(strings = {"100::1", "2001:db8::1", "2001::1", "64:ff9b:1::a00:1", "fec0::1", "4000::1"})
        void nonGlobalUnicastIsReserved(String address) {
            assertThat(PUBLIC_ONLY.refusal(ip(address))).contains("reserved");
        }

        @ParameterizedTest(name = "{0} is special-purpose space and refused as reserved")
        @ValueSource(strings = {
                "2001:2::1",             // benchmarking (2001::/23, IETF protocol assignments)
                "2001:1::1",             // PCP anycast
                "2001:20::1",            // ORCHIDv2
                "2001:1ff:ffff::1",      // the last of 2001::/23
                "3fff::1",               // documentation (RFC 9637)
                "3fff:fff:ffff::1",
                "::93.184.216.34",       // IPv4-compatible (deprecated) even when the IPv4 address is public
                "::ffff:0:5db8:d822"})   // IPv4-translated (SIIT) likewise
        void specialPurposeIpv6IsReserved(String address) {
            assertThat(PUBLIC_ONLY.refusal(ipv6(address))).contains("reserved");
        }
    }

    @ParameterizedTest(name = "{0} is public and allowed")
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:2800:220:1::1", "2a00:1450:4001::200e",
            "::ffff:93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1", "2001:200::1", "3fff:1000::1"})
    void publicAddressesAreAllowed(String address) {
        assertThat(PUBLIC_ONLY.refusal(ipv6OrIpv4(address))).isEmpty();
    }

    private static InetAddress ipv6OrIpv4(String address) {
        return address.contains(":") ? ipv6(address) : ip(address);
    }

    @Nested
    class OddSpellings {
        @ParameterizedTest(name = "''{0}'' denotes {1}")
        @CsvSource({
                "2130706433, 127.0.0.1",
                "0177.0.0.1, 127.0.0.1",
                "0x7f.0.0.1, 127.0.0.1",
                "0X7F.0.0.1, 127.0.0.1",
                "127.1, 127.0.0.1",
                "127.0.1, 127.0.0.1",
                "0x7f000001, 127.0.0.1",
                "017700000001, 127.0.0.1",
                "0xa9.0xfe.0xa9.0xfe, 169.254.169.254",
                "10.0x10203, 10.1.2.3",
                "0, 0.0.0.0",
                "127.0.0.1., 127.0.0.1",
                "[::1], 0:0:0:0:0:0:0:1"})
        void areReadAsTheAddressTheySpell(String host, String address) throws UnknownHostException {
            assertThat(PUBLIC_ONLY.addressesOf(host)).containsExactly(ip(address));
        }

        @ParameterizedTest(name = "''{0}'' is refused as loopback without asking DNS")
        @ValueSource(strings = {"2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "0x7f000001"})
        void refuseLoopbackHoweverSpelled(String host) throws UnknownHostException {
            assertThat(PUBLIC_ONLY.addressesOf(host)).singleElement()
                    .satisfies(a -> assertThat(PUBLIC_ONLY.refusal(a)).contains("loopback"));
        }

        @ParameterizedTest(name = "''{0}'' is no valid address and is never resolved")
        @ValueSource(strings = {"1.2.3.4.5", "256.0.0.1", "0x100.0.0.1", "09.0.0.1", "4294967296", "1.16777216",
                "example.123", "[::g]"})
        void numberLikeHostsThatAreNoAddressAreMalformed(String host) {
            TargetGuard neverResolves = TargetGuard.publicOnly().withResolver(h -> {
                throw new AssertionError("resolver asked for " + h);
            });
            assertThatThrownBy(() -> neverResolves.addressesOf(host)).isInstanceOf(UnknownHostException.class);
        }

        @ParameterizedTest(name = "''{0}'' is a name")
        @ValueSource(strings = {"example.com", "1password.com", "123.example.org", "0x7f.example", "localhost"})
        void namesGoToTheResolver(String host) {
            assertThat(HostSpelling.of(host)).isInstanceOf(HostSpelling.Name.class);
        }
    }

    @Nested
    class AllowList {
        private final TargetGuard loopbackAllowed = new TargetGuard(
                List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("fd00::/8")), false, TargetGuardTest::noDns);

        @Test
        void anAllowedBlockOverridesTheRefusal() {
            assertThat(loopbackAllowed.refusal(ip("127.0.0.1"))).isEmpty();
            assertThat(loopbackAllowed.refusal(ip("127.9.9.9"))).isEmpty();
            assertThat(loopbackAllowed.refusal(ip("fd00::5"))).isEmpty();
        }

        @Test
        void anIpv4BlockAllowsTheIpv4MappedFormsOfItsAddressesBecauseTheyAreDialledAsIpv4() {
            assertThat(loopbackAllowed.refusal(ip("::ffff:127.0.0.1"))).isEmpty();
            assertThat(loopbackAllowed.refusal(ipv6("::ffff:127.0.0.1"))).isEmpty();
        }

        @ParameterizedTest(name = "{0} is dialled as IPv6 and is not allowed by 127.0.0.1/32")
        @ValueSource(strings = {"::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:0:7f00:1"})
        void anIpv4BlockDoesNotAllowIpv6AddressesThatCarryItsAddresses(String address) {
            TargetGuard onlyLocalhost = new TargetGuard(List.of(Cidr.parse("127.0.0.1/32")), false, TargetGuardTest::noDns);

            assertThat(onlyLocalhost.refusal(ipv6(address))).contains("loopback");
        }

        @ParameterizedTest(name = "http://[{0}]/ is refused at registration with only 127.0.0.1/32 allowed")
        @ValueSource(strings = {"::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::127.0.0.1"})
        void registrationRefusesIpv6FormsOfAnAllowedIpv4Address(String address) {
            TargetGuard onlyLocalhost = new TargetGuard(List.of(Cidr.parse("127.0.0.1/32")), false, TargetGuardTest::noDns);

            assertThatThrownBy(() -> onlyLocalhost.checkRegistration(URI.create("http://[" + address + "]:9000/hook")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("blocked_target"))
                    .hasMessageContaining("loopback");
        }

        @Test
        void addressesOutsideTheAllowedBlocksAreStillRefused() {
            assertThat(loopbackAllowed.refusal(ip("10.0.0.1"))).contains("private");
            assertThat(loopbackAllowed.refusal(ip("::1"))).contains("loopback");
            assertThat(loopbackAllowed.refusal(ip("fc00::1"))).contains("unique-local");
        }

        @Test
        void registrationAcceptsAnAllowedLiteral() {
            assertThatNoException().isThrownBy(
                    () -> loopbackAllowed.checkRegistration(URI.create("http://127.0.0.1:9000/hook")));
        }
    }

    @Nested
    class CidrEntries {
        @ParameterizedTest(name = "''{0}'' is read as {1}")
        @CsvSource({"127.0.0.0/8, 127.0.0.0/8", "10.1.2.3/8, 10.0.0.0/8", "192.0.2.7, 192.0.2.7/32",
                "fc00::/7, fc00::/7", "::1, ::1/128", "2001:db8::/32, 2001:db8::/32"})
        void parsesAndNormalises(String text, String shown) {
            assertThat(Cidr.parse(text)).hasToString(shown);
        }

        @ParameterizedTest(name = "''{0}'' is rejected, naming the entry")
        @ValueSource(strings = {"localhost", "127.0.0.0/33", "10/8", "::/129", "1.2.3.4/x", "fe80::zz/10", ""})
        void rejectsWhatIsNoCidr(String text) {
            assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + text + "'");
        }

        @ParameterizedTest(name = "''{0}'' is rejected: it could never match, write {1}")
        @CsvSource({"::ffff:127.0.0.1, 127.0.0.1/32", "::ffff:10.0.0.0/104, 10.0.0.0/8", "::ffff:0:0/96, 0.0.0.0/0"})
        void rejectsIpv4MappedBlocksNamingTheIpv4Block(String text, String ipv4) {
            assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + text + "'").hasMessageContaining(ipv4);
        }
    }

    @Nested
    class Registration {
        @Test
        void aRefusedLiteralIsABlockedTargetNamingTheRule() {
            assertThatThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("http://127.0.0.1:8080/x")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("blocked_target"))
                    .hasMessage("url points at a loopback address (127.0.0.1); set CHATWIRE_ALLOWED_TARGETS to allow it");
        }

        @Test
        void theMetadataAddressIsRefusedAsLinkLocal() {
            assertThatThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("http://169.254.169.254/latest/meta-data")))
                    .hasMessageContaining("link-local address (169.254.169.254)");
        }

        @Test
        void anOddlySpelledLiteralIsRefusedAsTheAddressItSpells() {
            assertThatThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("http://0177.0.0.1/x")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("blocked_target"))
                    .hasMessageContaining("loopback address (127.0.0.1)");
        }

        @Test
        void anIpv6LiteralInBracketsIsRefused() {
            assertThatThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("https://[fd00::1]/x")))
                    .hasMessageContaining("a unique-local address");
        }

        @Test
        void aNameThatResolvesToAPrivateAddressIsRefused() {
            TargetGuard guard = resolvingTo("10.0.0.7");
            assertThatThrownBy(() -> guard.checkRegistration(URI.create("https://intranet.example/hook")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("blocked_target"))
                    .hasMessageContaining("private address (10.0.0.7)");
        }

        @Test
        void aNameIsRefusedIfAnyOfItsAddressesIsRefused() {
            TargetGuard guard = resolvingTo("93.184.216.34", "127.0.0.1");
            assertThatThrownBy(() -> guard.checkRegistration(URI.create("https://mixed.example/hook")))
                    .hasMessageContaining("loopback");
        }

        @Test
        void aNameThatResolvesToPublicAddressesIsAccepted() {
            TargetGuard guard = resolvingTo("93.184.216.34", "2606:2800:220:1::1");
            assertThatNoException().isThrownBy(() -> guard.checkRegistration(URI.create("https://example.com/hook")));
        }

        @Test
        void aNameThatDoesNotResolveIsAcceptedBecauseDialTimeChecksIt() {
            assertThatNoException().isThrownBy(
                    () -> PUBLIC_ONLY.checkRegistration(URI.create("https://not-yet.example/hook")));
        }

        @ParameterizedTest(name = "a host of {0} characters with a longest label of {1} is an invalid url")
        @CsvSource({"254, 9, 253 characters", "300, 9, 253 characters", "68, 64, 63 characters", "200, 120, 63 characters"})
        void anOverlongHostNameIsAnInvalidUrlNamingTheLimit(int length, int longestLabel, String limit) {
            String host = hostName(length, longestLabel);
            assertThatThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("https://" + host + "/hook")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("invalid_url"))
                    .hasMessageContaining(limit);
        }

        @ParameterizedTest(name = "a host of {0} characters with a longest label of {1} is accepted")
        @CsvSource({"253, 9", "253, 63", "67, 63"})
        void hostNamesUpToTheLimitsAreAccepted(int length, int longestLabel) {
            String host = hostName(length, longestLabel);
            assertThatNoException().isThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("https://" + host + "/hook")));
            assertThatNoException().isThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("https://" + host + "./hook")));
        }

        /** A name of exactly this length whose first label has the given length, ending in ".com". */
        private static String hostName(int length, int firstLabel) {
            StringBuilder name = new StringBuilder("a".repeat(firstLabel));
            int remaining = length - 4 - firstLabel;
            while (remaining > 0) {
                int label = Math.min(9, remaining - 1);
                if (remaining - 1 - label == 1) {
                    label--;  // a dot and one letter must be left for the next label
                }
                name.append('.').append("b".repeat(label));
                remaining -= 1 + label;
            }
            String host = name.append(".com").toString();
            assertThat(host).hasSize(length);
            return host;
        }

        @Test
        void aMalformedNumericHostIsAnInvalidUrl() {
            assertThatThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("http://4294967296/x")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("invalid_url"));
        }

        @Test
        void plainHttpIsRefusedWhenHttpsIsRequired() {
            TargetGuard guard = new TargetGuard(List.of(), true, TargetGuardTest::noDns);
            assertThatThrownBy(() -> guard.checkRegistration(URI.create("http://example.com/hook")))
                    .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("https_required"));
            assertThatNoException().isThrownBy(() -> guard.checkRegistration(URI.create("https://example.com/hook")));
        }

        @Test
        void plainHttpIsAcceptedWhenHttpsIsNotRequired() {
            assertThatNoException().isThrownBy(() -> PUBLIC_ONLY.checkRegistration(URI.create("http://example.com/hook")));
        }

        @Test
        void otherSchemesAreRefused() {
            assertThat(PUBLIC_ONLY.schemeRefusal(URI.create("ftp://example.com/x"))).isPresent();
            assertThat(PUBLIC_ONLY.schemeRefusal(URI.create("file:///etc/passwd"))).isPresent();
        }
    }

    @Nested
    class DialTime {
        private List<InetSocketAddress> resolve(TargetGuard guard, String host, int port) throws Exception {
            CompletableFuture<List<InetSocketAddress>> result = new CompletableFuture<>();
            guard.socketAddressResolver().resolve(host, port, Map.of(), Promise.from(result));
            try {
                return result.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw (Exception) e.getCause();
            }
        }

        @Test
        void handsOverExactlyTheCheckedAddresses() throws Exception {
            TargetGuard guard = resolvingTo("93.184.216.34", "2606:2800:220:1::1");
            assertThat(resolve(guard, "example.com", 443)).containsExactly(
                    new InetSocketAddress(ip("93.184.216.34"), 443),
                    new InetSocketAddress(ip("2606:2800:220:1::1"), 443));
        }

        @Test
        void refusesTheHostIfAnyAddressIsRefused() {
            TargetGuard guard = resolvingTo("93.184.216.34", "10.0.0.1");
            assertThatThrownBy(() -> resolve(guard, "mixed.example", 443))
                    .isInstanceOfSatisfying(BlockedTargetException.class, e -> assertThat(e.rule()).isEqualTo("private"))
                    .hasMessage("mixed.example is a private address (10.0.0.1); set CHATWIRE_ALLOWED_TARGETS to allow it");
        }

        @Test
        void refusesOddlySpelledLiteralsWithoutResolving() {
            assertThatThrownBy(() -> resolve(PUBLIC_ONLY, "0x7f.0.0.1", 80))
                    .isInstanceOfSatisfying(BlockedTargetException.class, e -> assertThat(e.rule()).isEqualTo("loopback"));
        }

        @Test
        void refusesBracketedIpv6Literals() {
            assertThatThrownBy(() -> resolve(PUBLIC_ONLY, "[::1]", 80)).isInstanceOf(BlockedTargetException.class);
            assertThatThrownBy(() -> resolve(PUBLIC_ONLY, "::1", 80)).isInstanceOf(BlockedTargetException.class);
        }

        @Test
        void resolvesOffTheCallersThread() throws Exception {
            Thread caller = Thread.currentThread();
            CompletableFuture<Thread> resolvedOn = new CompletableFuture<>();
            TargetGuard guard = TargetGuard.publicOnly().withResolver(host -> {
                resolvedOn.complete(Thread.currentThread());
                return new InetAddress[] {ip("93.184.216.34")};
            });
            resolve(guard, "example.com", 443);
            assertThat(resolvedOn.get()).isNotSameAs(caller).matches(Thread::isVirtual);
        }

        @ParameterizedTest(name = "[{0}] is not dialled with only 127.0.0.1/32 allowed")
        @ValueSource(strings = {"[::127.0.0.1]", "[64:ff9b::7f00:1]"})
        void refusesIpv6FormsOfAnAllowedIpv4Address(String host) {
            TargetGuard onlyLocalhost = new TargetGuard(List.of(Cidr.parse("127.0.0.1/32")), false, TargetGuardTest::noDns);

            assertThatThrownBy(() -> resolve(onlyLocalhost, host, 80))
                    .isInstanceOfSatisfying(BlockedTargetException.class, e -> assertThat(e.rule()).isEqualTo("loopback"));
        }

        @Test
        void refusesAHostTooLongForDnsWithoutResolving() {
            TargetGuard neverResolves = TargetGuard.publicOnly().withResolver(h -> {
                throw new AssertionError("resolver asked for " + h);
            });
            assertThatThrownBy(() -> resolve(neverResolves, "a".repeat(64) + ".example", 443))
                    .isInstanceOf(UnknownHostException.class).hasMessageContaining("63 characters");
        }

        @Test
        void aNameThatDoesNotResolveFailsAsUnknownHost() {
            assertThatThrownBy(() -> resolve(PUBLIC_ONLY, "nowhere.example", 443))
                    .isInstanceOf(UnknownHostException.class);
        }
    }
}
