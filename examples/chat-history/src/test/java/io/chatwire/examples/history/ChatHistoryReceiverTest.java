package io.chatwire.examples.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example receiver, fed real signed deliveries by a real Chatwire over loopback HTTP, storing in
 * a real SQLite file. One Chatwire, one receiver and one endpoint for the class; every test uses
 * conversations and leads of its own.
 */
class ChatHistoryReceiverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Headers the JDK's client sets itself and refuses to be given. */
    private static final Set<String> NOT_REPLAYED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "transfer-encoding");
    private static final String GREETING = "👋 Hello there! I'm your subscriber-only assistant.";

    @TempDir
    static Path dir;

    private static InProcessChatwire chatwire;
    private static InProcessChatwire.Account account;
    private static ChatHistoryApp receiver;
    private static String chatbot;
    private static String endpoint;

    @BeforeAll
    static void start() {
        chatwire = InProcessChatwire.start(dir.resolve("chatwire"));
        account = chatwire.createAccount();
        // The receiver knows the account's signing secret, as a customer's deployment would.
        receiver = ChatHistoryApp.start(Settings.fromEnv(Map.of("SIGNING_SECRET", account.signingSecret(),
                "PORT", "0", "DB_PATH", dir.resolve("history/chat-history.db").toString())));
        chatbot = chatwire.createChatbot(account);
        // Default endpoint settings: Chatwire sends text/plain; charset=utf-8.
        endpoint = chatwire.createEndpoint(account, chatbot, webhookUrl(), "text/plain");
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

    // --- chat histories --------------------------------------------------------------------------

    @Test
    void aConversationOverSeveralChatEventsReadsBackInOrderWithItsHistoryStoredOnce() {
        String conversation = UUID.randomUUID().toString();
        String lead = UUID.randomUUID().toString();
        List<Msg> transcript = new ArrayList<>(List.of(assistant(GREETING)));
        for (String[] qa : List.of(
                new String[] {"How do I cancel?", "Open Settings, then Billing."},
                new String[] {"And get a refund?", "Refunds go back to your card within 5 days."},
                new String[] {"Thanks!", "You're welcome."})) {
            // Each event repeats the history so far, then the new question; the answer comes apart.
            List<Msg> messages = new ArrayList<>(transcript);
            messages.add(user(qa[0]));
            deliver(chatEvent(chatbot, conversation, lead, messages, qa[1]));
            transcript.add(user(qa[0]));
            transcript.add(assistant(qa[1]));
        }

        JsonNode read = getJson("/api/conversations/" + conversation, 200);

        assertThat(read.path("lead_uuid").asText()).isEqualTo(lead);
        assertThat(read.path("chatbot_id").asText()).isEqualTo(chatbot);
        assertThat(read.get("turns")).extracting(t -> t.path("role").asText() + ": " + t.path("content").asText())
                .containsExactlyElementsOf(transcript.stream().map(t -> t.role() + ": " + t.content()).toList());
        assertThat(read.get("turns").get(6).path("score").asDouble()).as("the last answer's score").isEqualTo(0.85);
    }

    @Test
    void anOlderChatEventArrivingLastDoesNotShortenTheTranscript() {
        String conversation = UUID.randomUUID().toString();
        List<Msg> first = List.of(assistant(GREETING), user("Hi"));
        List<Msg> second = List.of(assistant(GREETING), user("Hi"),
                assistant("Hello!"), user("Bye"));
        deliver(chatEvent(chatbot, conversation, null, second, "Goodbye!"));
        deliver(chatEvent(chatbot, conversation, null, first, "Hello!"));

        JsonNode read = getJson("/api/conversations/" + conversation, 200);

        assertThat(read.get("turns")).extracting(t -> t.path("content").asText())
                .containsExactly(GREETING, "Hi", "Hello!", "Bye", "Goodbye!");
        assertThat(read.has("lead_uuid")).as("no lead in these events").isFalse();
    }

    @Test
    void aResentDeliveryIsAcknowledgedAndStoresNothingNew() {
        String conversation = UUID.randomUUID().toString();
        String eventId = deliver(chatEvent(chatbot, conversation, null,
                List.of(assistant(GREETING), user("Once only")), "Noted."));
        JsonNode before = getJson("/api/conversations/" + conversation, 200);

        chatwire.resend(account, eventId, endpoint);
        await().atMost(Duration.ofSeconds(10)).until(() -> chatwire.delivery(account, eventId).get("attempts").size() == 2
                && "delivered".equals(chatwire.delivery(account, eventId).path("status").asText()));

        JsonNode resent = chatwire.delivery(account, eventId).get("attempts").get(1);
        assertThat(resent.path("http_status").asInt()).isEqualTo(200);
        assertThat(resent.path("response_body").asText()).contains("\"duplicate\":true");
        assertThat(getJson("/api/conversations/" + conversation, 200)).isEqualTo(before);
    }

    @Test
    void aChatDataStyleDeliveryWithoutWebhookIdIsDeduplicatedOnItsBody() {
        TestReceiver.Received signed = captureSignedDelivery(chatEvent(chatbot, UUID.randomUUID().toString(), null,
                List.of(user("Only the Chat Data header")), "Fine."));
        Map<String, String> chatDataOnly = Map.of("webhook-id", "", "webhook-timestamp", "", "webhook-signature", "");

        HttpResponse<String> first = replay(signed, signed.body(), chatDataOnly);
        HttpResponse<String> again = replay(signed, signed.body(), chatDataOnly);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"stored\":true", "\"new_turns\":2");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"duplicate\":true");
    }

    @Test
    void aDeliveryLabelledApplicationJsonIsStoredLikeAnyOther() {
        String jsonChatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, jsonChatbot, webhookUrl(), "application/json");
        String conversation = UUID.randomUUID().toString();

        deliver(account, chatEvent(jsonChatbot, conversation, null, List.of(user("JSON please")), "Sure."));

        assertThat(getJson("/api/conversations/" + conversation, 200).get("turns"))
                .extracting(t -> t.path("content").asText()).containsExactly("JSON please", "Sure.");
    }

    // --- refusals ---------------------------------------------------------------------------------

    @Test
    void aDeliveryWhoseBodyWasAlteredIsRefusedAndNothingIsStored() {
        String conversation = UUID.randomUUID().toString();
        TestReceiver.Received signed = captureSignedDelivery(chatEvent(chatbot, conversation, null,
                List.of(user("Transfer 10 EUR")), "Done."));
        byte[] tampered = signed.bodyText().replace("10 EUR", "99 EUR").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> refused = replay(signed, tampered, Map.of());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(readTree(refused.body()).path("error").asText()).isEqualTo("invalid_signature");
        getJson("/api/conversations/" + conversation, 404);
        assertThat(replay(signed, signed.body(), Map.of()).statusCode())
                .as("the same request as Chatwire signed it is accepted").isEqualTo(200);
        getJson("/api/conversations/" + conversation, 200);
    }

    @Test
    void aDeliverySignedWithAnotherSecretIsRefusedAndNothingIsStored() {
        String conversation = UUID.randomUUID().toString();
        TestReceiver.Received signed = captureSignedDelivery(chatEvent(chatbot, conversation, null,
                List.of(user("Signed elsewhere")), "Hm."));
        String otherSecret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);

        HttpResponse<String> refused = replay(signed, signed.body(), Map.of("webhook-id", "", "webhook-timestamp", "",
                "webhook-signature", "", "x-chat-data-hmac-sha256", chatDataSignature(otherSecret, signed.body())));

        assertThat(refused.statusCode()).isEqualTo(401);
        getJson("/api/conversations/" + conversation, 404);
    }

    @Test
    void anUnsignedRequestIsRefused() {
        HttpResponse<String> refused = post(chatEvent(chatbot, UUID.randomUUID().toString(), null,
                List.of(user("No signature")), "No.").getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(readTree(refused.body()).path("message").asText()).contains("header");
    }

    // --- leads and the page -----------------------------------------------------------------------

    @Test
    void theLeadViewListsTheLeadsConversationsWithItsSubmissionAndEscalation() {
        String lead = UUID.randomUUID().toString();
        String morning = UUID.randomUUID().toString();
        String evening = UUID.randomUUID().toString();
        deliver(chatEvent(chatbot, morning, lead, List.of(user("Good morning")), "Morning!"));
        deliver(chatEvent(chatbot, evening, lead, List.of(user("Good evening")), "Evening!"));
        deliver(event("lead-submission", evening, lead, Map.of("name", "Zoë Müller", "email", "zoe@example.com")));
        deliver(event("live-chat-escalation", evening, lead, Map.of()));
        deliver(chatEvent(chatbot, UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                List.of(user("Someone else")), "Hi."));

        JsonNode read = getJson("/api/leads/" + lead, 200);

        assertThat(read.path("name").asText()).isEqualTo("Zoë Müller");
        assertThat(read.path("email").asText()).isEqualTo("zoe@example.com");
        assertThat(read.get("conversations")).extracting(c -> c.path("conversation_id").asText())
                .containsExactlyInAnyOrder(morning, evening);
        assertThat(read.get("activity")).extracting(a -> a.path("event").asText() + " " + a.path("conversation_id").asText())
                .containsExactly("lead-submission " + evening, "live-chat-escalation " + evening);
        String page = getPage("/leads/" + lead).body();
        assertThat(page).contains(morning, evening, "Good morning", "Evening!", "Zoë Müller", "live-chat-escalation")
                .doesNotContain("Someone else");
        assertThat(getPage("/").body()).contains(lead);
    }

    @Test
    void theLeadPageEscapesMarkupInChatContent() {
        String lead = UUID.randomUUID().toString();
        String attack = "<script>alert(1)</script><img src=x onerror=\"alert(2)\">";
        deliver(chatEvent(chatbot, UUID.randomUUID().toString(), lead, List.of(user(attack)), "<b>bold?</b>"));

        HttpResponse<String> page = getPage("/leads/" + lead);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;",
                "&lt;b&gt;bold?&lt;/b&gt;").doesNotContain("<script", "<img", "<b>");
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(
                csp -> assertThat(csp).startsWith("default-src 'none'"));
    }

    @Test
    void anUnknownLeadIsA404WithAJsonError() {
        JsonNode error = getJson("/api/leads/" + UUID.randomUUID(), 404);

        assertThat(error.path("error").asText()).isEqualTo("lead_not_found");
        assertThat(error.path("message").asText()).isNotBlank();
    }

    // --- helpers ----------------------------------------------------------------------------------

    private record Msg(String role, String content) {
    }

    private static Msg user(String content) {
        return new Msg("user", content);
    }

    private static Msg assistant(String content) {
        return new Msg("assistant", content);
    }

    private static String webhookUrl() {
        return receiver.baseUrl() + ChatHistoryApp.WEBHOOK_PATH;
    }

    /** Posts the event to Chatwire and waits until it is delivered to the receiver (2xx). */
    private static String deliver(String eventJson) {
        return deliver(account, eventJson);
    }

    private static String deliver(InProcessChatwire.Account owner, String eventJson) {
        String eventId = chatwire.postEvent(eventJson);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !"pending".equals(chatwire.delivery(owner, eventId).path("status").asText()));
        JsonNode delivery = chatwire.delivery(owner, eventId);
        assertThat(delivery.path("status").asText()).as(delivery.toString()).isEqualTo("delivered");
        return eventId;
    }

    private static String chatEvent(String chatbotId, String conversation, String lead, List<Msg> messages,
            String answer) {
        ObjectNode event = JSON.createObjectNode().put("event", "chat");
        ArrayNode list = event.putArray("messages");
        messages.forEach(m -> list.addObject().put("role", m.role()).put("content", m.content()));
        event.putObject("answer").put("role", "assistant").put("content", answer).put("score", 0.85);
        event.put("client_ip", "203.0.113.7").put("chatbot_id", chatbotId).put("source", "widget")
                .put("cost_credits", 20).put("conversation_id", conversation);
        if (lead != null) {
            event.putObject("lead").put("uuid", lead);
        }
        return event.toString();
    }

    private static String event(String type, String conversation, String lead, Map<String, String> leadFields) {
        ObjectNode event = JSON.createObjectNode().put("event", type).put("chatbot_id", chatbot)
                .put("conversation_id", conversation).put("source", "widget");
        ObjectNode l = event.putObject("lead").put("uuid", lead);
        leadFields.forEach(l::put);
        if (type.equals("live-chat-escalation")) {
            event.putArray("messages").addObject().put("role", "user").put("content", "A human, please 🙋");
        }
        return event.toString();
    }

    /**
     * One real delivery as Chatwire signs it, caught by a recording receiver on a chatbot of its own,
     * so the example receiver has not seen it.
     */
    private static TestReceiver.Received captureSignedDelivery(String eventJsonForAnyChatbot) {
        String catcherBot = chatwire.createChatbot(account);
        try (TestReceiver catcher = TestReceiver.start()) {
            chatwire.createEndpoint(account, catcherBot, catcher.url().toString(), "text/plain");
            chatwire.postEvent(readTree(eventJsonForAnyChatbot) instanceof ObjectNode o
                    ? o.put("chatbot_id", catcherBot).toString() : eventJsonForAnyChatbot);
            await().atMost(Duration.ofSeconds(10)).until(() -> catcher.count() == 1);
            return catcher.received().getFirst();
        }
    }

    /** Sends a captured delivery's headers (some replaced; an empty value drops one) with a body to the receiver. */
    private static HttpResponse<String> replay(TestReceiver.Received delivery, byte[] body, Map<String, String> replaced) {
        Map<String, String> headers = new java.util.HashMap<>();
        delivery.headers().forEach((name, values) -> {
            if (!NOT_REPLAYED.contains(name.toLowerCase()) && !replaced.containsKey(name.toLowerCase())) {
                headers.put(name, values.getFirst());
            }
        });
        replaced.forEach((name, value) -> {
            if (!value.isEmpty()) {
                headers.put(name, value);
            }
        });
        return post(body, headers);
    }

    private static HttpResponse<String> post(byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(webhookUrl())).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return send(b.build());
    }

    private static JsonNode getJson(String path, int expectedStatus) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(receiver.baseUrl() + path)).GET().build());
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(expectedStatus);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return readTree(r.body());
    }

    private static HttpResponse<String> getPage(String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(receiver.baseUrl() + path)).GET().build());
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        return r;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the receiver did not answer " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
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
