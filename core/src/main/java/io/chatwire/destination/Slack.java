package io.chatwire.destination;

import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A Slack incoming webhook ({@code https://hooks.slack.com/services/...}). Slack answers {@code 200 ok};
 * its documented errors name a condition that resending the same message cannot change (the channel
 * archived or gone, the webhook revoked, the workspace forbidding it, a payload it cannot read), so
 * they fail the delivery at once instead of spending the retry schedule. {@code 429} comes with
 * {@code Retry-After}: a pause, not a failure. A 5xx ({@code rollup_error}) is retried.
 */
public record Slack() implements Destination {
    static final String HOST = "hooks.slack.com";

    /** Slack's error bodies, with what the customer can do about each. */
    private static final Map<String, String> PERMANENT = Map.ofEntries(
            Map.entry("invalid_payload", "Slack could not read the message"),
            Map.entry("user_not_found", "the webhook's user no longer exists"),
            Map.entry("action_prohibited", "the workspace does not allow this webhook to post here"),
            Map.entry("posting_to_general_channel_denied", "the workspace does not allow webhooks in #general"),
            Map.entry("channel_not_found", "the webhook's channel no longer exists"),
            Map.entry("channel_is_archived", "the webhook's channel is archived; unarchive it or use another channel's webhook"),
            Map.entry("no_service", "the webhook was removed or revoked; create a new one in Slack"),
            Map.entry("no_service_id", "the webhook URL is incomplete"),
            Map.entry("no_team", "the webhook's workspace no longer exists"),
            Map.entry("team_disabled", "the webhook's workspace is disabled"),
            Map.entry("invalid_token", "the webhook's token is no longer valid; create a new webhook in Slack"));

    @Override
    public String wireName() {
        return "slack";
    }

    @Override
    public void checkUrl(URI url, Predicate<URI> operatorAllows) {
        if (operatorAllows.test(url)) {
            return;
        }
        boolean slack = "https".equalsIgnoreCase(url.getScheme())
                && HOST.equals(String.valueOf(url.getHost()).toLowerCase(Locale.ROOT))
                && (url.getPort() == -1 || url.getPort() == 443)
                && url.getRawPath() != null && url.getRawPath().startsWith("/services/")
                && url.getRawPath().length() > "/services/".length();
        if (!slack) {
            throw new Problem.Invalid("invalid_url", "a slack endpoint's url must be a Slack incoming-webhook URL "
                    + "(https://hooks.slack.com/services/...): copy it from the webhook's page in Slack");
        }
    }

    @Override
    public Outgoing outgoing(EventType type, String payload, String eventId, DeliveryContentType chosen) {
        return new Outgoing(SlackMessage.render(Summary.of(type, payload, eventId)), DeliveryContentType.APPLICATION_JSON);
    }

    @Override
    public Verdict verdictOn(int status, String body, Optional<Duration> retryAfterHeader) {
        if (status >= 200 && status < 300) {
            return new Verdict.Taken();
        }
        if (status == 429) {
            return retryAfterHeader.<Verdict>map(Verdict.SlowDown::new).orElse(new Verdict.TryAgain(Optional.empty()));
        }
        String code = body == null ? "" : body.strip();
        String why = PERMANENT.get(code);
        if (why != null) {
            return new Verdict.Refused("Slack answered " + status + " " + code + ": " + why);
        }
        if (status == 404 || status == 410) {
            return new Verdict.Refused("Slack answered " + status + ": the webhook no longer exists");
        }
        return new Verdict.TryAgain(retryAfterHeader);
    }
}
