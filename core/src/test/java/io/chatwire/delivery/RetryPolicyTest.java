package io.chatwire.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
    private static final Optional<Duration> NO_RETRY_AFTER = Optional.empty();

    /** A random source that always draws the same double, to pin the jitter to one end. */
    private record FixedRandom(double value) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only nextDouble is drawn");
        }

        @Override
        public double nextDouble() {
            return value;
        }
    }

    private static RetryPolicy policy(String schedule) {
        return RetryPolicy.of(RetryPolicy.parseSchedule(schedule));
    }

    // --- parsing ---------------------------------------------------------------------------------

    @Test
    void theDefaultScheduleParsesToEightPauses() {
        assertThat(RetryPolicy.parseSchedule(RetryPolicy.DEFAULT_SCHEDULE)).containsExactly(
                Duration.ZERO,
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(30),
                Duration.ofHours(2),
                Duration.ofHours(5),
                Duration.ofHours(10),
                Duration.ofHours(10));
    }

    @Test
    void millisecondsDaysAndSurroundingSpacesParse() {
        assertThat(RetryPolicy.parseSchedule("250ms")).containsExactly(Duration.ofMillis(250));
        assertThat(RetryPolicy.parseSchedule(" 1d , 2H")).containsExactly(Duration.ofDays(1), Duration.ofHours(2));
    }

    @Test
    void aNumberWithoutUnitIsRefusedNamingTheUnits() {
        assertThatThrownBy(() -> RetryPolicy.parseSchedule("5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'5'")
                .hasMessageContaining("unit");
    }

    @Test
    void aNegativePauseIsRefused() {
        assertThatThrownBy(() -> RetryPolicy.parseSchedule("0s,-1s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'-1s'")
                .hasMessageContaining("negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xs", "1.5s", "s", "5 s"})
    void aUnitWithoutWholeNumberIsRefused(String text) {
        assertThatThrownBy(() -> RetryPolicy.parseSchedule(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("whole number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5s,,5m", ",5s"})
    void anEmptyEntryIsRefused(String text) {
        assertThatThrownBy(() -> RetryPolicy.parseSchedule(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999999999999999d", "9999999999999999h", "999999999999999999m"})
    void aPauseTooLongForADurationIsRefusedAsBadInput(String text) {
        assertThatThrownBy(() -> RetryPolicy.parseSchedule(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void anEmptyScheduleOrBadJitterCannotMakeAPolicy() {
        assertThatThrownBy(() -> RetryPolicy.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ofSeconds(-1)), 0.2, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ZERO), 1.0, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
    }

    // --- pauses ----------------------------------------------------------------------------------

    @Test
    void maxAttemptsIsTheLengthOfTheSchedule() {
        assertThat(policy(RetryPolicy.DEFAULT_SCHEDULE).maxAttempts()).isEqualTo(8);
    }

    @Test
    void eachPauseIsItsScheduleEntryWithinTwentyPercent() {
        RetryPolicy policy = policy(RetryPolicy.DEFAULT_SCHEDULE);
        Random random = new Random(42);
        for (int made = 1; made < policy.maxAttempts(); made++) {
            long base = policy.schedule().get(made).toMillis();
            for (int i = 0; i < 50; i++) {
                long pause = policy.pauseAfter(made, NO_RETRY_AFTER, random).orElseThrow().toMillis();
                assertThat(pause).as("pause after %d attempts", made).isBetween(base * 8 / 10, base * 12 / 10);
            }
        }
    }

    @Test
    void jitterActuallySpreadsThePauses() {
        RetryPolicy policy = policy("10s");
        Random random = new Random(7);
        List<Duration> pauses = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> policy.pauseAfter(0, NO_RETRY_AFTER, random).orElseThrow())
                .distinct()
                .toList();
        assertThat(pauses).hasSizeGreaterThan(10);
    }

    @Test
    void theLowestDrawGivesEightyPercentAndTheHighestJustUnderHundredTwenty() {
        RetryPolicy policy = policy("0s,10s");
        assertThat(policy.pauseAfter(1, NO_RETRY_AFTER, new FixedRandom(0.0))).contains(Duration.ofSeconds(8));
        assertThat(policy.pauseAfter(1, NO_RETRY_AFTER, new FixedRandom(0.999))).contains(Duration.ofMillis(11_996));
        assertThat(policy.pauseAfter(1, NO_RETRY_AFTER, new FixedRandom(0.5))).contains(Duration.ofSeconds(10));
    }

    @Test
    void aZeroPauseStaysZero() {
        RetryPolicy policy = policy(RetryPolicy.DEFAULT_SCHEDULE);
        assertThat(policy.pauseAfter(0, NO_RETRY_AFTER, new FixedRandom(0.999))).contains(Duration.ZERO);
        assertThat(policy.pauseAfter(0, NO_RETRY_AFTER, new FixedRandom(0.0))).contains(Duration.ZERO);
    }

    @Test
    void thereIsNoPauseOnceTheScheduleIsUsedUp() {
        RetryPolicy policy = policy(RetryPolicy.DEFAULT_SCHEDULE);
        assertThat(policy.pauseAfter(7, NO_RETRY_AFTER, new Random(1))).isPresent();
        assertThat(policy.pauseAfter(8, NO_RETRY_AFTER, new Random(1))).isEmpty();
        assertThat(policy.pauseAfter(9, NO_RETRY_AFTER, new Random(1))).isEmpty();
        assertThat(policy.pauseAfter(8, Optional.of(Duration.ofSeconds(1)), new Random(1))).isEmpty();
    }

    @Test
    void retryAfterLongerThanThePauseRaisesIt() {
        RetryPolicy policy = policy("0s,5s");
        assertThat(policy.pauseAfter(1, Optional.of(Duration.ofSeconds(30)), new FixedRandom(0.999)))
                .contains(Duration.ofSeconds(30));
        assertThat(policy.pauseAfter(0, Optional.of(Duration.ofSeconds(2)), new FixedRandom(0.5)))
                .contains(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterIsCappedAtMaxRetryAfter() {
        RetryPolicy policy = new RetryPolicy(List.of(Duration.ofSeconds(5)), 0.2, Duration.ofMinutes(10));
        assertThat(policy.pauseAfter(0, Optional.of(Duration.ofDays(3)), new FixedRandom(0.5)))
                .contains(Duration.ofMinutes(10));
    }

    @Test
    void retryAfterNeverLowersThePause() {
        RetryPolicy policy = policy("0s,2h");
        assertThat(policy.pauseAfter(1, Optional.of(Duration.ofSeconds(1)), new FixedRandom(0.5)))
                .contains(Duration.ofHours(2));
        // Capped at one hour, the asked-for three hours are still less than the scheduled two.
        assertThat(policy.pauseAfter(1, Optional.of(Duration.ofHours(3)), new FixedRandom(0.0)))
                .contains(Duration.ofMinutes(96));
    }

    /** 500 seeded random (entry, draw) pairs: the same cases on every run, so a failure reproduces. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> entriesAndDraws() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261125);
        return java.util.stream.Stream.generate(() -> org.junit.jupiter.params.provider.Arguments.of(
                random.nextLong(0, 30L * 24 * 3600 * 1000 + 1), random.nextDouble())).limit(500);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("entriesAndDraws")
    void everyPauseIsWithinTwentyPercentOfItsEntry(long entryMillis, double draw) {
        RetryPolicy policy = RetryPolicy.of(List.of(Duration.ofMillis(entryMillis)));
        long pause = policy.pauseAfter(0, NO_RETRY_AFTER, new FixedRandom(draw)).orElseThrow().toMillis();
        // Pauses are whole milliseconds, so the bounds are rounded outwards to whole milliseconds.
        assertThat(pause).isBetween((long) Math.floor(0.8 * entryMillis), (long) Math.ceil(1.2 * entryMillis));
    }
}
