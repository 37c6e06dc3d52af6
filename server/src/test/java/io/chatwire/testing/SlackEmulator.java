package io.chatwire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slack's incoming-webhook contract on loopback, as Slack documents it: a JSON POST to
 * {@code /services/T.../B.../secret} answered {@code 200 ok}; {@code 400 invalid_payload} for a body
 * that is not a JSON message, {@code 400 no_text} for one with neither text nor blocks,
 * {@code 400 invalid_blocks} for blocks over Block Kit's limits (50 blocks; a header's plain text 150
 * characters; a section's text 1 to 3000, at most 10 fields of 1 to 2000; a context's at most 10
 * elements); {@code 404 no_service} for an unknown path; and {@code 429} with a whole-seconds
 * {@code Retry-After} once its rate limit is passed.
 */
public final class SlackEmulator extends ServiceEmulator {
    private static final Pattern WEBHOOK = Pattern.compile("^/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+$");
    private static final Set<String> BLOCK_TYPES = Set.of("header", "section", "context", "divider");
    /** Slack's special mentions and user/channel links, as they appear in unescaped mrkdwn. */
    private static final Pattern MENTION = Pattern.compile("<(!channel|!here|!everyone|@[A-Z0-9]+|#[A-Z0-9]+)[^>]*>");

    public static SlackEmulator start() {
        return new SlackEmulator();
    }

    /** A webhook URL of this emulator, shaped like Slack's. */
    public String webhookUrl() {
        return base() + "/services/T0CHATWIRE/B0EMULATOR/abcdef0123456789";
    }

    /** The next request gets Slack's error answer, e.g. {@code 410 channel_is_archived}. */
    public void failNext(int status, String code) {
        queue(new Answer(status, "text/html", code, headers()));
    }

    @Override
    Optional<Answer> refusal(String path, String contentType, JsonNode message) {
        if (!WEBHOOK.matcher(path).matches()) {
            return Optional.of(error(404, "no_service"));
        }
        if (!contentType.startsWith("application/json") || message == null || !message.isObject()) {
            return Optional.of(error(400, "invalid_payload"));
        }
        JsonNode blocks = message.path("blocks");
        if (length(message.get("text")) == 0 && (!blocks.isArray() || blocks.isEmpty())) {
            return Optional.of(error(400, "no_text"));
        }
        return blocks.isMissingNode() || blocksValid(blocks) ? Optional.empty() : Optional.of(error(400, "invalid_blocks"));
    }

    private static boolean blocksValid(JsonNode blocks) {
        if (!blocks.isArray() || blocks.size() > 50) {
            return false;
        }
        for (JsonNode block : blocks) {
            String type = block.path("type").asText();
            if (!BLOCK_TYPES.contains(type)) {
                return false;
            }
            boolean valid = switch (type) {
                case "header" -> "plain_text".equals(block.path("text").path("type").asText())
                        && between(block.path("text").get("text"), 1, 150);
                case "section" -> sectionValid(block);
                case "context" -> block.path("elements").isArray() && !block.path("elements").isEmpty()
                        && block.path("elements").size() <= 10
                        && allMatch(block.path("elements"), e -> between(e.get("text"), 1, 3000));
                default -> true;
            };
            if (!valid) {
                return false;
            }
        }
        return true;
    }

    private static boolean sectionValid(JsonNode section) {
        JsonNode text = section.path("text");
        JsonNode fields = section.path("fields");
        if (text.isMissingNode() && fields.isMissingNode()) {
            return false;
        }
        if (!text.isMissingNode() && !between(text.get("text"), 1, 3000)) {
            return false;
        }
        return fields.isMissingNode()
                || fields.isArray() && fields.size() <= 10 && allMatch(fields, f -> between(f.get("text"), 1, 2000));
    }

    private static boolean between(JsonNode text, int min, int max) {
        int n = length(text);
        return text != null && text.isTextual() && n >= min && n <= max;
    }

    private static boolean allMatch(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode n : array) {
            if (!test.test(n)) {
                return false;
            }
        }
        return true;
    }

    @Override
    Answer success(String query) {
        return new Answer(200, "text/html", "ok", headers());
    }

    @Override
    Answer rateLimited(Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new Answer(429, "text/html", "rate_limited", headers("Retry-After", Long.toString(seconds)));
    }

    private static Answer error(int status, String code) {
        return new Answer(status, "text/html", code, headers());
    }

    /** Every mrkdwn text of a message (the section texts and fields, the context), in order. */
    public static List<String> mrkdwnTexts(JsonNode message) {
        List<String> texts = new ArrayList<>();
        for (JsonNode block : message.path("blocks")) {
            if ("mrkdwn".equals(block.path("text").path("type").asText())) {
                texts.add(block.path("text").path("text").asText());
            }
            for (JsonNode f : block.path("fields")) {
                texts.add(f.path("text").asText());
            }
            for (JsonNode e : block.path("elements")) {
                texts.add(e.path("text").asText());
            }
        }
        return texts;
    }

    /** The text as a person sees it in Slack: entities decoded (after links and mentions are found). */
    public static String asShown(String mrkdwn) {
        return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /** The mentions (pings) and links Slack would make of the message's texts. */
    public static List<String> mentions(JsonNode message) {
        List<String> found = new ArrayList<>();
        List<String> texts = new ArrayList<>(mrkdwnTexts(message));
        texts.add(message.path("text").asText());
        for (String t : texts) {
            Matcher m = MENTION.matcher(t);
            while (m.find()) {
                found.add(m.group());
            }
        }
        return found;
    }
}
