package io.chatwire.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.problem.Problem;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Numbers anywhere in an event are read exactly (BigDecimal); one whose exponent takes it past what
 * BigDecimal holds is refused as a 400 that names where it is, not left to fail as a 500.
 */
class EventParserNumbersTest {
    private final EventParser parser = new EventParser();

    private static String chat(String score, String extra) {
        return """
                {"event":"chat","chatbot_id":"bot_1","messages":[{"role":"user","content":"hi"}],\
                "answer":{"role":"assistant","content":"hello","score":%s}%s}""".formatted(score, extra);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.5 | ,\"cost_credits\":1e-2147483649                          | cost_credits",
            "0.5 | ,\"cost_credits\":-1.5E-2147483648                       | cost_credits",
            "1e-2147483649 |                                                | answer.score",
            "0.5 | ,\"lead\":{\"uuid\":\"u\",\"n\":[1,2e-9999999999]}       | lead.n[1]"})
    void refusesANumberWhoseExponentIsPastWhatCanBeHeldNamingWhereItIs(String score, String extra, String name) {
        byte[] body = chat(score, extra == null ? "" : extra).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parse(body))
                .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("invalid_field"))
                .hasMessageStartingWith(name + " must be a number whose exponent fits in 32 bits");
    }

    @Test
    void keepsALargeExponentThatCanBeHeldExactlyAsSent() {
        String body = chat("0.5", ",\"cost_credits\":1e2147483647");
        assertThat(parser.parse(body.getBytes(StandardCharsets.UTF_8)).json()).isEqualTo(body);
    }
}
