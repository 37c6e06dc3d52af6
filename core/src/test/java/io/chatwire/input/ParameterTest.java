package io.chatwire.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.problem.Problem;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParameterTest {
    private static final Parameter SINCE = Parameter.query("since");

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Runnable read, String code, String name) {
        return assertThatThrownBy(read::run)
                .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo(code))
                .hasMessageStartingWith(name + " must be ");
    }

    @Test
    void readsInstantsFromTheEpochToTheEndOf9999() {
        assertThat(SINCE.instant("1970-01-01T00:00:00Z")).isEqualTo(Instant.EPOCH);
        assertThat(SINCE.instant("2026-11-20T00:00:00Z")).isEqualTo(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(SINCE.instant("9999-12-31T23:59:59.999999999Z")).isEqualTo(Parameter.LATEST);
        // Every instant within the bounds converts to epoch milliseconds, as the stores keep them.
        assertThat(Parameter.LATEST.toEpochMilli()).isEqualTo(253402300799999L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
            "-999999999-01-01T00:00:00Z", "+292278994-08-17T07:12:55.808Z", "-292275055-05-16T16:47:04.191Z",
            "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z"})
    void refusesInstantsOutsideTheBoundsNamingTheParameter(String text) {
        refused(() -> SINCE.instant(text), "invalid_parameter", "since")
                .hasMessageContaining("from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "2026-02-30T00:00:00Z", "2026-11-20", "1763596800", "2026-11-20T00:00:00"})
    void refusesWhatIsNotAnIsoInstant(String text) {
        refused(() -> Parameter.field("since").instant(text), "invalid_field", "since")
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void readsDatesFrom1970To9999() {
        Parameter from = Parameter.query("from");
        assertThat(from.date("1970-01-01")).isEqualTo(Parameter.FIRST_DAY);
        assertThat(from.date("9999-12-31")).isEqualTo(Parameter.LAST_DAY);
        // The last day can still be stepped past, as a loop over a range does.
        assertThat(Parameter.LAST_DAY.plusDays(1)).isAfter(Parameter.LAST_DAY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-999999999-01-01", "+999999999-12-31", "+10000-01-01", "1969-12-31", "0000-01-01"})
    void refusesDatesOutsideTheBounds(String text) {
        refused(() -> Parameter.query("to").date(text), "invalid_parameter", "to")
                .hasMessageContaining("from 1970-01-01 to 9999-12-31");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+1000000000-01-01", "2026-13-01", "2026-02-30", "20261120", "garbage", ""})
    void refusesWhatIsNotAnIsoDate(String text) {
        refused(() -> Parameter.query("from").date(text), "invalid_parameter", "from");
    }

    @Test
    void readsWholeNumbersWithinTheirRange() {
        Parameter limit = Parameter.query("limit");
        assertThat(limit.wholeNumber("1", 1, 200)).isEqualTo(1);
        assertThat(limit.wholeNumber("200", 1, 200)).isEqualTo(200);
        assertThat(limit.wholeNumber("007", 1, 200)).isEqualTo(7);
        assertThat(limit.wholeNumber(BigInteger.valueOf(-5), -5, 5)).isEqualTo(-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "201", "-1", "", " 1", "+1", "1.5", "1e2", "0x10", "\u0663", "NaN",
            "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999999999999999"})
    void refusesWhatIsNotAWholeNumberInRange(String text) {
        refused(() -> Parameter.query("limit").wholeNumber(text, 1, 200), "invalid_parameter", "limit")
                .hasMessageContaining("a whole number from 1 to 200");
    }

    @Test
    void refusesHugeNumbersGivenAsBigIntegers() {
        refused(() -> Parameter.field("endpoint_limit").wholeNumber(BigInteger.TEN.pow(400), 0, 1000),
                "invalid_field", "endpoint_limit");
    }

    @Test
    void quotesAtMostFortyCharactersOfTheRefusedValueAndNeverHalfASurrogatePair() {
        String emoji = "x".repeat(39) + "\uD83D\uDE00" + "y".repeat(100);
        assertThatThrownBy(() -> SINCE.instant(emoji))
                .hasMessageEndingWith("(got '" + "x".repeat(39) + "...')");
        assertThatThrownBy(() -> SINCE.instant("z".repeat(5000)))
                .hasMessageEndingWith("(got '" + "z".repeat(40) + "...')");
    }
}
