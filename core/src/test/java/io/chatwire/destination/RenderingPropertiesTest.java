package io.chatwire.destination;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.event.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random events full of odd text (markup of both services, mentions, emoji sequences, flags,
 * combining marks, lone surrogates, control characters, empty and very long values, missing fields)
 * rendered for Slack and Discord: every message stays within the service's limits, escapes all
 * untrusted text, never splits a character, and shows a prefix of what was sent with a note when cut.
 * A failing seed is reproduced by running its case alone.
 */
class RenderingPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PIECES = {
            "&", "<", ">", "&amp;", "&lt;", "<!channel>", "<!here|here>", "<@U123>", "@everyone", "@here", "<@&42>",
            "*", "**", "_", "~~", "`", "```", "|", "||", "\\", "#", "- ", "> ", "[x](http://e.com)", ":smile:",
            "😀", "👨‍👩‍👧‍👦", "🇩🇪", "🏳️‍🌈", "👍🏽", "é", "e\u0301", "\n", "\t", "\r\n", "\u0000", "\u001b", "\u007f",
            "\ud83d", "\ude00", " ", "  ", "a", "word ", "Zoë Müller ", "日本語", "\u200b", "\u202e", "%s", "{}", "\"",
    };

    static LongStream seeds() {
        return LongStream.range(0, 150);
    }

    private static String odd(SplittableRandom r) {
        int size = switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2000 + r.nextInt(8000); // Far over every limit.
            default -> r.nextInt(60);
        };
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < size; i++) {
            text.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private static String event(SplittableRandom r, EventType type) {
        ObjectNode event = JSON.createObjectNode().put("event", type.wireName()).put("chatbot_id", "bot_" + r.nextInt(100));
        if (r.nextBoolean()) {
            var messages = event.putArray("messages");
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                messages.addObject().put("role", r.nextBoolean() ? "user" : "assistant").put("content", odd(r));
            }
        }
        if (type == EventType.CHAT || r.nextInt(4) == 0) {
            ObjectNode answer = event.putObject("answer").put("role", "assistant").put("content", odd(r));
            switch (r.nextInt(4)) {
                case 0 -> answer.put("score", r.nextDouble());
                case 1 -> answer.put("score", new java.math.BigDecimal("1e400"));
                case 2 -> answer.putNull("score");
                default -> { }
            }
        }
        if (r.nextBoolean()) {
            event.put("client_ip", odd(r));
        }
        if (r.nextBoolean()) {
            event.put("source", odd(r));
        }
        if (r.nextBoolean()) {
            event.put("conversation_id", odd(r));
        }
        if (type == EventType.LEAD_SUBMISSION || r.nextBoolean()) {
            ObjectNode lead = event.putObject("lead");
            int n = r.nextInt(r.nextInt(5) == 0 ? 40 : 5);
            for (int i = 0; i < n; i++) {
                String key = r.nextInt(3) == 0 ? List.of("name", "email", "phone", "uuid").get(r.nextInt(4)) : odd(r);
                switch (r.nextInt(4)) {
                    case 0 -> lead.put(key, r.nextInt());
                    case 1 -> lead.putObject(key).put("nested", odd(r));
                    default -> lead.put(key, odd(r));
                }
            }
        }
        return event.toString();
    }

    private record Case(EventType type, String payload) {
    }

    private static Case randomCase(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        EventType type = EventType.values()[r.nextInt(EventType.values().length)];
        return new Case(type, event(r, type));
    }

    private static JsonNode render(Destination kind, Case c) throws IOException {
        Destination.Outgoing out = kind.outgoing(c.type(), c.payload(), "evt_" + c.type().ordinal(),
                DeliveryContentType.TEXT_PLAIN);
        assertThat(out.contentType()).isEqualTo(DeliveryContentType.APPLICATION_JSON);
        String body = new String(out.body(), StandardCharsets.UTF_8);
        assertThat(body.getBytes(StandardCharsets.UTF_8)).isEqualTo(out.body()); // Valid UTF-8: nothing was lost.
        return JSON.readTree(body);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void slackMessagesStayWithinBlockKitLimitsAndEscapeEverything(long seed) throws IOException {
        JsonNode message = render(Destination.SLACK, randomCase(seed));
        JsonNode blocks = message.path("blocks");
        assertThat(blocks.size()).isBetween(2, 50);
        assertThat(blocks.get(0).path("text").path("text").asText().length()).isBetween(1, 150);
        List<String> mrkdwn = new ArrayList<>();
        mrkdwn.add(message.path("text").asText());
        for (JsonNode block : blocks) {
            JsonNode text = block.path("text");
            if (block.path("type").asText().equals("section") && !text.isMissingNode()) {
                assertThat(text.path("text").asText().length()).isBetween(1, 3000);
                mrkdwn.add(text.path("text").asText());
            }
            JsonNode fields = block.path("fields");
            assertThat(fields.size()).isLessThanOrEqualTo(10);
            for (JsonNode f : fields) {
                assertThat(f.path("text").asText().length()).isBetween(1, 2000);
                mrkdwn.add(f.path("text").asText());
            }
            for (JsonNode e : block.path("elements")) {
                assertThat(e.path("text").asText().length()).isBetween(1, 3000);
                mrkdwn.add(e.path("text").asText());
            }
        }
        for (String t : mrkdwn) {
            assertThat(t).doesNotContain("<", ">").doesNotContainPattern("&(?!amp;|lt;|gt;)");
            assertWholeCharacters(t);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void discordMessagesStayWithinEmbedLimitsAndPingNobody(long seed) throws IOException {
        JsonNode message = render(Destination.DISCORD, randomCase(seed));
        assertThat(message.path("content").asText().length()).isBetween(1, 2000);
        assertThat(message.path("allowed_mentions").path("parse").isArray()).isTrue();
        assertThat(message.path("allowed_mentions").path("parse")).isEmpty();
        JsonNode embeds = message.path("embeds");
        assertThat(embeds.size()).isBetween(1, 10);
        int total = 0;
        for (JsonNode e : embeds) {
            int description = e.path("description").asText().length();
            assertThat(description).isBetween(1, 4096);
            assertThat(e.path("fields").size()).isLessThanOrEqualTo(25);
            int footer = e.path("footer").path("text").asText().length();
            assertThat(footer).isLessThanOrEqualTo(2048);
            total += description + footer + e.path("title").asText().length();
            for (JsonNode f : e.path("fields")) {
                assertThat(f.path("name").asText().length()).isBetween(1, 256);
                assertThat(f.path("value").asText().length()).isBetween(1, 1024);
                total += f.path("name").asText().length() + f.path("value").asText().length();
                assertWholeCharacters(f.path("value").asText());
            }
            assertWholeCharacters(e.path("description").asText());
            assertNoBareMarkdown(e.path("description").asText().replaceAll("\\*\\*[^*\\n]*\\*\\*\\n", ""));
        }
        assertThat(total).isLessThanOrEqualTo(6000);
        assertNoBareMarkdown(message.path("content").asText());
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void aCutAnswerShowsWhatWasSentUpToANote(long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        String answer = odd(r) + "😀".repeat(r.nextInt(3000)) + odd(r);
        ObjectNode event = JSON.createObjectNode().put("event", "chat").put("chatbot_id", "bot_1");
        event.putArray("messages").addObject().put("role", "user").put("content", "q");
        event.putObject("answer").put("role", "assistant").put("content", answer);
        Case c = new Case(EventType.CHAT, event.toString());
        String expected = cleaned(answer).strip();

        String slack = render(Destination.SLACK, c).path("blocks").get(2).path("text").path("text").asText();
        String slackShown = slack.substring("*Answer*\n".length())
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        assertShowsPrefix(slackShown, expected);

        String discord = render(Destination.DISCORD, c).path("embeds").get(0).path("description").asText();
        String discordShown = discord.substring(discord.indexOf("**Answer**\n") + "**Answer**\n".length())
                .replaceAll("\\\\([\\\\*_~`|>#\\-\\[\\]()<])", "$1");
        assertShowsPrefix(discordShown, expected);
    }

    /** Whole if it fits; else a prefix of it, then the note with the count of characters left out. */
    private static void assertShowsPrefix(String shown, String expected) {
        if (expected.isEmpty()) {
            assertThat(shown).isEqualTo("—");
            return;
        }
        java.util.regex.Matcher note = java.util.regex.Pattern.compile(" … \\[cut: ([0-9]+) more characters\\]$").matcher(shown);
        if (!note.find()) {
            int differs = 0;
            while (differs < Math.min(shown.length(), expected.length()) && shown.charAt(differs) == expected.charAt(differs)) {
                differs++;
            }
            assertThat(shown).as("differs at %d: shown [%s] expected [%s]", differs,
                    shown.substring(Math.max(0, differs - 20), Math.min(shown.length(), differs + 20)),
                    expected.substring(Math.max(0, differs - 20), Math.min(expected.length(), differs + 20)))
                    .isEqualTo(expected);
            return;
        }
        String kept = shown.substring(0, note.start());
        assertThat(expected).startsWith(kept);
        java.text.BreakIterator characters = java.text.BreakIterator.getCharacterInstance(java.util.Locale.ROOT);
        characters.setText(expected);
        assertThat(characters.isBoundary(kept.length())).as("cut between two characters as shown").isTrue();
        int left = Integer.parseInt(note.group(1));
        assertThat(left).isPositive();
        assertThat(kept.codePointCount(0, kept.length()) + left)
                .isGreaterThanOrEqualTo(expected.codePointCount(0, expected.length()));
    }

    /** The text as the renderers keep it: lone surrogates replaced, control characters but \n and \t gone. */
    private static String cleaned(String raw) {
        StringBuilder out = new StringBuilder();
        raw.codePoints().forEach(cp -> {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                out.append('\uFFFD');
            } else if (!Character.isISOControl(cp) || cp == '\n' || cp == '\t') {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static void assertWholeCharacters(String text) {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch)) {
                assertThat(i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                        .as("high surrogate at %d is followed by its low half", i).isTrue();
                i++;
            } else {
                assertThat(Character.isLowSurrogate(ch)).as("lone low surrogate at %d", i).isFalse();
            }
            assertThat(Character.isISOControl(ch) && ch != '\n' && ch != '\t').as("control character at %d", i).isFalse();
        }
    }

    /** Every markdown character of untrusted text comes escaped (bold labels are Chatwire's own). */
    private static void assertNoBareMarkdown(String text) {
        String withoutEscapes = text.replaceAll(" … \\[cut: [0-9]+ more characters\\]", "").replaceAll("\\\\[\\\\*_~`|>#\\-\\[\\]()<]", "");
        String withoutLabels = withoutEscapes.replaceAll("\\*\\*[A-Za-z ·0-9.E+\\-]+\\*\\*", "");
        java.util.regex.Matcher bare = java.util.regex.Pattern.compile("[*_~`|>#\\[\\]()<\\\\]").matcher(withoutLabels);
        if (bare.find()) {
            int at = text.indexOf(bare.group());
            throw new AssertionError("bare markdown '" + bare.group() + "' near: "
                    + text.substring(Math.max(0, at - 30), Math.min(text.length(), at + 30)));
        }
    }
}
