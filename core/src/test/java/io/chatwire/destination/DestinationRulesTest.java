package io.chatwire.destination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.network.Cidr;
import io.chatwire.network.TargetGuard;
import io.chatwire.problem.Problem;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which URLs each kind takes, and what each service's answers mean for a delivery. */
class DestinationRulesTest {
    private static final TargetGuard LOOPBACK_ALLOWED = new TargetGuard(List.of(Cidr.parse("127.0.0.0/8")), false,
            host -> switch (host) {
                case "emulator.test" -> new InetAddress[] {InetAddress.getByName("127.0.0.5")};
                case "half.test" -> new InetAddress[] {InetAddress.getByName("127.0.0.5"), InetAddress.getByName("93.184.216.34")};
                default -> new InetAddress[] {InetAddress.getByName("93.184.216.34")};
            });

    @ParameterizedTest
    @CsvSource({
            "slack, https://hooks.slack.com/services/T000/B000/XXXX, true",
            "slack, https://HOOKS.slack.com:443/services/T0/B0/x, true",
            "slack, http://hooks.slack.com/services/T000/B000/XXXX, false",
            "slack, https://hooks.slack.com/services/, false",
            "slack, https://hooks.slack.com:8443/services/T/B/x, false",
            "slack, https://hooks.slack.com.evil.test/services/T/B/x, false",
            "slack, https://discord.com/api/webhooks/1/abc, false",
            "discord, https://discord.com/api/webhooks/1/abc, true",
            "discord, https://discordapp.com/api/webhooks/1/abc, true",
            "discord, https://discord.com/api/v10/webhooks/1/abc, true",
            "discord, https://discord.com/api/webhooks/1, false",
            "discord, https://discord.com/channels/1/2, false",
            "discord, https://evil.test/api/webhooks/1/abc, false",
            "slack, http://127.0.0.1:9000/anything, true",
            "discord, http://emulator.test:9000/anything, true",
            "discord, http://half.test:9000/anything, false",
            "webhook, https://example.com/hook, true",
    })
    void takesOnlyTheServicesWebhookUrlsUnlessTheOperatorAllowedTheHost(String kind, String url, boolean taken) {
        Destination destination = Destination.fromWire("kind", kind);
        URI uri = URI.create(url);
        if (taken) {
            destination.checkUrl(uri, LOOPBACK_ALLOWED::operatorAllows);
        } else {
            assertThatThrownBy(() -> destination.checkUrl(uri, LOOPBACK_ALLOWED::operatorAllows))
                    .isInstanceOf(Problem.Invalid.class).hasMessageContaining(kind);
        }
    }

    @Test
    void operatorAllowsNoRelayAndNothingWhenNoBlockIsAllowed() {
        assertThat(LOOPBACK_ALLOWED.operatorAllows(URI.create("relay://127.0.0.1/x"))).isFalse();
        assertThat(TargetGuard.publicOnly().operatorAllows(URI.create("http://127.0.0.1/x"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "slack, 200, ok, taken",
            "slack, 400, invalid_payload, refused",
            "slack, 403, action_prohibited, refused",
            "slack, 404, channel_not_found, refused",
            "slack, 404, no_service, refused",
            "slack, 410, channel_is_archived, refused",
            "slack, 404, something_new, refused",
            "slack, 500, rollup_error, again",
            "slack, 503, '', again",
            "slack, 400, something_new, again",
            "discord, 204, '', taken",
            "discord, 200, '{\"id\":\"1\"}', taken",
            "discord, 400, '{\"message\":\"Invalid Form Body\",\"code\":50035}', refused",
            "discord, 401, '{\"message\":\"Invalid Webhook Token\",\"code\":50027}', refused",
            "discord, 404, '{\"message\":\"Unknown Webhook\",\"code\":10015}', refused",
            "discord, 502, '', again",
            "webhook, 410, channel_is_archived, again",
            "webhook, 204, '', taken",
    })
    void readsEachServicesAnswersAsDocumented(String kind, int status, String body, String meaning) {
        Verdict verdict = Destination.fromWire("kind", kind).verdictOn(status, body, Optional.empty());
        assertThat(switch (verdict) {
            case Verdict.Taken t -> "taken";
            case Verdict.Refused r -> "refused";
            case Verdict.TryAgain t -> "again";
            case Verdict.SlowDown s -> "slow";
        }).isEqualTo(meaning);
        if (verdict instanceof Verdict.Refused refused) {
            assertThat(refused.reason()).contains(String.valueOf(status));
        }
    }

    @Test
    void takesTheMostPreciseRateLimitHintOfEachService() {
        assertThat(Destination.SLACK.verdictOn(429, "rate_limited", Optional.of(Duration.ofSeconds(2))))
                .isEqualTo(new Verdict.SlowDown(Duration.ofSeconds(2)));
        assertThat(Destination.SLACK.verdictOn(429, "rate_limited", Optional.empty()))
                .isEqualTo(new Verdict.TryAgain(Optional.empty()));
        assertThat(Destination.DISCORD.verdictOn(429,
                "{\"message\":\"You are being rate limited.\",\"retry_after\":0.347,\"global\":false}",
                Optional.of(Duration.ofSeconds(1)))).isEqualTo(new Verdict.SlowDown(Duration.ofMillis(347)));
        assertThat(Destination.DISCORD.verdictOn(429, "<html>proxy</html>", Optional.of(Duration.ofSeconds(3))))
                .isEqualTo(new Verdict.SlowDown(Duration.ofSeconds(3)));
        assertThat(Destination.DISCORD.verdictOn(429, "{\"retry_after\":-1}", Optional.empty()))
                .isEqualTo(new Verdict.TryAgain(Optional.empty()));
        assertThat(Destination.WEBHOOK.verdictOn(429, "", Optional.of(Duration.ofSeconds(3))))
                .as("a webhook's 429 counts as before; its Retry-After still lengthens the pause")
                .isEqualTo(new Verdict.TryAgain(Optional.of(Duration.ofSeconds(3))));
    }
}
