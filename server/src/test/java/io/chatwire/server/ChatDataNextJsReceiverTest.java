package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.NextJsReceiver;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deliveries reach, for real, the receiver Chat Data tells its customers to deploy: a Next.js API
 * route with Next's default body parser that checks {@code x-chat-data-hmac-sha256} over
 * {@code req.body} and then runs {@code JSON.parse(req.body)} ({@code receivers/chat-data-nextjs/}).
 * Next hands the route the raw text only for a text content type, which is why endpoints send
 * {@code text/plain; charset=utf-8} by default. Needs Node.js and npm (it fails without them); the
 * app is installed and built once, into {@code target/nextjs-receiver/}.
 */
class ChatDataNextJsReceiverTest {
    // HTTP/1.1: the JDK's default HTTP/2 asks for an h2c upgrade, and Node hands upgrade requests to
    // upgrade handlers, not to the route, so they would hang.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Headers the JDK's client sets itself and refuses to be given. */
    private static final Set<String> NOT_REPLAYED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "transfer-encoding");

    private static RunningChatwire chatwire;
    private static TestAccount account;
    private static NextJsReceiver receiver;

    @BeforeAll
    static void start() {
        NextJsReceiver.requireNodeAndNpm(); // before anything else: without Node.js this fails at once
        chatwire = RunningChatwire.start();
        account = chatwire.createAccount("standard");
        // The receiver knows this account's signing secret, as a customer's deployment would.
        receiver = NextJsReceiver.start(account.signingSecret());
        NextJsReceiver.Timings t = receiver.timings();
        System.out.printf("nextjs receiver: npm ci %s, next build %s, next start %s (ZERO = reused)%n",
                t.npmCi(), t.build(), t.start());
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (chatwire != null) {
            chatwire.close();
        }
    }

    // --- deliveries from Chatwire -----------------------------------------------------------------

    @Test
    void acceptsAChatDeliveryWithDefaultEndpointSettings() throws IOException {
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.webhookUrl().toString(), "[\"chat\"]", true);

        String eventId = chatwire.postEvent(sampleChatEvent(chatbot));

        JsonNode delivery = awaitFinal(account, eventId);
        assertThat(delivery.path("status").asText()).as(() -> "delivery " + delivery + "\n" + receiver.serverOutput())
                .isEqualTo("delivered");
        JsonNode attempt = delivery.get("attempts").get(0);
        assertThat(attempt.path("http_status").asInt()).isEqualTo(200);
        assertThat(attempt.path("response_body").asText()).isEqualTo("{\"received\":true}");
        JsonNode received = onlyLineOf(eventId);
        assertThat(received.path("status").asInt()).isEqualTo(200);
        assertThat(received.path("topic").asText()).isEqualTo("chat");
        assertThat(received.path("body_type").asText()).as("Next handed the route the raw text").isEqualTo("string");
        assertThat(received.path("event").asText()).isEqualTo("chat");
        assertThat(received.path("chatbot_id").asText()).isEqualTo(chatbot);
    }

    @Test
    void acceptsALeadSubmissionDelivery() {
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.webhookUrl().toString(), "[\"lead-submission\"]", true);

        String eventId = chatwire.postEvent("""
                {"event":"lead-submission","chatbot_id":"%s","conversation_id":"dbf24043-83a6-47fb-b241-9865de3877c9",\
                "source":"widget","lead":{"uuid":"28239132-671d-4b1f-9d43-1c7b70985ede","name":"Zoë Müller",\
                "email":"zoe@example.com","phone":"+49 30 1234567"}}""".formatted(chatbot));

        assertAcceptedOnce(eventId, "lead-submission", chatbot);
    }

    @Test
    void acceptsALiveChatEscalationDelivery() {
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, receiver.webhookUrl().toString(), "[\"live-chat-escalation\"]", true);

        String eventId = chatwire.postEvent("""
                {"event":"live-chat-escalation","chatbot_id":"%s",\
                "conversation_id":"dbf24043-83a6-47fb-b241-9865de3877c9","source":"slack",\
                "messages":[{"role":"user","content":"I'd like to talk to a human, please 🙋"}],\
                "lead":{"uuid":"28239132-671d-4b1f-9d43-1c7b70985ede"}}""".formatted(chatbot));

        assertAcceptedOnce(eventId, "live-chat-escalation", chatbot);
    }

    @Test
    void refusesADeliverySignedWithAnotherAccountsSecret() {
        TestAccount other = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(other);
        chatwire.createEndpoint(other, chatbot, receiver.webhookUrl().toString(), "[\"chat\"]", true);

        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Who signed this?"));

        JsonNode delivery = awaitFinal(other, eventId);
        assertThat(delivery.path("status").asText()).isEqualTo("failed");
        assertThat(delivery.get("attempts")).isNotEmpty()
                .allSatisfy(a -> assertThat(a.path("http_status").asInt()).isEqualTo(403));
        assertThat(receiver.logOf(eventId)).isNotEmpty().allSatisfy(line -> {
            assertThat(line.path("status").asInt()).isEqualTo(403);
            assertThat(line.path("reason").asText()).isEqualTo("invalid signature");
        });
    }

    // --- requests shaped like a delivery, sent straight to the route ------------------------------

    @Test
    void refusesADeliveryWhoseBodyWasAlteredByOneByte() {
        TestReceiver.Received signed = captureSignedChatDelivery("How to integrate with Discord?");
        byte[] tampered = signed.body().clone();
        int at = signed.bodyText().indexOf("Discord");
        assertThat(at).isPositive();
        tampered[at] = 'd';

        assertThat(replay(signed, signed.body(), Map.of()).statusCode()).as("the request as Chatwire signed it")
                .isEqualTo(200);
        HttpResponse<String> answer = replay(signed, tampered, Map.of());

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("Invalid signature");
        assertThat(receiver.logOf(signed.header("webhook-id"))).extracting(l -> l.path("status").asInt() + " "
                + l.path("reason").asText()).containsExactly("200 ", "403 invalid signature");
    }

    @Test
    void refusesARequestSignedWithAnotherSecret() {
        TestReceiver.Received signed = captureSignedChatDelivery("Signed elsewhere");
        String forged = chatDataSignature("whsec_" + Base64.getEncoder().encodeToString(new byte[32]), signed.body());

        HttpResponse<String> answer = replay(signed, signed.body(), Map.of("x-chat-data-hmac-sha256", forged));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(receiver.logOf(signed.header("webhook-id"))).extracting(l -> l.path("reason").asText())
                .containsExactly("invalid signature");
    }

    @Test
    void refusesARequestWithoutASignature() {
        TestReceiver.Received signed = captureSignedChatDelivery("Unsigned");

        HttpResponse<String> answer = replay(signed, signed.body(), Map.of("x-chat-data-hmac-sha256", ""));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("Invalid signature");
    }

    @Test
    void answersBadRequestToACorrectlySignedBodyThatIsNotJson() {
        TestReceiver.Received signed = captureSignedChatDelivery("Not JSON");
        byte[] notJson = "{\"event\":\"chat\",".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> answer = replay(signed, notJson,
                Map.of("x-chat-data-hmac-sha256", chatDataSignature(account.signingSecret(), notJson)));

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(receiver.logOf(signed.header("webhook-id"))).extracting(l -> l.path("reason").asText())
                .containsExactly("body is not JSON");
    }

    @Test
    void answersMethodNotAllowedToAnythingButPost() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(receiver.webhookUrl()).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(405);
        assertThat(answer.headers().firstValue("allow")).hasValue("POST");
    }

    /** Why endpoints default to text/plain: given JSON, Next parses it and the route's HMAC throws. */
    @Test
    void failsWith500WhenTheSameSignedDeliveryIsSentAsApplicationJson() {
        TestReceiver.Received signed = captureSignedChatDelivery("Sent as JSON");

        HttpResponse<String> answer = replay(signed, signed.body(), Map.of("content-type", "application/json"));

        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(receiver.logOf(signed.header("webhook-id"))).as("the route never got to record it").isEmpty();
    }

    // --- helpers --------------------------------------------------------------------------------

    /** The sample chat event of Chat Data's documentation (core's test resource), for this chatbot. */
    private static String sampleChatEvent(String chatbotId) throws IOException {
        Path sample = Path.of(System.getProperty("basedir", "."), "../core/src/test/resources/chat-event.json");
        String json = Files.readString(sample, StandardCharsets.UTF_8);
        String sampleId = "\"chatbot_id\": \"654aee418bc9a33b0e50d0ad\"";
        assertThat(json).contains(sampleId);
        return json.replace(sampleId, "\"chatbot_id\": \"" + chatbotId + "\"");
    }

    private static JsonNode awaitFinal(TestAccount owner, String eventId) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> !"pending".equals(delivery(owner, eventId).path("status").asText()));
        return delivery(owner, eventId);
    }

    private static JsonNode delivery(TestAccount owner, String eventId) {
        ApiClient.Response r = owner.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("data")).hasSize(1);
        return r.json().get("data").get(0);
    }

    private static void assertAcceptedOnce(String eventId, String topic, String chatbot) {
        JsonNode delivery = awaitFinal(account, eventId);
        assertThat(delivery.path("status").asText()).as(() -> "delivery " + delivery + "\n" + receiver.serverOutput())
                .isEqualTo("delivered");
        assertThat(delivery.get("attempts")).hasSize(1);
        assertThat(delivery.get("attempts").get(0).path("http_status").asInt()).isEqualTo(200);
        JsonNode received = onlyLineOf(eventId);
        assertThat(received.path("topic").asText()).isEqualTo(topic);
        assertThat(received.path("event").asText()).isEqualTo(topic);
        assertThat(received.path("chatbot_id").asText()).isEqualTo(chatbot);
        assertThat(received.path("body_type").asText()).isEqualTo("string");
    }

    private static JsonNode onlyLineOf(String webhookId) {
        List<JsonNode> lines = receiver.logOf(webhookId);
        assertThat(lines).as(() -> "receiver log " + receiver.log() + "\n" + receiver.serverOutput()).hasSize(1);
        return lines.getFirst();
    }

    /**
     * One real chat delivery as Chatwire signs and sends it with the default endpoint settings, caught
     * by a recording receiver on a chatbot of its own, so the Next.js receiver has not seen it.
     */
    private static TestReceiver.Received captureSignedChatDelivery(String question) {
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver catcher = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, catcher.url().toString(), "[\"chat\"]", true);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, question));
            await().atMost(Duration.ofSeconds(5)).until(() -> catcher.count() == 1);
            return catcher.received().getFirst();
        }
    }

    /** Sends a captured delivery's headers (some replaced; an empty value drops one) with a body to the route. */
    private static HttpResponse<String> replay(TestReceiver.Received delivery, byte[] body,
            Map<String, String> replaced) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(receiver.webhookUrl().toString()))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        delivery.headers().forEach((name, values) -> {
            if (!NOT_REPLAYED.contains(name) && !replaced.containsKey(name)) {
                values.forEach(v -> request.header(name, v));
            }
        });
        replaced.forEach((name, value) -> {
            if (!value.isEmpty()) {
                request.header(name, value);
            }
        });
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the Next.js receiver did not answer:\n" + receiver.serverOutput(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** x-chat-data-hmac-sha256 as Chat Data computes it: the whole secret string is the HMAC key. */
    private static String chatDataSignature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
