package io.chatwire.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
    void anAddressIsRefusedAfterTheLimitUntilItsWindowEnds() {
        AuthThrottle throttle = new AuthThrottle(3, Duration.ofMinutes(1), 1000, nanos::get);
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.blocked("203.0.113.7")).isEmpty();
            throttle.failed("203.0.113.7");
        }
        assertThat(throttle.blocked("203.0.113.7")).hasValueSatisfying(
                d -> assertThat(d).isBetween(Duration.ofSeconds(59), Duration.ofMinutes(1)));
        assertThat(throttle.blocked("203.0.113.8")).as("other addresses are not affected").isEmpty();
        advance(Duration.ofSeconds(30));
        assertThat(throttle.blocked("203.0.113.7")).hasValueSatisfying(
                d -> assertThat(d).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30)));
        advance(Duration.ofSeconds(31));
        assertThat(throttle.blocked("203.0.113.7")).isEmpty();
        throttle.failed("203.0.113.7");
        assertThat(throttle.blocked("203.0.113.7")).as("a new window starts from one failure").isEmpty();
    }

    @Test
    void limitZeroTurnsTheThrottleOffAndTheMapStaysBounded() {
        AuthThrottle off = new AuthThrottle(0, Duration.ofMinutes(1), 1000, nanos::get);
        for (int i = 0; i < 100; i++) {
            off.failed("203.0.113.7");
        }
        assertThat(off.blocked("203.0.113.7")).isEmpty();

        AuthThrottle bounded = new AuthThrottle(3, Duration.ofMinutes(1), 1000, nanos::get);
        for (int i = 0; i < 20_000; i++) {
            bounded.failed("10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(bounded.size()).isLessThanOrEqualTo(1000);
        for (int i = 0; i < 3; i++) {
            bounded.failed("198.51.100.1");
        }
        assertThat(bounded.blocked("198.51.100.1")).isPresent();
    }
}
