package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.ReadmeReceiver;
import io.chatwire.testing.ReadmeReceiver.Kind;
import io.chatwire.testing.ReadmeSnippets;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The receivers of the README's "Receiving in Node and Python" run exactly as printed there (cut out
 * of README.md by their {@code <!-- receiver: ... -->} markers) against a real Chatwire, so the
 * README cannot show a receiver that does not work. The Next.js block is the route that
 * {@link ChatDataNextJsReceiverTest} builds and runs. Needs Node.js with npm, and Python 3.10+ with
 * Flask; fails, never skips, without them.
 */
class ReadmeReceiversTest {
    // HTTP/1.1: the JDK's default HTTP/2 asks for an h2c upgrade, which these servers need not honour.
    // A client per request: http.server answers as HTTP/1.0 and closes, and a pooled connection the
    // receiver has just closed fails the next request with "received no bytes".
    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }
    private static final Set<String> NOT_REPLAYED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "transfer-encoding");
    private static final Set<String> STANDARD_WEBHOOKS = Set.of("webhook-id", "webhook-timestamp", "webhook-signature");

    private static RunningChatwire chatwire;
    private static TestAccount account;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
        account = chatwire.createAccount("standard");
    }

    @AfterAll
    static void stop() {
        if (chatwire != null) {
            chatwire.close();
        }
        System.out.println("readme receivers: npm ci " + ReadmeReceiver.npmCiTime() + " (ZERO = reused)");
    }

    @Test
    void theNextJsBlockIsTheRouteOfTheTestedNextJsReceiver() throws IOException {
        Path route = Path.of(System.getProperty("basedir", "."),
                "../receivers/chat-data-nextjs/pages/api/webhook.js").normalize();

        assertThat(ReadmeSnippets.named("nextjs"))
                .as("the README's Next.js block must be %s character for character", route)
                .isEqualTo(Files.readString(route, StandardCharsets.UTF_8));
    }

    // --- deliveries from Chatwire -----------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acceptsAChatDeliverySentAsTextPlain(Kind kind) {
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            String chatbot = chatwire.createChatbot(account);
            createEndpoint(account, chatbot, receiver, "text/plain");

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Sent as text"));

            assertDelivered(account, eventId, receiver);
            assertThat(receiver.verifiedLines()).containsExactly("verified chat " + eventId + " by webhook-signature");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acceptsAChatDeliverySentAsApplicationJson(Kind kind) {
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            String chatbot = chatwire.createChatbot(account);
            createEndpoint(account, chatbot, receiver, "application/json");

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Sent as JSON"));

            assertDelivered(account, eventId, receiver);
            assertThat(receiver.verifiedLines()).containsExactly("verified chat " + eventId + " by webhook-signature");
        }
    }

    /** After a rotation Chatwire signs with the old and the new secret; a receiver still on the old one accepts. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void acceptsADeliveryWhileItsSecretIsBeingRotated(Kind kind) {
        TestAccount rotating = chatwire.createAccount("standard");
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, rotating.signingSecret())) {
            String chatbot = chatwire.createChatbot(rotating);
            createEndpoint(rotating, chatbot, receiver, "text/plain");
            ApiClient.Response rotated = rotating.api().post("/v1/account/signing-secret/rotate", "{}");
            assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Mid-rotation"));

            assertDelivered(rotating, eventId, receiver);
            assertThat(receiver.verifiedLines()).containsExactly("verified chat " + eventId + " by webhook-signature");
        }
    }

    // --- requests shaped like a delivery, sent straight to the receiver ---------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesADeliveryWhoseBodyWasAlteredByOneByte(Kind kind) {
        TestReceiver.Received signed = captureSignedChatDelivery("How to integrate with Discord?");
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            assertThat(replay(receiver, signed, signed.body(), Map.of()).statusCode())
                    .as("the request as Chatwire signed it").isEqualTo(204);

            HttpResponse<String> answer = replay(receiver, signed, tamper(signed), Map.of());

            assertRefused(answer, receiver);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void acceptsARequestSignedOnlyWithTheChatDataHeader(Kind kind) {
        TestReceiver.Received signed = captureSignedChatDelivery("Chat Data style");
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            HttpResponse<String> answer = replay(receiver, signed, signed.body(), withoutStandardWebhooks());

            assertThat(answer.statusCode()).as(receiver::output).isEqualTo(204);
            assertThat(receiver.verifiedLines()).containsExactly("verified chat - by x-chat-data-hmac-sha256");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesAChatDataOnlyRequestWhoseBodyWasAltered(Kind kind) {
        TestReceiver.Received signed = captureSignedChatDelivery("Chat Data style, altered");
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            HttpResponse<String> answer = replay(receiver, signed, tamper(signed), withoutStandardWebhooks());

            assertRefused(answer, receiver);
            assertThat(receiver.verifiedLines()).isEmpty();
        }
    }

    /** A request stripped of webhook-signature must not fall back to the timestamp-free Chat Data header. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesADeliveryStrippedOfItsStandardWebhooksSignature(Kind kind) {
        TestReceiver.Received signed = captureSignedChatDelivery("Downgraded");
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            HttpResponse<String> answer = replay(receiver, signed, signed.body(), Map.of("webhook-signature", ""));

            assertRefused(answer, receiver);
            assertThat(receiver.verifiedLines()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesACorrectlySignedRequestWhoseTimestampIsMoreThanFiveMinutesOld(Kind kind) {
        TestReceiver.Received signed = captureSignedChatDelivery("Replayed later");
        String id = signed.header("webhook-id");
        long now = Instant.now().getEpochSecond();
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, account.signingSecret())) {
            assertThat(replay(receiver, signed, signed.body(), resigned(id, now - 240, signed.body())).statusCode())
                    .as("four minutes old, signed the same way").isEqualTo(204);

            HttpResponse<String> answer = replay(receiver, signed, signed.body(), resigned(id, now - 360, signed.body()));

            assertRefused(answer, receiver);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesARequestSignedWithAnotherSecret(Kind kind) {
        TestReceiver.Received signed = captureSignedChatDelivery("Signed elsewhere");
        TestAccount other = chatwire.createAccount("standard");
        try (ReadmeReceiver receiver = ReadmeReceiver.start(kind, other.signingSecret())) {
            HttpResponse<String> answer = replay(receiver, signed, signed.body(), Map.of());

            assertRefused(answer, receiver);
            assertThat(receiver.verifiedLines()).isEmpty();
        }
    }

    // --- helpers --------------------------------------------------------------------------------

    private static void createEndpoint(TestAccount owner, String chatbot, ReadmeReceiver receiver, String contentType) {
        ApiClient.Response r = owner.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + receiver.url() + "\",\"events\":[\"chat\"],\"content_type\":\"" + contentType + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.text("content_type")).startsWith(contentType);
    }

    private static void assertDelivered(TestAccount owner, String eventId, ReadmeReceiver receiver) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> !"pending".equals(delivery(owner, eventId).path("status").asText()));
        JsonNode delivery = delivery(owner, eventId);
        assertThat(delivery.path("status").asText()).as(() -> delivery + "\n" + receiver.output())
                .isEqualTo("delivered");
        assertThat(delivery.get("attempts")).hasSize(1);
        assertThat(delivery.get("attempts").get(0).path("http_status").asInt()).isEqualTo(204);
    }

    private static JsonNode delivery(TestAccount owner, String eventId) {
        ApiClient.Response r = owner.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("data")).hasSize(1);
        return r.json().get("data").get(0);
    }

    private static void assertRefused(HttpResponse<String> answer, ReadmeReceiver receiver) {
        assertThat(answer.statusCode()).as(receiver::output).isEqualTo(401);
        assertThat(answer.body()).contains("\"error\"").contains("invalid_signature");
    }

    /** One real chat delivery as Chatwire signs and sends it, caught by a recording receiver. */
    private static TestReceiver.Received captureSignedChatDelivery(String question) {
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver catcher = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, catcher.url().toString(), "[\"chat\"]", true);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, question));
            await().atMost(Duration.ofSeconds(5)).until(() -> catcher.count() == 1);
            return catcher.received().getFirst();
        }
    }

    private static byte[] tamper(TestReceiver.Received signed) {
        byte[] tampered = signed.body().clone();
        int at = signed.bodyText().indexOf("\"chat\"");
        assertThat(at).isNotNegative();
        tampered[at + 1] = 'C';
        return tampered;
    }

    private static Map<String, String> withoutStandardWebhooks() {
        Map<String, String> dropped = new HashMap<>();
        STANDARD_WEBHOOKS.forEach(h -> dropped.put(h, ""));
        return dropped;
    }

    /** Standard Webhooks headers for this id and timestamp, signed correctly with the account's secret. */
    private static Map<String, String> resigned(String id, long timestamp, byte[] body) {
        byte[] key = Base64.getDecoder().decode(account.signingSecret().substring("whsec_".length()));
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        return Map.of("webhook-timestamp", String.valueOf(timestamp), "webhook-signature", "v1," + hmac(key, message));
    }

    private static String hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a captured delivery's headers (some replaced; an empty value drops one) with a body to the receiver. */
    private static HttpResponse<String> replay(ReadmeReceiver receiver, TestReceiver.Received delivery, byte[] body,
            Map<String, String> replaced) {
        HttpRequest.Builder request = HttpRequest.newBuilder(receiver.url())
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        delivery.headers().forEach((name, values) -> {
            String lower = name.toLowerCase();
            if (!NOT_REPLAYED.contains(lower) && !replaced.containsKey(lower)) {
                values.forEach(v -> request.header(name, v));
            }
        });
        replaced.forEach((name, value) -> {
            if (!value.isEmpty()) {
                request.header(name, value);
            }
        });
        try (HttpClient http = newClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the README receiver did not answer:\n" + receiver.output(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
