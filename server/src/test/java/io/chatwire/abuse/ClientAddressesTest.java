package io.chatwire.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.network.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which address a request comes from, with and without trusted reverse proxies in front. */
class ClientAddressesTest {
    private static final String PROXY = "10.0.0.5";
    private static final ClientAddresses BEHIND_PROXIES = new ClientAddresses(
            List.of(Cidr.parse("10.0.0.0/24"), Cidr.parse("2001:db8:ffff::/48")));
    private static final ClientAddresses DIRECT = new ClientAddresses(List.of());

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void withoutTrustedProxiesTheHeadersAreNeverRead() {
        assertThat(DIRECT.resolve(PROXY, List.of("203.0.113.7"), List.of("for=203.0.113.8"))).isEqualTo(ip(PROXY));
        assertThat(DIRECT.resolve("127.0.0.1", List.of("203.0.113.7"), List.of())).isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsTheClientWhateverItsHeadersSay() {
        assertThat(BEHIND_PROXIES.resolve("198.51.100.9", List.of("203.0.113.7"), List.of("for=203.0.113.7")))
                .isEqualTo(ip("198.51.100.9"));
    }

    @Test
    void theRightMostAddressThatIsNotATrustedProxyIsTheClient() {
        // client-written, the real client, then two of our proxies
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of("1.2.3.4, 203.0.113.7, 10.0.0.9", "10.0.0.8"), List.of()))
                .isEqualTo(ip("203.0.113.7"));
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of(), List.of(
                "for=1.2.3.4, for=\"[2001:db8::17]:4711\";proto=https;by=10.0.0.5", "For=\"[2001:db8:ffff::1]\"")))
                .isEqualTo(ip("2001:db8::17"));
    }

    @Test
    void aChainOfTrustedProxiesOnlyEndsAtItsLeftMostAddress() {
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of("10.0.0.7, 10.0.0.8"), List.of())).isEqualTo(ip("10.0.0.7"));
    }

    @Test
    void aProxyWithoutHeadersIsItsOwnClient() {
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of(), List.of())).isEqualTo(ip(PROXY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown", "_hidden", "evil.example.com", "", "999.1.1.1", "1.2.3.4:http", "[::1",
            "0x7f.1", "127.1", "fe80::1%eth0", "localhost"})
    void anEntryThatIsNotAnAddressStopsAtTheLastTrustedHop(String entry) {
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of("203.0.113.7, " + entry + ", 10.0.0.9"), List.of()))
                .isEqualTo(ip("10.0.0.9"));
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of(), List.of("for=203.0.113.7, for=" + entry)))
                .isEqualTo(ip(PROXY));
    }

    @Test
    void aForwardedElementWithoutForIsAnUnknownHop() {
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of(), List.of("for=203.0.113.7, proto=https;by=10.0.0.5")))
                .isEqualTo(ip(PROXY));
    }

    @Test
    void twoHeadersNamingDifferentClientsAreBothDisbelieved() {
        // The proxy set one of them; the client wrote the other, and which is which is unknown.
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of("203.0.113.7"), List.of("for=198.51.100.1")))
                .isEqualTo(ip(PROXY));
        assertThat(BEHIND_PROXIES.resolve(PROXY, List.of("203.0.113.7"), List.of("for=\"203.0.113.7:5555\"")))
                .isEqualTo(ip("203.0.113.7"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1|192.0.2.1",
            "192.0.2.1:4711|192.0.2.1",
            "\"192.0.2.1:4711\"|192.0.2.1",
            "2001:db8::1|2001:db8::1",
            "[2001:db8::1]|2001:db8::1",
            "[2001:db8::1]:4711|2001:db8::1",
            "\"[2001:db8::1]:4711\"|2001:db8::1",
            "::ffff:192.0.2.1|192.0.2.1"})
    void addressesAreReadInTheFormsProxiesWrite(String node, String expected) {
        assertThat(ClientAddresses.literal(node)).contains(ip(expected));
    }

    @Test
    void thePeerMayBeWrittenInBrackets() {
        assertThat(new ClientAddresses(List.of(Cidr.parse("::1/128"))).resolve("[::1]", List.of("203.0.113.7"),
                List.of())).isEqualTo(ip("203.0.113.7"));
    }
}
