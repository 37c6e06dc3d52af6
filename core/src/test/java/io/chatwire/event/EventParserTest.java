package io.chatwire.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.problem.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractThrowableAssert;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {
    private static final byte[] SAMPLE = resource("/chat-event.json");


    /** A minimal valid chat event; {@code extra} is spliced in as further top-level fields. */
    private static String chat(String extra) {
        return """
                {"event":"chat","chatbot_id":"bot_1","messages":[{"role":"user","content":"hi"}],\
                "answer":{"role":"assistant","content":"hello","score":0.5}%s}""".formatted(extra);
    }

    private final EventParser parser = new EventParser();
    private final EventParser strict = new EventParser(EventParser.UnknownFields.REFUSE);

    private EventPayload parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] body, String code) {
        return assertThatThrownBy(() -> parser.parse(body))
                .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo(code));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String body, String code) {
        return assertRefused(body.getBytes(StandardCharsets.UTF_8), code);
    }

    // --- accepted bodies -------------------------------------------------------------------------

    @Test
    void theSampleChatEventParses() {
        EventPayload payload = parser.parse(SAMPLE);

        assertThat(payload.type()).isEqualTo(EventType.CHAT);
        assertThat(payload.chatbotId()).isEqualTo("654aee418bc9a33b0e50d0ad");
    }

    @Test
    void theStoredBodyIsExactlyWhatWasSent() {
        String spaced = "{ \"event\" : \"live-chat-escalation\",\n  \"chatbot_id\": \"bot\", \"cost_credits\": 1.50 }";
        assertThat(parse(spaced).json()).isEqualTo(spaced);
        assertThat(parser.parse(SAMPLE).json()).isEqualTo(new String(SAMPLE, StandardCharsets.UTF_8));
    }

    @Test
    void parsingTheOutputAgainGivesTheSameOutput() {
        String once = parser.parse(SAMPLE).json();
        assertThat(parse(once).json()).isEqualTo(once);
    }

    @Test
    void integersBeyondLongKeepEveryDigit() {
        String json = parse(chat(",\"cost_credits\":12345678901234567890")).json();
        assertThat(json).contains("\"cost_credits\":12345678901234567890");
    }

    @Test
    void decimalsBeyondDoubleKeepEveryDigitAndTrailingZeros() {
        String json = parse(chat(",\"cost_credits\":0.100000000000000000000000000000000000000001")).json();
        assertThat(json).contains("\"cost_credits\":0.100000000000000000000000000000000000000001");
        assertThat(parse(chat(",\"cost_credits\":2.50")).json()).contains("\"cost_credits\":2.50");
    }

    @Test
    void numbersBeyondDoubleRangeAreKeptExactlyNotTurnedIntoInfinity() {
        String json = parse(chat(",\"cost_credits\":1e400")).json();
        assertThat(numberOf(json, "cost_credits")).isEqualByComparingTo(new BigDecimal("1e400"));
        assertThat(json).doesNotContainIgnoringCase("infinity");
    }

    @Test
    void numbersAreDeliveredInTheSpellingTheySentIn() {
        assertThat(parse(chat(",\"cost_credits\":1e400")).json()).contains("\"cost_credits\":1e400");
    }

    @Test
    void leadSubmissionNeedsALead() {
        EventPayload payload = parse("""
                {"event":"lead-submission","chatbot_id":"bot_1","lead":{"uuid":"u-1","email":"a@example.com"}}""");

        assertThat(payload.type()).isEqualTo(EventType.LEAD_SUBMISSION);
        assertRefused("{\"event\":\"lead-submission\",\"chatbot_id\":\"bot_1\"}", "missing_field")
                .hasMessage("lead is required");
    }

    @Test
    void liveChatEscalationNeedsOnlyEventAndChatbotId() {
        EventPayload payload = parse("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"bot_1\"}");

        assertThat(payload.type()).isEqualTo(EventType.LIVE_CHAT_ESCALATION);
        assertThat(payload.json()).isEqualTo("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"bot_1\"}");
    }

    // --- fields Chatwire does not know ------------------------------------------------------------

    @Test
    void anUnknownTopLevelFieldIsAcceptedByDefault() {
        EventPayload payload = parse(chat(",\"sentiment\":\"happy\""));

        assertThat(payload.type()).isEqualTo(EventType.CHAT);
        assertThat(payload.chatbotId()).isEqualTo("bot_1");
    }

    @Test
    void theUnknownFieldsAreNamedInTheOrderSent() {
        EventPayload payload = parse("{\"zeta\":1,\"event\":\"live-chat-escalation\",\"alpha\":2,"
                + "\"chatbot_id\":\"bot_1\",\"chatbotId\":\"bot_2\"}");

        assertThat(payload.unknownFields()).containsExactly("zeta", "alpha", "chatbotId");
    }

    @Test
    void anEventOfKnownFieldsOnlyNamesNoUnknownField() {
        assertThat(parser.parse(SAMPLE).unknownFields()).isEmpty();
    }

    @Test
    void anUnknownFieldIsKeptInTheBodyExactlyAsSent() {
        String odd = chat(",\"platform_meta\":{\"nested\":[1,{\"deep\":null}],\"big\":1e400,"
                + "\"long\":123456789012345678901234567890,\"neg\":-0.000E-0},"
                + "\"caf\\u00e9\":\"\\u00e9\\ud83d\\ude00 and 😀\" ,  \"empty\" : {}");

        EventPayload payload = parse(odd);

        assertThat(payload.json()).isEqualTo(odd);
        assertThat(payload.unknownFields()).containsExactly("platform_meta", "café", "empty");
    }

    @Test
    void fieldsNestedInsideKnownOnesAreNotCheckedForNamesInEitherMode() {
        String body = "{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\",\"lang\":\"en\"}],\"answer\":{\"role\":\"a\",\"content\":\"b\",\"model\":\"x\"}}";

        assertThat(parse(body).unknownFields()).isEmpty();
        assertThat(strict.parse(body.getBytes(StandardCharsets.UTF_8)).unknownFields()).isEmpty();
    }

    @Test
    void inStrictModeAnUnknownTopLevelFieldIsRefusedNamingIt() {
        assertThatThrownBy(() -> strict.parse(chat(",\"chatbotId\":\"bot_1\"").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("unknown_field"))
                .hasMessage("unknown field 'chatbotId'");
    }

    @Test
    void inStrictModeAnEventOfKnownFieldsIsAccepted() {
        EventPayload payload = strict.parse(SAMPLE);

        assertThat(payload.type()).isEqualTo(EventType.CHAT);
        assertThat(payload.json()).isEqualTo(new String(SAMPLE, StandardCharsets.UTF_8));
    }

    @Test
    void nestingUpToThirtyTwoLevelsIsAccepted() {
        // Root object (1) and lead (2), then 30 more levels: 32 in all.
        String lead = "{\"a\":".repeat(30) + "1" + "}".repeat(30);
        parse("{\"event\":\"lead-submission\",\"chatbot_id\":\"bot_1\",\"lead\":{\"deep\":" + lead + "}}");
    }

    // --- refused bodies --------------------------------------------------------------------------

    @Test
    void aMissingChatbotIdIsNamed() {
        assertRefused("{\"event\":\"live-chat-escalation\"}", "missing_field").hasMessage("chatbot_id is required");
    }

    @Test
    void aBlankChatbotIdIsRefused() {
        assertRefused("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\" \"}", "invalid_field")
                .hasMessageContaining("chatbot_id");
    }

    @Test
    void aMissingEventIsNamed() {
        assertRefused("{\"chatbot_id\":\"bot_1\"}", "missing_field").hasMessage("event is required");
    }

    @Test
    void anUnknownEventTypeListsTheKnownOnes() {
        assertRefused("{\"event\":\"chat-started\",\"chatbot_id\":\"bot_1\"}", "invalid_event_type")
                .hasMessageContaining("'chat-started'")
                .hasMessageContaining("chat, lead-submission, live-chat-escalation");
    }

    @Test
    void aKnownFieldOfTheWrongTypeIsRefusedAlthoughUnknownFieldsAreAccepted() {
        assertRefused(chat(",\"sentiment\":\"happy\",\"cost_credits\":\"20\""), "invalid_field")
                .hasMessage("cost_credits must be a number, not a string");
    }

    @Test
    void anUnknownFieldObeysTheSameDepthAndNumberLimitsAsTheRest() {
        assertRefused(chat(",\"x\":" + "[".repeat(40) + "]".repeat(40)), "invalid_json").hasMessageContaining("nest");
        assertRefused(chat(",\"x\":1" + "0".repeat(200)), "invalid_json").hasMessageContaining("number");
    }

    @Test
    void aChatNeedsMessagesAndAnAnswer() {
        assertRefused("{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"answer\":{\"role\":\"a\",\"content\":\"b\"}}",
                "missing_field").hasMessage("messages is required");
        assertRefused("{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"messages\":[]}", "missing_field")
                .hasMessage("answer is required");
    }

    @Test
    void messagesThatAreNotAnArrayAreRefused() {
        assertRefused("{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"messages\":\"hi\","
                + "\"answer\":{\"role\":\"a\",\"content\":\"b\"}}", "invalid_field")
                .hasMessage("messages must be an array, not a string");
    }

    @Test
    void aMessageWithoutContentIsNamedByItsIndex() {
        assertRefused("{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"user\"}],\"answer\":{\"role\":\"a\",\"content\":\"b\"}}", "missing_field")
                .hasMessage("messages[1].content is required");
    }

    @Test
    void anAnswerContentThatIsANumberIsRefused() {
        assertRefused("{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"messages\":[],"
                + "\"answer\":{\"role\":\"assistant\",\"content\":42}}", "invalid_field")
                .hasMessage("answer.content must be a string, not a number");
    }

    @Test
    void costCreditsThatIsAStringIsRefused() {
        assertRefused(chat(",\"cost_credits\":\"20\""), "invalid_field")
                .hasMessage("cost_credits must be a number, not a string");
    }

    @Test
    void aScoreThatIsNotANumberIsRefused() {
        assertRefused("{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"messages\":[],"
                + "\"answer\":{\"role\":\"assistant\",\"content\":\"x\",\"score\":\"high\"}}", "invalid_field")
                .hasMessage("answer.score must be a number, not a string");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertRefused("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"a\",\"chatbot_id\":\"b\"}", "invalid_json")
                .hasMessageContainingAll("not valid JSON", "chatbot_id")
                .hasMessageContaining("uplicate");
    }

    @Test
    void trailingGarbageIsRefused() {
        assertRefused("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"bot_1\"} {}", "invalid_json")
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("railing");
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefusedSayingWhatItIs() {
        assertRefused("[{\"event\":\"chat\"}]", "invalid_json").hasMessage("the body must be a JSON object, not an array");
        assertRefused("\"chat\"", "invalid_json").hasMessage("the body must be a JSON object, not a string");
        assertRefused("null", "invalid_json").hasMessage("the body must be a JSON object, not null");
    }

    @Test
    void anEmptyBodyIsRefused() {
        assertRefused(new byte[0], "invalid_json").hasMessageContaining("empty");
        assertRefused(" \r\n\t", "invalid_json").hasMessageContaining("empty");
    }

    @Test
    void nestingDeeperThanThirtyTwoLevelsIsRefused() {
        String lead = "{\"a\":".repeat(31) + "1" + "}".repeat(31);
        assertRefused("{\"event\":\"lead-submission\",\"chatbot_id\":\"bot_1\",\"lead\":{\"deep\":" + lead + "}}",
                "invalid_json").hasMessageContaining("nest");
        assertRefused("[".repeat(10_000) + "]".repeat(10_000), "invalid_json").hasMessageContaining("nest");
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] prefix = "{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"bot".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 3];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3; // a lead byte followed by a byte that cannot continue it
        body[prefix.length + 1] = (byte) 0x28;
        body[prefix.length + 2] = '"';
        assertRefused(body, "invalid_encoding").hasMessageContaining("UTF-8");
    }

    @Test
    void anOverlongNumberIsRefused() {
        assertRefused(chat(",\"cost_credits\":1" + "0".repeat(200)), "invalid_json").hasMessageContaining("number");
    }

    // --- robustness ------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("bodies")
    void noBodyMakesTheParserThrowAnythingButInvalid(byte[] body) {
        try {
            EventPayload payload = parser.parse(body);
            assertThat(payload.json()).isNotEmpty();
        } catch (Problem.Invalid expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /**
     * 3,000 seeded fuzz cases: random bytes, the sample with one byte changed, and the sample cut
     * short. Seeded, so a failure reproduces on the next run.
     */
    static Stream<byte[]> bodies() {
        SplittableRandom random = new SplittableRandom(20261125);
        return Stream.generate(() -> switch (random.nextInt(3)) {
            case 0 -> {
                byte[] b = new byte[random.nextInt(301)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) random.nextInt(256);
                }
                yield b;
            }
            case 1 -> {
                byte[] b = SAMPLE.clone();
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                yield b;
            }
            default -> Arrays.copyOf(SAMPLE, random.nextInt(SAMPLE.length + 1));
        }).limit(3000);
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static BigDecimal numberOf(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([-+0-9.eE]+)").matcher(json);
        assertThat(m.find()).as("%s in %s", field, json).isTrue();
        return new BigDecimal(m.group(1));
    }

    private static byte[] resource(String name) {
        try (InputStream in = EventParserTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
