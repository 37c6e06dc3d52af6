package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.DiscordEmulator;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.SlackEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoints of kind slack and discord: a real Chatwire delivers rendered messages to emulators of the
 * two services' webhook contracts, within their limits, reads their answers as they document them, and
 * waits out their rate limits instead of failing.
 */
class DestinationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningChatwire chatwire;
    private static SlackEmulator slack;
    private static DiscordEmulator discord;
    private TestAccount account;
    private String chatbot;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start(Map.of());
        slack = SlackEmulator.start();
        discord = DiscordEmulator.start();
    }

    @AfterAll
    static void stop() {
        slack.close();
        discord.close();
        chatwire.close();
    }

    @BeforeEach
    void freshAccount() {
        slack.reset();
        discord.reset();
        account = chatwire.createAccount("professional");
        chatbot = chatwire.createChatbot(account);
    }

    private String endpoint(String kind, String url, String events) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"kind\":\"" + kind + "\",\"events\":" + events + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.text("kind")).isEqualTo(kind);
        return r.text("id");
    }

    private JsonNode delivery(String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).isEqualTo(200);
        return r.json().get("data").get(0);
    }

    private String status(String eventId) {
        return delivery(eventId).path("status").asText();
    }

    private static String chat(String chatbotId, String question, String answer) {
        ObjectNode event = JSON.createObjectNode().put("event", "chat");
        var messages = event.putArray("messages");
        messages.addObject().put("role", "assistant").put("content", "👋 Hello there!");
        messages.addObject().put("role", "user").put("content", question);
        event.putObject("answer").put("role", "assistant").put("content", answer).put("score", 0.8503905227042547);
        event.put("client_ip", "203.0.113.7").put("chatbot_id", chatbotId).put("source", "widget")
                .put("conversation_id", "dbf24043-83a6-47fb-b241-9865de3877c9");
        event.putObject("lead").put("uuid", "28239132-671d-4b1f-9d43-1c7b70985ede");
        return event.toString();
    }

    @Test
    void deliversAChatToSlackAsAReadableMessage() {
        endpoint("slack", slack.webhookUrl(), "[\"chat\"]");
        String eventId = chatwire.postEvent(chat(chatbot, "How do I connect <Discord> & Slack?",
                "Open *Settings* → Integrations, then paste the URL. <!channel> @everyone"));

        await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(status(eventId)));
        JsonNode message = slack.accepted().getFirst();
        List<String> shown = SlackEmulator.mrkdwnTexts(message).stream().map(SlackEmulator::asShown).toList();
        assertThat(message.path("blocks").get(0).path("text").path("text").asText()).isEqualTo("💬 New chat");
        assertThat(shown).contains("*Question*\nHow do I connect <Discord> & Slack?",
                "*Answer · score 0.85*\nOpen *Settings* → Integrations, then paste the URL. <!channel> @everyone",
                "*Source*\nwidget", "*Conversation*\ndbf24043-83a6-47fb-b241-9865de3877c9",
                "*Lead*\n28239132-671d-4b1f-9d43-1c7b70985ede", "*Client IP*\n203.0.113.7",
                "Chatwire · event " + eventId);
        // Escaped, the visitor's <!channel> is text: nobody in the channel is notified.
        assertThat(SlackEmulator.mentions(message)).isEmpty();
        assertThat(message.path("text").asText()).startsWith("💬 New chat: How do I connect &lt;Discord&gt; &amp; Slack?");
        assertThat(delivery(eventId).path("attempts").get(0).path("response_body").asText()).isEqualTo("ok");
    }

    /** The chat above with another answer score. */
    private static String chatScored(String chatbotId, String question, double score) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(chat(chatbotId, question, "An answer to review"));
            ((ObjectNode) event.path("answer")).put("score", score);
            return event.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSlackEndpointWithAFilterGetsOnlyTheLowScoreAnswersAsMessages() {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + slack.webhookUrl() + "\",\"kind\":\"slack\",\"events\":[\"chat\"],"
                        + "\"filter\":\"answer.score < 0.5\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        String endpoint = r.text("id");
        chatwire.postEvent(chatScored(chatbot, "A confident answer?", 0.93));
        String low = chatwire.postEvent(chatScored(chatbot, "A doubtful answer?", 0.21));

        await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(status(low)));
        assertThat(slack.accepted()).hasSize(1);
        List<String> shown = SlackEmulator.mrkdwnTexts(slack.accepted().getFirst()).stream()
                .map(SlackEmulator::asShown).toList();
        assertThat(shown).contains("*Question*\nA doubtful answer?", "*Answer · score 0.21*\nAn answer to review");
        assertThat(account.api().get("/v1/endpoints/" + endpoint).json().path("filtered_out").asLong()).isEqualTo(1);
    }

    @Test
    void aSlackEndpointsTransformMakesTheMessageSentAsJson() {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + slack.webhookUrl() + "\",\"kind\":\"slack\",\"events\":[\"chat\"],"
                        + "\"transform\":\"{'text': 'Review: ' & answer.content}\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        String eventId = chatwire.postEvent(chatScored(chatbot, "Anything?", 0.3));

        await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(status(eventId)));
        assertThat(slack.accepted().getFirst().path("text").asText()).isEqualTo("Review: An answer to review");
        assertThat(delivery(eventId).path("attempts").get(0).path("request_headers").path("content-type").asText())
                .startsWith("application/json");
    }

    @Test
    void deliversEachEventTypeToDiscordAsAnEmbedThatPingsNobody() {
        endpoint("discord", discord.webhookUrl(), "[\"chat\",\"lead-submission\",\"live-chat-escalation\"]");
        String chatId = chatwire.postEvent(chat(chatbot, "Can I talk to @everyone?", "Sure: **bold** _claims_ @here"));
        String leadId = chatwire.postEvent("""
                {"event":"lead-submission","chatbot_id":"%s","conversation_id":"c-42","source":"whatsapp",\
                "lead":{"uuid":"u-1","name":"Zoë Müller","email":"zoe@example.com","phone":"+49 30 1234567",\
                "company_size":"11-50"}}""".formatted(chatbot));
        String escalationId = chatwire.postEvent("""
                {"event":"live-chat-escalation","chatbot_id":"%s","conversation_id":"c-43","source":"slack",\
                "messages":[{"role":"user","content":"I'd like to talk to a human, please 🙋"}]}""".formatted(chatbot));

        await().atMost(Duration.ofSeconds(10)).until(() -> List.of(chatId, leadId, escalationId).stream()
                .allMatch(id -> "delivered".equals(status(id))));
        assertThat(discord.requests()).allMatch(r -> r.answeredStatus() == 204);
        Map<String, JsonNode> byFooter = discord.accepted().stream().collect(Collectors.toMap(
                m -> m.path("embeds").get(0).path("footer").path("text").asText(), m -> m));

        JsonNode chat = byFooter.get("Chatwire · event " + chatId);
        assertThat(chat.path("content").asText()).isEqualTo("💬 New chat");
        assertThat(chat.path("embeds").get(0).path("description").asText())
                .isEqualTo("**Question**\nCan I talk to @everyone?\n\n**Answer · score 0.85**\nSure: \\*\\*bold\\*\\* \\_claims\\_ @here");
        assertThat(fields(chat)).containsEntry("Score", "0.85").containsEntry("Source", "widget")
                .containsEntry("Client IP", "203.0.113.7");
        assertThat(DiscordEmulator.pings(chat)).isEmpty();

        JsonNode lead = byFooter.get("Chatwire · event " + leadId);
        assertThat(lead.path("content").asText()).isEqualTo("📇 New lead");
        assertThat(lead.path("embeds").get(0).path("description").asText())
                .isEqualTo("**Who**\nZoë Müller\nzoe@example.com\n+49 30 1234567");
        assertThat(fields(lead)).containsEntry("Source", "whatsapp").containsEntry("Conversation", "c\\-42")
                .containsEntry("Company size", "11\\-50").doesNotContainKey("Client IP");

        JsonNode escalation = byFooter.get("Chatwire · event " + escalationId);
        assertThat(escalation.path("content").asText()).isEqualTo(
                "🚨 A visitor asks for a human — Take over now: open conversation c\\-43 \\(slack\\) in Chat Data and reply to the visitor.");
        assertThat(escalation.path("embeds").get(0).path("description").asText())
                .isEqualTo("**Last message**\nI'd like to talk to a human, please 🙋");
        assertThat(escalation.path("embeds").get(0).path("color").asInt()).isEqualTo(0xED4245);
    }

    private static Map<String, String> fields(JsonNode message) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        message.path("embeds").get(0).path("fields").forEach(f -> fields.put(f.path("name").asText(), f.path("value").asText()));
        return fields;
    }

    @Test
    void cutsAnOverLongAnswerWithANoteThatBothServicesAccept() {
        endpoint("slack", slack.webhookUrl(), "[\"chat\"]");
        endpoint("discord", discord.webhookUrl(), "[\"chat\"]");
        String answer = "😀<&>".repeat(3000) + "THE END";
        String eventId = chatwire.postEvent(chat(chatbot, "Tell me everything", answer));

        await().atMost(Duration.ofSeconds(10)).until(() -> delivery(eventId).path("status").asText().equals("delivered")
                && slack.accepted().size() == 1 && discord.accepted().size() == 1);
        String slackAnswer = SlackEmulator.mrkdwnTexts(slack.accepted().getFirst()).get(1);
        assertThat(slackAnswer.length()).isLessThanOrEqualTo(3000);
        assertThat(slackAnswer).startsWith("*Answer · score 0.85*\n😀&lt;&amp;&gt;😀").doesNotContain("THE END")
                .matches("(?s).* … \\[cut: [0-9]+ more characters\\]$");
        String discordText = discord.accepted().getFirst().path("embeds").get(0).path("description").asText();
        assertThat(discordText.length()).isLessThanOrEqualTo(4096);
        assertThat(discordText).contains("**Question**\nTell me everything").doesNotContain("THE END")
                .matches("(?s).* … \\[cut: [0-9]+ more characters\\]$");
        // Nothing was refused on the way: each service took the first message it got.
        assertThat(slack.requests()).extracting(r -> r.answeredStatus()).containsExactly(200);
        assertThat(discord.requests()).extracting(r -> r.answeredStatus()).containsExactly(204);
    }

    @Test
    void waitsOutSlacksRateLimitWithoutUsingUpTheRetrySchedule() {
        slack.limitTo(Duration.ofSeconds(1));
        endpoint("slack", slack.webhookUrl(), "[\"chat\"]");
        List<String> events = burstOfChatsDelivered(5);
        assertThat(slack.accepted()).hasSize(5);
        assertThat(slack.requests()).anyMatch(r -> r.answeredStatus() == 429);
        // The test schedule has 3 attempts; a burst of 5 at one message a second needs more for some.
        int mostAttempts = events.stream().mapToInt(id -> delivery(id).path("attempt_count").asInt()).max().orElseThrow();
        assertThat(mostAttempts).isGreaterThan(3);
        JsonNode limited = events.stream().flatMap(id -> iterable(delivery(id).path("attempts")).stream())
                .filter(a -> a.path("http_status").asInt() == 429).findFirst().orElseThrow();
        assertThat(limited.path("outcome").asText()).isEqualTo("retry");
        assertThat(limited.path("error_message").asText()).contains("rate-limited");
    }

    @Test
    void waitsOutDiscordsRetryAfterFromItsJsonBody() {
        discord.limitTo(Duration.ofMillis(700));
        endpoint("discord", discord.webhookUrl(), "[\"chat\"]");
        List<String> events = burstOfChatsDelivered(5);
        assertThat(discord.accepted()).hasSize(5);
        List<DiscordEmulator.Request> requests = discord.requests();
        assertThat(requests).anyMatch(r -> r.answeredStatus() == 429);
        // Each retry after a 429 waited at least the retry_after of Discord's body; some waited less than
        // a second, so it was that decimal value, not the whole-second Retry-After header, that counted.
        List<Long> waits = new ArrayList<>();
        for (String id : events) {
            List<JsonNode> attempts = iterable(delivery(id).path("attempts"));
            for (int i = 0; i + 1 < attempts.size(); i++) {
                JsonNode a = attempts.get(i);
                if (a.path("http_status").asInt() == 429) {
                    double asked = readTree(a.path("response_body").asText()).path("retry_after").asDouble();
                    long waited = java.time.Instant.parse(attempts.get(i + 1).path("started_at").asText()).toEpochMilli()
                            - java.time.Instant.parse(a.path("started_at").asText()).toEpochMilli() - a.path("latency_ms").asLong();
                    assertThat(waited).as("wait after a 429 asking for %ss", asked).isGreaterThanOrEqualTo((long) (asked * 1000) - 2);
                    waits.add(waited);
                }
            }
        }
        assertThat(waits).isNotEmpty().anyMatch(w -> w < 1000);
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Posts chats at once and waits until every one of them is delivered. */
    private List<String> burstOfChatsDelivered(int count) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(chatwire.postEvent(chat(chatbot, "question " + i, "answer " + i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().allMatch(id -> "delivered".equals(status(id))));
        return events;
    }

    @Test
    void failsAtOnceWhenSlackSaysTheChannelIsArchivedAndRetriesItsRollupError() {
        endpoint("slack", slack.webhookUrl(), "[\"chat\"]");
        slack.failNext(410, "channel_is_archived");
        String archived = chatwire.postEvent(chat(chatbot, "q", "a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(status(archived)));
        JsonNode attempts = delivery(archived).path("attempts");
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0).path("error_message").asText()).contains("channel_is_archived", "archived");

        slack.failNext(500, "rollup_error");
        String rolledUp = chatwire.postEvent(chat(chatbot, "q", "a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(status(rolledUp)));
        assertThat(delivery(rolledUp).path("attempts")).extracting(a -> a.path("http_status").asInt()).containsExactly(500, 200);
    }

    @Test
    void failsAtOnceWhenDiscordNoLongerKnowsTheWebhook() {
        endpoint("discord", discord.webhookUrl(), "[\"chat\"]");
        discord.failNext(404, 10015, "Unknown Webhook");
        String eventId = chatwire.postEvent(chat(chatbot, "q", "a"));
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(status(eventId)));
        JsonNode attempts = delivery(eventId).path("attempts");
        assertThat(attempts).hasSize(1);
        assertThat(attempts.get(0).path("error_message").asText()).contains("Unknown Webhook", "deleted");
    }

    @Test
    void refusesAUrlThatIsNotTheKindsWebhookUrl() {
        assertRefused("slack", "https://example.com/services/T1/B1/x");
        assertRefused("slack", "https://hooks.slack.com/other/T1/B1/x");
        assertRefused("discord", "https://discord.com/channels/1/2");
        assertRefused("discord", "http://discord.com/api/webhooks/1/abc");
        endpoint("slack", "https://hooks.slack.com/services/T000/B000/XXXX", "[\"chat\"]");
        endpoint("discord", "https://discord.com/api/webhooks/1/abc", "[\"chat\"]");
        endpoint("discord", "https://discordapp.com/api/webhooks/2/abc", "[\"chat\"]");

        ApiClient.Response unknown = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"https://example.com/hook\",\"kind\":\"teams\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.text("error")).isEqualTo("invalid_field");
        assertThat(unknown.text("message")).contains("webhook, slack, discord");

        // A change of kind is checked against the URL the endpoint keeps, and the reverse.
        chatbot = chatwire.createChatbot(account);
        String plain = endpoint("webhook", "https://example.com/hook", "[\"chat\"]");
        ApiClient.Response toSlack = account.api().patch("/v1/endpoints/" + plain, "{\"kind\":\"slack\"}");
        assertThat(toSlack.status()).isEqualTo(400);
        assertThat(toSlack.text("error")).isEqualTo("invalid_url");
        assertThat(account.api().get("/v1/endpoints/" + plain).text("kind")).isEqualTo("webhook");
        ApiClient.Response both = account.api().patch("/v1/endpoints/" + plain,
                "{\"kind\":\"slack\",\"url\":\"https://hooks.slack.com/services/T1/B1/new\"}");
        assertThat(both.status()).as(both.raw()).isEqualTo(200);
        assertThat(both.text("kind")).isEqualTo("slack");
    }

    private void assertRefused(String kind, String url) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"kind\":\"" + kind + "\"}");
        assertThat(r.status()).as(kind + " " + url).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("invalid_url");
        assertThat(r.text("message")).contains(kind.equals("slack") ? "hooks.slack.com/services" : "discord.com/api/webhooks");
    }

    @Test
    void chatDataRoutesRegisterPlainWebhooks() {
        ApiClient.Response added = account.api().post("/api/v2/add-webhook",
                "{\"url\":\"" + slack.webhookUrl() + "\",\"event\":\"chat\",\"chatbotId\":\"" + chatbot + "\"}");
        assertThat(added.status()).as(added.raw()).isEqualTo(201);
        String id = account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data").get(0).path("id").asText();
        assertThat(account.api().get("/v1/endpoints/" + id).text("kind")).isEqualTo("webhook");
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }
}
