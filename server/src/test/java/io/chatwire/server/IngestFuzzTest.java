package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.event.EventParser;
import io.chatwire.problem.Problem;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ingest fuzzed end to end over HTTP: a few hundred seeded event bodies — valid ones with random
 * content, field order, escapes and number spellings, and the same with random damage (bytes inserted,
 * removed or made invalid UTF-8, truncation, fields dropped, doubled, retyped or unknown, another
 * chatbot). The in-process {@link EventParser} is the oracle, in the server's default mode (unknown
 * top-level fields accepted, so they must arrive byte for byte like the rest): what it accepts the
 * server must answer 202 for, what it refuses the server must refuse with 400 in the JSON error shape;
 * nothing is ever a 5xx. Every accepted event must then reach the receiver byte for byte as sent,
 * with signatures that verify. A failing case is reproduced by its seed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestFuzzTest {
    private static final int CASES = 400;
    /** The server's default: unknown top-level fields accepted (CHATWIRE_STRICT_EVENTS is not set). */
    private static final EventParser ORACLE = new EventParser(EventParser.UnknownFields.ACCEPT);

    private static RunningChatwire chatwire;
    private static TestReceiver receiver;
    private static TestAccount account;
    private static String chatbot;
    private static final Map<String, byte[]> ACCEPTED = new ConcurrentHashMap<>();
    private static final List<String> OUTCOMES = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_INGEST_RATE", "0"));
        receiver = TestReceiver.start().answering(TestReceiver.Answer.status(204));
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.url().toString(),
                "[\"chat\",\"lead-submission\",\"live-chat-escalation\"]", true);
    }

    @AfterAll
    static void stop() {
        long accepted = OUTCOMES.stream().filter(o -> o.equals("202")).count();
        System.out.printf("ingest fuzz: %d cases, %d accepted, refusals %s%n", OUTCOMES.size(), accepted,
                OUTCOMES.stream().filter(o -> !o.equals("202")).collect(java.util.stream.Collectors.groupingBy(o -> o,
                        java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        if (chatwire != null) {
            chatwire.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static Stream<Arguments> seeds() {
        Random master = new Random(0xC4A7_F022L);
        return IntStream.range(0, CASES).mapToObj(i -> Arguments.of(i, master.nextLong()));
    }

    @Order(1)
    @ParameterizedTest(name = "case {0} (seed {1})")
    @MethodSource("seeds")
    void theServerAgreesWithTheParserAndNeverFails(int n, long seed) {
        Random random = new Random(seed);
        byte[] body = event(random);
        if (random.nextInt(3) > 0) {
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                body = mutate(random, body);
            }
        }
        Expected expected = expect(body);
        ApiClient.Response r = chatwire.operator().postBytes("/v1/events", body);
        String shown = new String(body, StandardCharsets.UTF_8);
        String what = "seed " + seed + ", body " + shown.substring(0, Math.min(400, shown.length()))
                + " -> " + r.status() + " " + r.raw();
        assertThat(r.status()).as(what).isLessThan(500);
        assertThat(r.header("content-type")).as(what).startsWith("application/json");
        assertThat(r.json().isObject()).as(what).isTrue();
        OUTCOMES.add(r.status() == 202 ? "202" : r.status() + " " + r.text("error"));
        assertThat(r.status()).as(what + "\nexpected " + expected).isEqualTo(expected.status());
        if (r.status() == 202) {
            ACCEPTED.put(r.text("id"), body);
        } else {
            assertThat(r.text("error")).as(what).isEqualTo(expected.error());
            assertThat(r.text("message")).as(what).isNotBlank();
        }
    }

    @Order(2)
    @Test
    void everyAcceptedEventIsDeliveredExactlyAsSentAndVerifies() throws Exception {
        assertThat(ACCEPTED.size()).as("accepted fuzz cases").isGreaterThan(CASES / 5);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().stream()
                .map(r -> r.header("webhook-id")).distinct().filter(ACCEPTED::containsKey).count() == ACCEPTED.size());
        WebhookVerifier verifier = WebhookVerifier.forSecret(account.signingSecret());
        for (TestReceiver.Received got : receiver.received()) {
            byte[] sent = ACCEPTED.get(got.header("webhook-id"));
            assertThat(sent).as("a delivery of an accepted event").isNotNull();
            assertThat(got.body()).as("delivered byte for byte as sent").isEqualTo(sent);
            verifier.verifyStandard(got.body(), got.header("webhook-id"), got.header("webhook-timestamp"),
                    got.header("webhook-signature"));
            verifier.verifyChatData(got.body(), got.header("x-chat-data-hmac-sha256"));
        }
    }

    // --- the oracle -----------------------------------------------------------------------------

    private record Expected(int status, String error) {
    }

    private static Expected expect(byte[] body) {
        try {
            var payload = ORACLE.parse(body);
            return payload.chatbotId().equals(chatbot) ? new Expected(202, null) : new Expected(404, "not_found");
        } catch (Problem.Invalid refused) {
            return new Expected(400, refused.code());
        }
    }

    // --- generating ---------------------------------------------------------------------------

    private static final String[] SAMPLES = {"How to integrate with Discord?", "Ça marche très bien 👍",
            "引き継ぎをお願いします", "quote \" and backslash \\ and slash /", "tab\tand\nnewline", "", " ",
            "'; DROP TABLE events;--", "<script>alert(1)</script>", "emoji 🧪🔥 and \u00e9", "x".repeat(300)};
    private static final String[] NUMBERS = {"20", "2.50", "1e3", "0", "-0", "0.85", "12345678901234567890",
            "0.1000000000000000000001", "1E-7", "1e400"};

    private static byte[] event(Random r) {
        String type = switch (r.nextInt(5)) {
            case 0 -> "lead-submission";
            case 1 -> "live-chat-escalation";
            default -> "chat";
        };
        List<String> fields = new ArrayList<>();
        fields.add(field(r, "event", string(r, type)));
        fields.add(field(r, "chatbot_id", string(r, chatbot)));
        if (type.equals("chat") || r.nextInt(4) == 0) {
            List<String> messages = new ArrayList<>();
            for (int i = r.nextInt(5); i > 0; i--) {
                messages.add("{" + field(r, "role", string(r, r.nextBoolean() ? "user" : "assistant")) + ","
                        + field(r, "content", string(r, text(r))) + "}");
            }
            fields.add(field(r, "messages", "[" + String.join(",", messages) + "]"));
            fields.add(field(r, "answer", "{" + field(r, "role", string(r, "assistant")) + ","
                    + field(r, "content", string(r, text(r)))
                    + (r.nextBoolean() ? "," + field(r, "score", NUMBERS[r.nextInt(NUMBERS.length)]) : "") + "}"));
        }
        if (type.equals("lead-submission") || r.nextInt(5) == 0) {
            fields.add(field(r, "lead", "{" + field(r, "uuid", string(r, UUID.randomUUID().toString()))
                    + (r.nextBoolean() ? "," + field(r, "email", string(r, "a@example.com")) : "")
                    + (r.nextBoolean() ? "," + field(r, "answers", "[1,true,null,{\"q\":\"a\"}]") : "") + "}"));
        }
        if (r.nextBoolean()) {
            fields.add(field(r, "client_ip", string(r, "203.0.113." + r.nextInt(256))));
        }
        if (r.nextBoolean()) {
            fields.add(field(r, "source", string(r, new String[] {"widget", "api", "whatsapp", "Ünïcode"}[r.nextInt(4)])));
        }
        if (r.nextBoolean()) {
            fields.add(field(r, "cost_credits", NUMBERS[r.nextInt(NUMBERS.length)]));
        }
        if (r.nextBoolean()) {
            fields.add(field(r, "conversation_id", r.nextInt(4) == 0 ? "null" : string(r, UUID.randomUUID().toString())));
        }
        if (r.nextInt(4) == 0) {
            fields.add(field(r, "created_at", string(r, "2026-11-25T09:00:00Z")));
        }
        Collections.shuffle(fields.subList(0, fields.size()), r);
        String ws = r.nextBoolean() ? "" : " \n\t".substring(0, 1 + r.nextInt(3));
        return ("{" + ws + String.join("," + ws, fields) + ws + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String field(Random r, String name, String value) {
        return string(r, name) + (r.nextBoolean() ? ":" : " : ") + value;
    }

    private static String text(Random r) {
        return SAMPLES[r.nextInt(SAMPLES.length)];
    }

    /** A JSON string, some characters escaped as \\uXXXX at random. */
    private static String string(Random r, String s) {
        StringBuilder sb = new StringBuilder("\"");
        boolean escapeSome = r.nextInt(4) == 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || (escapeSome && r.nextBoolean())) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    // --- damaging -----------------------------------------------------------------------------

    private static final String INSERTS = "{}[],:\"\\ 0a-eE.";

    private static byte[] mutate(Random r, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        int at = body.length == 0 ? 0 : r.nextInt(body.length);
        return switch (r.nextInt(12)) {
            case 0 -> splice(body, at, 0, new byte[] {(byte) INSERTS.charAt(r.nextInt(INSERTS.length()))});
            case 1 -> splice(body, at, Math.min(1, body.length - at), new byte[0]);
            case 2 -> Arrays.copyOf(body, at);
            case 3 -> splice(body, at, 0, new byte[][] {{(byte) 0xff}, {(byte) 0xc0, (byte) 0xaf},
                    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0x80}}[r.nextInt(4)]);
            case 4 -> text.replaceFirst("\"(client_ip|source|conversation_id|cost_credits|messages|answer|lead)\"\\s*:",
                    "\"$1_x\":").getBytes(StandardCharsets.UTF_8);
            case 5 -> text.replaceFirst("\\{", "{\"event\":\"chat\",").getBytes(StandardCharsets.UTF_8);
            case 6 -> text.replaceFirst("\"chatbot_id\"\\s*:\\s*\"[^\"]*\"", "\"chatbot_id\":"
                    + new String[] {"123", "null", "[]", "\"other_bot\"", "\"\"", "\"bot\\u0000x\""}[r.nextInt(6)])
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> text.replaceFirst("(\"cost_credits\"\\s*:\\s*)[^,}]+", "$1"
                    + new String[] {"\"20\"", "true", "1e999999", "9".repeat(120), "[]", "NaN"}[r.nextInt(6)])
                    .getBytes(StandardCharsets.UTF_8);
            case 8 -> text.replaceFirst("\"event\"\\s*:\\s*\"[^\"]*\"", "\"event\":"
                    + new String[] {"\"chats\"", "\"CHAT\"", "1", "null", "\"lead-submission\""}[r.nextInt(5)])
                    .getBytes(StandardCharsets.UTF_8);
            case 9 -> ("[" + text + "]").getBytes(StandardCharsets.UTF_8);
            case 10 -> text.replaceFirst("(\"content\"\\s*:\\s*)\"", "$1" + "[".repeat(40) + "\"")
                    .replaceFirst("(\\[{40}\"[^\"]*\")", "$1" + "]".repeat(40)).getBytes(StandardCharsets.UTF_8);
            default -> text.replaceFirst("\\}\\s*$", ",\"" + HexFormat.of().toHexDigits(r.nextInt()) + "\":1}")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] splice(byte[] body, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.writeBytes(insert);
        out.write(body, at + remove, body.length - at - remove);
        return out.toByteArray();
    }
}
