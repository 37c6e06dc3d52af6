package io.chatwire.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A Discord webhook ({@code https://discord.com/api/webhooks/{id}/{token}}, or the older
 * {@code discordapp.com} host, which Discord still serves). Discord answers {@code 204} (or
 * {@code 200} with {@code ?wait=true}). Its {@code 429} carries the pause as {@code retry_after}
 * seconds (a decimal) in a JSON body, besides the {@code Retry-After} and
 * {@code X-RateLimit-Reset-After} headers: the most precise of them is used. A 400 (invalid form
 * body), 401 (bad token), 403 or 404 (unknown webhook) cannot change by resending, so it fails the
 * delivery at once; a 5xx is retried.
 */
public record Discord() implements Destination {
    static final Set<String> HOSTS = Set.of("discord.com", "discordapp.com");
    private static final Pattern WEBHOOK_PATH = Pattern.compile("^/api(/v[0-9]+)?/webhooks/[^/]+/[^/]+/?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String wireName() {
        return "discord";
    }

    @Override
    public void checkUrl(URI url, Predicate<URI> operatorAllows) {
        if (operatorAllows.test(url)) {
            return;
        }
        boolean discord = "https".equalsIgnoreCase(url.getScheme())
                && HOSTS.contains(String.valueOf(url.getHost()).toLowerCase(Locale.ROOT))
                && (url.getPort() == -1 || url.getPort() == 443)
                && url.getRawPath() != null && WEBHOOK_PATH.matcher(url.getRawPath()).matches();
        if (!discord) {
            throw new Problem.Invalid("invalid_url", "a discord endpoint's url must be a Discord webhook URL "
                    + "(https://discord.com/api/webhooks/{id}/{token}): copy it from the channel's Integrations settings");
        }
    }

    @Override
    public Outgoing outgoing(EventType type, String payload, String eventId, DeliveryContentType chosen) {
        return new Outgoing(DiscordMessage.render(Summary.of(type, payload, eventId)),
                DeliveryContentType.APPLICATION_JSON);
    }

    @Override
    public Verdict verdictOn(int status, String body, Optional<Duration> retryAfterHeader) {
        if (status >= 200 && status < 300) {
            return new Verdict.Taken();
        }
        if (status == 429) {
            Optional<Duration> hint = retryAfterInBody(body).or(() -> retryAfterHeader);
            return hint.<Verdict>map(Verdict.SlowDown::new).orElse(new Verdict.TryAgain(Optional.empty()));
        }
        if (status == 400 || status == 401 || status == 403 || status == 404) {
            return new Verdict.Refused("Discord answered " + status + message(body).map(m -> " (" + m + ")").orElse("")
                    + switch (status) {
                        case 400 -> ": Discord refused the message's form";
                        case 404 -> ": the webhook was deleted; create a new one in the channel's settings";
                        default -> ": the webhook's token is not valid any more";
                    });
        }
        return new Verdict.TryAgain(retryAfterHeader);
    }

    /** The {@code retry_after} seconds of a 429's JSON body, if it has a sensible one. */
    static Optional<Duration> retryAfterInBody(String body) {
        try {
            JsonNode seconds = JSON.readTree(body == null ? "" : body).path("retry_after");
            if (seconds.isNumber() && seconds.doubleValue() >= 0 && seconds.doubleValue() <= 86_400) {
                return Optional.of(Duration.ofMillis((long) Math.ceil(seconds.doubleValue() * 1000)));
            }
        } catch (java.io.IOException | RuntimeException notJson) {
            // A 429 from a proxy in front of Discord may carry anything: the headers decide then.
        }
        return Optional.empty();
    }

    private static Optional<String> message(String body) {
        try {
            JsonNode message = JSON.readTree(body == null ? "" : body).path("message");
            return message.isTextual() ? Optional.of(message.textValue().lines().findFirst().orElse("")) : Optional.empty();
        } catch (java.io.IOException | RuntimeException notJson) {
            return Optional.empty();
        }
    }
}
