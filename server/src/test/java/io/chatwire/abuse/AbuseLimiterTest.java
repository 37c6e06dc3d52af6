package io.chatwire.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The token bucket and the failed-authentication throttle, on a clock the test moves. */
class AbuseLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aBucketLetsTheBurstThroughThenTheRate() {
        RateLimiter limiter = new RateLimiter(10, 20, 1000, nanos::get);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.tryAcquire("acct_a")).as("burst %d", i).isEmpty();
        }
        Duration wait = limiter.tryAcquire("acct_a").orElseThrow();
        assertThat(wait).isBetween(Duration.ofMillis(99), Duration.ofMillis(101));
        assertThat(limiter.tryAcquire("acct_b")).as("another account has its own bucket").isEmpty();
        advance(Duration.ofMillis(100));
        assertThat(limiter.tryAcquire("acct_a")).isEmpty();
        assertThat(limiter.tryAcquire("acct_a")).isPresent();
        advance(Duration.ofHours(1));
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.tryAcquire("acct_a")).as("refilled only up to the burst").isEmpty();
        }
        assertThat(limiter.tryAcquire("acct_a")).isPresent();
    }

    @Test
    void rateZeroMeansNoLimit() {
        RateLimiter limiter = new RateLimiter(0, 0, 1000, nanos::get);
        assertThat(limiter.isUnlimited()).isTrue();
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire("acct_a")).isEmpty();
        }
    }

    @Test
    void theBucketMapStaysBounded() {
        RateLimiter limiter = new RateLimiter(100, 1, 1000, nanos::get);
        for (int i = 0; i < 50_000; i++) {
            limiter.tryAcquire("acct_" + i);
            advance(Duration.ofMillis(1));
        }
        assertThat(limiter.size()).isLessThanOrEqualTo(1000);
    }

    static Stream<Arguments> schedules() {
        Random random = new Random(7);
        return IntStream.range(0, 200).mapToObj(i -> Arguments.of(1 + random.nextInt(1000), 1 + random.nextInt(100),
                random.nextLong()));
    }

    /** Over any arrival pattern, what is admitted never exceeds burst + rate × elapsed time. */
    @ParameterizedTest(name = "rate {0}/s burst {1}")
    @MethodSource("schedules")
    void neverAdmitsMoreThanBurstPlusRateTimesTime(int rate, int burst, long seed) {
        Random random = new Random(seed);
        RateLimiter limiter = new RateLimiter(rate, burst, 1000, nanos::get);
        long start = nanos.get();
        int admitted = 0;
        for (int i = 0; i < 2000; i++) {
            advance(Duration.ofNanos(random.nextInt(random.nextBoolean() ? 1_000 : 5_000_000)));
            if (limiter.tryAcquire("acct").isEmpty()) {
                admitted++;
            }
            double allowed = burst + rate * (nanos.get() - start) / 1e9;
            assertThat((double) admitted).isLessThanOrEqualTo(allowed + 1e-6);
        }
    }

    @Test
    void workChargedAfterwardsIsPaidBackBeforeTheNextRequest() {
        RateLimiter limiter = new RateLimiter(2, 3, 1000, nanos::get);
        assertThat(limiter.tryAcquire("acct_a")).isEmpty();
        limiter.charge("acct_a", 9); // a recover that resent ten deliveries: 3 - 10 = -7 tokens
        Duration wait = limiter.tryAcquire("acct_a").orElseThrow();
        assertThat(wait).isBetween(Duration.ofMillis(3999), Duration.ofMillis(4001));
        advance(Duration.ofMillis(3900));
        assertThat(limiter.tryAcquire("acct_a")).isPresent();
        advance(Duration.ofMillis(100));
        assertThat(limiter.tryAcquire("acct_a")).isEmpty();
        assertThat(limiter.tryAcquire("acct_b")).as("only the account that owes waits").isEmpty();
    }

    // --- failed authentication -------------------------------------------------------------------

    private static final InetAddress CLIENT = InetAddress.ofLiteral("203.0.113.7");

    private static Optional<Duration> penalty(AuthThrottle.Verdict verdict) {
        return switch (verdict) {
            case AuthThrottle.Verdict.Unthrottled u -> Optional.empty();
            case AuthThrottle.Verdict.Throttled t -> Optional.of(t.retryAfter());
        };
    }

    @Test
    void failuresPastTheLimitArePenalisedWithAPauseThatDoublesEachTime() {
        AuthThrottle throttle = new AuthThrottle(3, 1000, nanos::get);
        for (int i = 0; i < 3; i++) {
            assertThat(penalty(throttle.failed(CLIENT))).as("free failure %d", i).isEmpty();
        }
        List<Duration> penalties = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            penalties.add(penalty(throttle.failed(CLIENT)).orElseThrow());
            advance(Duration.ofMillis(10));
        }
        assertThat(penalties.subList(0, 5)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16));
        assertThat(penalties.getLast()).as("capped").isEqualTo(AuthThrottle.MAX_PENALTY);
        assertThat(penalty(throttle.failed(InetAddress.ofLiteral("203.0.113.8"))))
                .as("other addresses are not affected").isEmpty();
    }

    @Test
    void aClientThatWaitsOutEachPenaltyStillFindsItDoubledUntilItStopsFailing() {
        AuthThrottle throttle = new AuthThrottle(2, 1000, nanos::get);
        throttle.failed(CLIENT);
        throttle.failed(CLIENT);
        Duration first = penalty(throttle.failed(CLIENT)).orElseThrow();
        advance(first);
        Duration second = penalty(throttle.failed(CLIENT)).orElseThrow();
        assertThat(second).isEqualTo(first.multipliedBy(2));
        advance(second.plus(AuthThrottle.WINDOW).minusMillis(1));
        assertThat(penalty(throttle.failed(CLIENT))).as("not forgiven a moment too early").contains(second.multipliedBy(2));
        advance(second.multipliedBy(2).plus(AuthThrottle.WINDOW));
        assertThat(penalty(throttle.failed(CLIENT))).as("a quiet minute after the penalty: forgiven").isEmpty();
        assertThat(penalty(throttle.failed(CLIENT))).isEmpty();
        assertThat(penalty(throttle.failed(CLIENT))).isPresent();
    }

    @Test
    void freeFailuresComeBackEachMinuteForAnAddressNeverPenalised() {
        AuthThrottle throttle = new AuthThrottle(3, 1000, nanos::get);
        for (int minute = 0; minute < 5; minute++) {
            for (int i = 0; i < 3; i++) {
                assertThat(penalty(throttle.failed(CLIENT))).isEmpty();
            }
            advance(AuthThrottle.WINDOW);
        }
    }

    @Test
    void limitZeroTurnsTheThrottleOff() {
        AuthThrottle off = new AuthThrottle(0, 1000, nanos::get);
        for (int i = 0; i < 100; i++) {
            assertThat(penalty(off.failed(CLIENT))).isEmpty();
        }
        assertThat(off.size()).isZero();
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() {
        AuthThrottle throttle = new AuthThrottle(3, 1000, nanos::get);
        for (int i = 1; i <= 3; i++) {
            assertThat(penalty(throttle.failed(InetAddress.ofLiteral("2001:db8:1:2::" + Integer.toHexString(i)))))
                    .isEmpty();
        }
        assertThat(penalty(throttle.failed(InetAddress.ofLiteral("2001:db8:1:2:ffff:ffff:ffff:ffff")))).isPresent();
        assertThat(penalty(throttle.failed(InetAddress.ofLiteral("2001:db8:1:3::1")))).as("the next /64").isEmpty();
    }

    @Test
    void anAttackerSprayingAddressesGrowsNoMapAndIsThrottledAsOne() {
        AuthThrottle throttle = new AuthThrottle(3, 1000, nanos::get);
        // One address is penalised first; then a spray of 50,000 addresses in 5 seconds.
        for (int i = 0; i < 4; i++) {
            throttle.failed(CLIENT);
        }
        int throttledSpray = 0;
        for (int i = 0; i < 50_000; i++) {
            InetAddress sprayed = InetAddress.ofLiteral("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff));
            if (penalty(throttle.failed(sprayed)).isPresent()) {
                throttledSpray++;
            }
            if (i % 10 == 0) {
                advance(Duration.ofMillis(1));
            }
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(1000);
        assertThat(throttledSpray).as("past the first 1000 addresses, the spray shares one record").isGreaterThan(48_000);
        assertThat(penalty(throttle.failed(CLIENT))).as("the spray did not wipe what was known").isPresent();

        // Once the spray stops and its records are forgiven, there is room again.
        advance(AuthThrottle.MAX_PENALTY.plus(AuthThrottle.WINDOW).plusSeconds(1));
        assertThat(penalty(throttle.failed(InetAddress.ofLiteral("198.51.100.1")))).isEmpty();
        assertThat(throttle.size()).isLessThan(1000);
    }
}
