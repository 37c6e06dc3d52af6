package io.chatwire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Discord's execute-webhook contract on loopback, as Discord documents it: a JSON POST to
 * {@code /api/webhooks/{id}/{token}} answered {@code 204} (or {@code 200} with the message for
 * {@code ?wait=true}); {@code 400} code 50006 for an empty message and code 50035 "Invalid Form Body"
 * for one over the limits (content 2000 characters; at most 10 embeds; title 256, description 4096,
 * at most 25 fields with names of 1 to 256 and values of 1 to 1024, footer 2048, author 256, and
 * 6000 over all embeds); {@code 404} code 10015 for an unknown webhook; and {@code 429} with
 * {@code retry_after} seconds in the JSON body, {@code Retry-After} and {@code X-RateLimit-*} headers.
 */
public final class DiscordEmulator extends ServiceEmulator {
    private static final Pattern WEBHOOK = Pattern.compile("^/api(/v[0-9]+)?/webhooks/[0-9]+/[A-Za-z0-9_-]+$");
    private static final Pattern MENTION = Pattern.compile("@everyone|@here|<@[!&]?[0-9]+>");

    public static DiscordEmulator start() {
        return new DiscordEmulator();
    }

    /** A webhook URL of this emulator, shaped like Discord's. */
    public String webhookUrl() {
        return base() + "/api/webhooks/1234567890/chatwire-emulator-token";
    }

    /** The next request gets Discord's error answer with its JSON code. */
    public void failNext(int status, int code, String message) {
        queue(new Answer(status, "application/json",
                "{\"message\":\"" + message + "\",\"code\":" + code + "}", headers()));
    }

    @Override
    Optional<Answer> refusal(String path, String contentType, JsonNode message) {
        if (!WEBHOOK.matcher(path).matches()) {
            return Optional.of(new Answer(404, "application/json", "{\"message\":\"Unknown Webhook\",\"code\":10015}",
                    headers()));
        }
        if (!contentType.startsWith("application/json") || message == null || !message.isObject()) {
            return Optional.of(new Answer(400, "application/json",
                    "{\"message\":\"Cannot send an empty message\",\"code\":50006}", headers()));
        }
        JsonNode embeds = message.path("embeds");
        if (length(message.get("content")) == 0 && (!embeds.isArray() || embeds.isEmpty())) {
            return Optional.of(new Answer(400, "application/json",
                    "{\"message\":\"Cannot send an empty message\",\"code\":50006}", headers()));
        }
        Optional<String> broken = brokenLimit(message);
        return broken.map(field -> new Answer(400, "application/json",
                "{\"message\":\"Invalid Form Body\",\"code\":50035,\"errors\":{\"" + field
                        + "\":{\"_errors\":[{\"code\":\"BASE_TYPE_MAX_LENGTH\"}]}}}", headers()));
    }

    /** The first field over Discord's limits, named as Discord's error would, or empty. */
    private static Optional<String> brokenLimit(JsonNode message) {
        if (length(message.get("content")) > 2000) {
            return Optional.of("content");
        }
        JsonNode embeds = message.path("embeds");
        if (embeds.size() > 10) {
            return Optional.of("embeds");
        }
        int total = 0;
        for (int i = 0; i < embeds.size(); i++) {
            JsonNode e = embeds.get(i);
            String at = "embeds." + i + ".";
            if (length(e.get("title")) > 256) {
                return Optional.of(at + "title");
            }
            if (length(e.get("description")) > 4096) {
                return Optional.of(at + "description");
            }
            if (length(e.path("footer").get("text")) > 2048) {
                return Optional.of(at + "footer.text");
            }
            if (length(e.path("author").get("name")) > 256) {
                return Optional.of(at + "author.name");
            }
            JsonNode fields = e.path("fields");
            if (fields.size() > 25) {
                return Optional.of(at + "fields");
            }
            total += length(e.get("title")) + length(e.get("description")) + length(e.path("footer").get("text"))
                    + length(e.path("author").get("name"));
            for (int f = 0; f < fields.size(); f++) {
                int name = length(fields.get(f).get("name"));
                int value = length(fields.get(f).get("value"));
                if (name < 1 || name > 256) {
                    return Optional.of(at + "fields." + f + ".name");
                }
                if (value < 1 || value > 1024) {
                    return Optional.of(at + "fields." + f + ".value");
                }
                total += name + value;
            }
        }
        return total > 6000 ? Optional.of("embeds") : Optional.empty();
    }

    @Override
    Answer success(String query) {
        boolean wait = query.toLowerCase(Locale.ROOT).contains("wait=true");
        return wait ? new Answer(200, "application/json", "{\"id\":\"1\",\"type\":0}", rateHeaders("4", "1"))
                : new Answer(204, "", "", rateHeaders("4", "1"));
    }

    @Override
    Answer rateLimited(Duration wait) {
        double seconds = Math.max(0.001, wait.toMillis() / 1000.0);
        String s = String.format(Locale.ROOT, "%.3f", seconds);
        var h = rateHeaders("0", s);
        h.put("Retry-After", Long.toString((long) Math.ceil(seconds)));
        h.put("X-RateLimit-Scope", "shared");
        return new Answer(429, "application/json",
                "{\"message\":\"You are being rate limited.\",\"retry_after\":" + s + ",\"global\":false}", h);
    }

    private static java.util.Map<String, String> rateHeaders(String remaining, String resetAfter) {
        return headers("X-RateLimit-Limit", "5", "X-RateLimit-Remaining", remaining,
                "X-RateLimit-Reset-After", resetAfter, "X-RateLimit-Bucket", "emulator");
    }

    /**
     * Who the message would ping: mentions in its content that {@code allowed_mentions} does not
     * suppress (without it, Discord parses everything). Embeds never ping.
     */
    public static List<String> pings(JsonNode message) {
        List<String> found = new ArrayList<>();
        JsonNode parse = message.path("allowed_mentions").path("parse");
        boolean suppressed = parse.isArray() && parse.isEmpty() && message.path("allowed_mentions").path("users").isEmpty()
                && message.path("allowed_mentions").path("roles").isEmpty();
        if (suppressed) {
            return found;
        }
        Matcher m = MENTION.matcher(message.path("content").asText());
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }
}
