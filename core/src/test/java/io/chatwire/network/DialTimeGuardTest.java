package io.chatwire.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.delivery.AttemptResult;
import io.chatwire.delivery.ErrorKind;
import io.chatwire.delivery.HttpDeliverer;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.testing.TestReceiver;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guard inside a real HTTP client: what is dialled is what the guard's resolver answered and
 * checked, at the moment of dialling. A loopback receiver stands in for the internal service an
 * attacker wants to reach; "rebind.test" exists only in the resolver test double.
 */
class DialTimeGuardTest {
    private static final DeliveryContentType JSON = DeliveryContentType.APPLICATION_JSON;
    private static final byte[] BODY = "{\"event\":\"chat\"}".getBytes(StandardCharsets.UTF_8);

    private final TestReceiver receiver = TestReceiver.start();
    private HttpDeliverer deliverer;

    @AfterEach
    void close() {
        if (deliverer != null) {
            deliverer.close();
        }
        receiver.close();
    }

    /** DNS rebinding: a public address while the URL is checked, loopback once it is dialled. */
    private static final class RebindingResolver implements TargetGuard.Resolver {
        private final AtomicInteger lookups = new AtomicInteger();

        @Override
        public InetAddress[] resolve(String host) {
            String answer = lookups.incrementAndGet() == 1 ? "93.184.216.34" : "127.0.0.1";
            return new InetAddress[] {InetAddress.ofLiteral(answer)};
        }
    }

    private HttpDeliverer deliverer(TargetGuard guard) {
        deliverer = new HttpDeliverer(new HttpDeliverer.Settings(Duration.ofSeconds(1), Duration.ofSeconds(2),
                64 * 1024, "Chatwire-test", guard));
        return deliverer;
    }

    private URI rebindUrl() {
        return URI.create("http://rebind.test:" + receiver.url().getPort() + "/hook");
    }

    @Test
    void aNameThatRebindsToLoopbackAfterRegistrationIsNotDialled() {
        TargetGuard guard = new TargetGuard(List.of(), false, new RebindingResolver());
        guard.checkRegistration(rebindUrl());

        AttemptResult result = deliverer(guard).post(rebindUrl(), JSON, Map.of(), BODY);

        assertThat(result).isInstanceOfSatisfying(AttemptResult.NotAnswered.class, n -> {
            assertThat(n.kind()).isEqualTo(ErrorKind.BLOCKED_TARGET);
            assertThat(n.message()).contains("loopback", "127.0.0.1");
        });
        assertThat(receiver.count()).isZero();
    }

    @Test
    void withLoopbackAllowedTheSameNameIsDeliveredToTheAddressTheResolverGave() {
        TargetGuard guard = new TargetGuard(List.of(Cidr.parse("127.0.0.0/8")), false, new RebindingResolver());
        guard.checkRegistration(rebindUrl());

        AttemptResult result = deliverer(guard).post(rebindUrl(), JSON, Map.of(), BODY);

        assertThat(result.succeeded()).as("%s", result).isTrue();
        assertThat(receiver.received()).singleElement()
                .satisfies(r -> assertThat(r.header("host")).isEqualTo("rebind.test:" + receiver.url().getPort()));
    }

    @Test
    void aLoopbackLiteralIsNotDialled() {
        AttemptResult result = deliverer(TargetGuard.publicOnly()).post(receiver.url(), JSON, Map.of(), BODY);

        assertThat(result.errorKind()).contains(ErrorKind.BLOCKED_TARGET);
        assertThat(receiver.count()).isZero();
    }

    @Test
    void anOddlySpelledLoopbackLiteralIsNotDialled() {
        URI decimal = URI.create("http://2130706433:" + receiver.url().getPort() + "/hook");

        AttemptResult result = deliverer(TargetGuard.publicOnly()).post(decimal, JSON, Map.of(), BODY);

        assertThat(result.errorKind()).contains(ErrorKind.BLOCKED_TARGET);
        assertThat(receiver.count()).isZero();
    }

    @Test
    void anIpv6LoopbackLiteralIsNotDialled() {
        AttemptResult result = deliverer(TargetGuard.publicOnly())
                .post(URI.create("http://[::1]:" + receiver.url().getPort() + "/hook"), JSON, Map.of(), BODY);

        assertThat(result.errorKind()).contains(ErrorKind.BLOCKED_TARGET);
    }

    @ParameterizedTest(name = "http://{0}/ is not dialled when only 127.0.0.1/32 is allowed")
    @ValueSource(strings = {"[::127.0.0.1]", "[64:ff9b::7f00:1]", "[::ffff:0:7f00:1]"})
    void anIpv6FormOfAnAllowedIpv4AddressIsNotDialled(String host) {
        TargetGuard onlyLocalhost = new TargetGuard(List.of(Cidr.parse("127.0.0.1/32")), false);

        AttemptResult result = deliverer(onlyLocalhost)
                .post(URI.create("http://" + host + ":" + receiver.url().getPort() + "/hook"), JSON, Map.of(), BODY);

        assertThat(result).isInstanceOfSatisfying(AttemptResult.NotAnswered.class, n -> {
            assertThat(n.kind()).isEqualTo(ErrorKind.BLOCKED_TARGET);
            assertThat(n.message()).contains("loopback");
        });
        assertThat(receiver.count()).isZero();
    }

    @Test
    void aNameThatResolvesToAnIpv6FormOfAnAllowedIpv4AddressIsNotDialled() {
        TargetGuard guard = new TargetGuard(List.of(Cidr.parse("127.0.0.1/32")), false,
                host -> new InetAddress[] {InetAddress.ofLiteral("::127.0.0.1")});

        AttemptResult result = deliverer(guard).post(rebindUrl(), JSON, Map.of(), BODY);

        assertThat(result.errorKind()).contains(ErrorKind.BLOCKED_TARGET);
        assertThat(receiver.count()).isZero();
    }

    /** A resolver may hand back ::ffff:127.0.0.1 as an Inet6Address; the socket dials 127.0.0.1 over IPv4. */
    @Test
    void anIpv4MappedAnswerIsDialledAsTheIpv4AddressTheAllowListNames() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        InetAddress asIpv6 = Inet6Address.getByAddress(null, mapped, -1);
        TargetGuard guard = new TargetGuard(List.of(Cidr.parse("127.0.0.1/32")), false, host -> new InetAddress[] {asIpv6});

        AttemptResult result = deliverer(guard).post(rebindUrl(), JSON, Map.of(), BODY);

        assertThat(result.succeeded()).as("%s", result).isTrue();
        assertThat(receiver.count()).isEqualTo(1);
    }

    @Test
    void plainHttpIsNotSentWhenHttpsIsRequired() {
        TargetGuard guard = new TargetGuard(List.of(Cidr.parse("127.0.0.0/8")), true);

        AttemptResult result = deliverer(guard).post(receiver.url(), JSON, Map.of(), BODY);

        assertThat(result.errorKind()).contains(ErrorKind.BLOCKED_TARGET);
        assertThat(receiver.count()).isZero();
    }

    @Test
    void otherSchemesAreNotSent() {
        AttemptResult result = deliverer(TargetGuard.publicOnly())
                .post(URI.create("ftp://example.com/x"), JSON, Map.of(), BODY);

        assertThat(result.errorKind()).contains(ErrorKind.BLOCKED_TARGET);
    }
}
