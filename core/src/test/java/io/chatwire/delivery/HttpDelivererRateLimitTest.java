package io.chatwire.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.network.Cidr;
import io.chatwire.network.TargetGuard;
import io.chatwire.testing.TestReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pause a 429 asks for reaches the attempt's result, however the receiver says it. */
class HttpDelivererRateLimitTest {
    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);
    private final HttpDeliverer deliverer = new HttpDeliverer(new HttpDeliverer.Settings(Duration.ofSeconds(1),
            Duration.ofSeconds(2), 64 * 1024, "Chatwire-test", new TargetGuard(List.of(Cidr.parse("127.0.0.0/8")), false)));

    @AfterEach
    void close() {
        deliverer.close();
    }

    private Optional<Duration> askedPause(TestReceiver.Answer answer) {
        try (TestReceiver receiver = TestReceiver.start().answering(answer)) {
            AttemptResult result = deliverer.post(receiver.url(), DeliveryContentType.APPLICATION_JSON, Map.of(), BODY);
            assertThat(result).isInstanceOf(AttemptResult.Answered.class);
            return ((AttemptResult.Answered) result).retryAfter();
        }
    }

    @Test
    void readsRetryAfterFirstAndDiscordsDecimalResetAfterWithoutIt() {
        assertThat(askedPause(TestReceiver.Answer.status(429).withHeader("Retry-After", "3")
                .withHeader("X-RateLimit-Reset-After", "1.5"))).contains(Duration.ofSeconds(3));
        assertThat(askedPause(TestReceiver.Answer.status(429).withHeader("X-RateLimit-Reset-After", "1.25")))
                .contains(Duration.ofMillis(1250));
        assertThat(askedPause(TestReceiver.Answer.status(429).withHeader("X-RateLimit-Reset-After", "soon"))).isEmpty();
        assertThat(askedPause(TestReceiver.Answer.status(200).withHeader("X-RateLimit-Reset-After", "1.25")))
                .as("a success asks for no pause").isEmpty();
    }
}
