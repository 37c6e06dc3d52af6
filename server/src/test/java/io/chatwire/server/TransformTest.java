package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's filter (decides at ingest whether it gets an event: if not, no delivery, only a count)
 * and transform (makes the body that is signed and sent), through the API and real deliveries.
 */
class TransformTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    @Test
    void anEndpointFilteredBySourceGetsOnlyWhatsappEventsAndCountsTheRest() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver whatsappOnly = TestReceiver.start(); TestReceiver everything = TestReceiver.start()) {
            String filtered = createEndpoint(account, chatbot, whatsappOnly, "\"filter\":\"source = 'whatsapp'\"");
            createEndpoint(account, chatbot, everything, "\"description\":\"no filter\"");

            String widget = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "from the widget"));
            String whatsapp = chatwire.postEvent(chatEvent(chatbot, "whatsapp", 0.9));

            await().atMost(Duration.ofSeconds(10)).until(() -> everything.count() == 2 && whatsappOnly.count() == 1);
            assertThat(whatsappOnly.received().getFirst().header("webhook-id")).isEqualTo(whatsapp);
            JsonNode widgetDeliveries = account.api().get("/v1/events/" + widget + "/deliveries").json().get("data");
            assertThat(widgetDeliveries).as("the filtered endpoint has no delivery of the widget event").hasSize(1);
            assertThat(widgetDeliveries.get(0).get("endpoint_id").asText()).isNotEqualTo(filtered);
            ApiClient.Response endpoint = account.api().get("/v1/endpoints/" + filtered);
            assertThat(endpoint.json().get("filtered_out").asLong()).as(endpoint.raw()).isEqualTo(1);
            assertThat(endpoint.text("filter")).isEqualTo("source = 'whatsapp'");
            assertThat(chatwire.anonymous().get("/metrics").raw()).contains("chatwire_transform_filtered_total");
        }
    }

    @Test
    void aFilterThatFailsOnAnEventIsNotSilentItsDeliveryFailsWithKindTransform() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = createEndpoint(account, chatbot, receiver, "\"filter\":\"$number(source) > 1\"");

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "a source that is no number"));

            JsonNode delivery = await().atMost(Duration.ofSeconds(10)).until(() -> onlyDelivery(account, eventId),
                    d -> d.get("status").asText().equals("failed"));
            assertThat(delivery.get("endpoint_id").asText()).isEqualTo(endpoint);
            JsonNode attempt = delivery.get("attempts").get(0);
            assertThat(attempt.get("error_kind").asText()).isEqualTo("transform");
            assertThat(attempt.get("error_message").asText()).startsWith("filter: ").contains("line 1");
            assertThat(receiver.count()).isZero();
            assertThat(account.api().get("/v1/endpoints/" + endpoint).json().get("filtered_out").asLong()).isZero();
        }
    }

    @Test
    void anEndpointFilteredByScoreGetsOnlyAnswersToReview() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver review = TestReceiver.start()) {
            createEndpoint(account, chatbot, review, "\"filter\":\"answer.score < 0.5\"");

            chatwire.postEvent(chatEvent(chatbot, "widget", 0.93));
            String low = chatwire.postEvent(chatEvent(chatbot, "widget", 0.31));
            chatwire.postEvent(chatEvent(chatbot, "widget", 0.5));

            await().atMost(Duration.ofSeconds(10)).until(() -> review.count() >= 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> review.count() == 1);
            assertThat(review.received().getFirst().header("webhook-id")).isEqualTo(low);
        }
    }

    @Test
    void theReceiverGetsTheTransformedBodyAndItsSignatureVerifiesOverThoseBytes() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String transform = "($header('X-Review', answer.score < 0.5 ? 'yes' : 'no'); "
                    + "{'text': 'Q: ' & messages[role='user'][-1].content & ' A: ' & answer.content, "
                    + "'score': answer.score, 'source': source})";
            createEndpoint(account, chatbot, receiver, "\"transform\":" + JSON.writeValueAsString(transform));

            String eventId = chatwire.postEvent(chatEvent(chatbot, "messenger", 0.25));

            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 1);
            TestReceiver.Received r = receiver.received().getFirst();
            assertThat(r.bodyText()).isEqualTo(
                    "{\"text\":\"Q: How do I reset it? A: Follow the guide.\",\"score\":0.25,\"source\":\"messenger\"}");
            assertThat(r.header("x-review")).isEqualTo("yes");
            assertThat(r.header("webhook-id")).isEqualTo(eventId);
            WebhookVerifier verifier = WebhookVerifier.forSecret(account.signingSecret());
            verifier.verifyChatData(r.body(), r.header("x-chat-data-hmac-sha256"));
            verifier.verifyStandard(r.body(), r.header("webhook-id"), r.header("webhook-timestamp"),
                    r.header("webhook-signature"));
        }
    }

    @Test
    void aTransformWithNoValueDropsTheEventWithoutSendingOrFailing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            createEndpoint(account, chatbot, receiver, "\"transform\":\"answer.score < 0.5 ? {'review': answer.content}\"");

            String dropped = chatwire.postEvent(chatEvent(chatbot, "widget", 0.9));
            String sent = chatwire.postEvent(chatEvent(chatbot, "widget", 0.1));

            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 1);
            assertThat(receiver.received().getFirst().header("webhook-id")).isEqualTo(sent);
            JsonNode delivery = await().atMost(Duration.ofSeconds(10)).until(() -> onlyDelivery(account, dropped),
                    d -> !d.get("status").asText().equals("pending"));
            assertThat(delivery.get("status").asText()).as(delivery.toString()).isEqualTo("delivered");
            JsonNode attempt = delivery.get("attempts").get(0);
            assertThat(attempt.has("http_status")).isFalse();
            assertThat(attempt.has("error_kind")).isFalse();
            assertThat(attempt.get("error_message").asText()).contains("nothing was sent");
        }
    }

    @Test
    void throwingTimingOutAndInvalidTransformsFailTheirOwnAttemptOnlyWithKindTransform() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        assertThat(chatwire.operator().put("/v1/chatbots/" + chatbot + "/endpoint-limit", "{\"endpoint_limit\":4}")
                .status()).isEqualTo(200);
        try (TestReceiver healthy = TestReceiver.start(); TestReceiver a = TestReceiver.start();
                TestReceiver b = TestReceiver.start(); TestReceiver c = TestReceiver.start()) {
            String throwing = createEndpoint(account, chatbot, a, "\"transform\":\"$error('no lead on this chat')\"");
            String slow = createEndpoint(account, chatbot, b, "\"transform\":"
                    + JSON.writeValueAsString("($f := function($n) { $n <= 0 ? 0 : $f($n - 1) + $f($n - 1) }; $f(24))"));
            String invalid = createEndpoint(account, chatbot, c, "\"transform\":\"function($x) { $x }\"");
            createEndpoint(account, chatbot, healthy, "\"transform\":\"{'ok': answer.score}\"");

            String eventId = chatwire.postEvent(chatEvent(chatbot, "widget", 0.7));

            await().atMost(Duration.ofSeconds(10)).until(() -> healthy.count() == 1);
            assertThat(healthy.received().getFirst().bodyText()).isEqualTo("{\"ok\":0.7}");
            JsonNode deliveries = await().atMost(Duration.ofSeconds(15))
                    .until(() -> account.api().get("/v1/events/" + eventId + "/deliveries").json().get("data"),
                            d -> d.size() == 4 && java.util.stream.StreamSupport.stream(d.spliterator(), false)
                                    .noneMatch(x -> x.get("status").asText().equals("pending")));
            assertFailedWithTransform(deliveries, throwing, "no lead on this chat");
            assertFailedWithTransform(deliveries, slow, "ran longer than");
            assertFailedWithTransform(deliveries, invalid, "function");
            assertThat(a.count() + b.count() + c.count()).isZero();
            assertThat(account.api().get("/v1/endpoints/" + throwing).json().path("health").path("status").asText())
                    .as("a transform failure is not the receiver's").isEqualTo("healthy");
        }
    }

    @Test
    void anExpressionThatDoesNotCompileIsRefusedWithItsPositionAndChangesNothing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        ApiClient api = account.api();

        ApiClient.Response refused = api.post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/x\",\"filter\":\"answer.score <\"}");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(400);
        assertThat(refused.text("error")).isEqualTo("invalid_filter");
        assertThat(refused.text("message")).contains("line 1, column");
        assertThat(api.get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).isEmpty();

        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/kept", "[\"chat\"]", true);
        ApiClient.Response badTransform = api.patch("/v1/endpoints/" + endpoint,
                "{\"transform\":\"{\\n  'a': $contains(answer.content, /x/)\\n}\"}");
        assertThat(badTransform.status()).as(badTransform.raw()).isEqualTo(400);
        assertThat(badTransform.text("error")).isEqualTo("invalid_transform");
        assertThat(badTransform.text("message")).contains("regular expressions").contains("line 2");
        assertThat(api.patch("/v1/endpoints/" + endpoint, "{\"transform\":42}").status()).isEqualTo(400);

        ApiClient.Response set = api.patch("/v1/endpoints/" + endpoint, "{\"transform\":\"answer\"}");
        assertThat(set.text("transform")).as(set.raw()).isEqualTo("answer");
        ApiClient.Response cleared = api.patch("/v1/endpoints/" + endpoint, "{\"transform\":null}");
        assertThat(cleared.json().has("transform")).as(cleared.raw()).isFalse();
    }

    @Test
    void previewRunsAFilterAndTransformOverAnExampleEvent() {
        TestAccount account = chatwire.createAccount("standard");
        ApiClient.Response r = account.api().post("/v1/transforms/preview", """
                {"filter": "answer.score < 0.5",
                 "transform": "($header('X-Lead', lead.email); {'who': lead.email, 'score': answer.score})",
                 "event": {"event": "chat", "answer": {"score": 0.2}, "lead": {"email": "ana@example.com"}}}""");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().at("/filter/passes").asBoolean()).as(r.raw()).isTrue();
        assertThat(r.json().at("/transform/outcome").asText()).isEqualTo("send");
        assertThat(r.json().at("/transform/body").asText()).isEqualTo("{\"who\":\"ana@example.com\",\"score\":0.2}");
        assertThat(r.json().at("/transform/json/who").asText()).isEqualTo("ana@example.com");
        assertThat(r.json().at("/transform/headers/X-Lead").asText()).isEqualTo("ana@example.com");

        ApiClient.Response dropped = account.api().post("/v1/transforms/preview",
                "{\"filter\":\"answer.score < 0.5\",\"transform\":\"answer.score < 0.5 ? 'x'\","
                        + "\"event\":{\"answer\":{\"score\":0.9}}}");
        assertThat(dropped.json().at("/filter/passes").asBoolean()).as(dropped.raw()).isFalse();
        assertThat(dropped.json().at("/transform/outcome").asText()).isEqualTo("drop");
    }

    @Test
    void previewRunsOverAStoredEventOfTheAccountOnly() {
        TestAccount account = chatwire.createAccount("standard");
        TestAccount other = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String eventId = chatwire.postEvent(chatEvent(chatbot, "whatsapp", 0.4));

        ApiClient.Response r = account.api().post("/v1/transforms/preview",
                "{\"transform\":\"source & ' ' & answer.score\",\"event_id\":\"" + eventId + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().at("/transform/body").asText()).as(r.raw()).isEqualTo("whatsapp 0.4");
        assertThat(r.json().at("/event/source").asText()).isEqualTo("whatsapp");

        ApiClient.Response notTheirs = other.api().post("/v1/transforms/preview",
                "{\"transform\":\"source\",\"event_id\":\"" + eventId + "\"}");
        assertThat(notTheirs.status()).as(notTheirs.raw()).isEqualTo(404);
        assertThat(notTheirs.raw()).doesNotContain("whatsapp");
    }

    @Test
    void previewErrorsSayWhereTheExpressionWentWrong() {
        ApiClient api = chatwire.createAccount("standard").api();

        ApiClient.Response syntax = api.post("/v1/transforms/preview",
                "{\"transform\":\"{\\n  'a': answer.score +\\n}\",\"event\":{}}");
        assertThat(syntax.status()).as(syntax.raw()).isEqualTo(400);
        assertThat(syntax.text("error")).isEqualTo("invalid_transform");
        assertThat(syntax.json().at("/position/line").asInt()).isEqualTo(3);
        assertThat(syntax.json().at("/position/column").asInt()).isEqualTo(1);
        assertThat(syntax.json().at("/position/offset").asInt()).isEqualTo(24);

        ApiClient.Response runtime = api.post("/v1/transforms/preview",
                "{\"filter\":\"answer.score + 'text'\",\"event\":{\"answer\":{\"score\":1}}}");
        assertThat(runtime.status()).as(runtime.raw()).isEqualTo(422);
        assertThat(runtime.text("error")).isEqualTo("filter_failed");
        assertThat(runtime.json().at("/position/column").asInt()).isPositive();

        assertThat(api.post("/v1/transforms/preview", "{\"event\":{}}").status()).isEqualTo(400);
        assertThat(api.post("/v1/transforms/preview", "{\"transform\":\"a\"}").status()).isEqualTo(400);
        assertThat(api.post("/v1/transforms/preview", "{\"transform\":\"a\",\"event\":[1]}").status()).isEqualTo(400);
        assertThat(api.post("/v1/transforms/preview", "{\"transform\":\"a\",\"event\":{},\"event_id\":\"evt_1\"}")
                .status()).isEqualTo(400);
        assertThat(chatwire.anonymous().post("/v1/transforms/preview", "{\"transform\":\"a\",\"event\":{}}").status())
                .isEqualTo(401);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static String createEndpoint(TestAccount account, String chatbot, TestReceiver receiver, String fields) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + receiver.url() + "\",\"content_type\":\"application/json\"," + fields + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    private static String chatEvent(String chatbot, String source, double score) {
        return RunningChatwire.chatEvent(chatbot, "How do I reset it?")
                .replace("\"source\":\"widget\"", "\"source\":\"" + source + "\"")
                .replace("0.8503905227042547", Double.toString(score));
    }

    private static JsonNode onlyDelivery(TestAccount account, String eventId) {
        JsonNode data = account.api().get("/v1/events/" + eventId + "/deliveries").json().get("data");
        assertThat(data).hasSize(1);
        return data.get(0);
    }

    private static void assertFailedWithTransform(JsonNode deliveries, String endpointId, String messagePart) {
        JsonNode delivery = java.util.stream.StreamSupport.stream(deliveries.spliterator(), false)
                .filter(d -> d.get("endpoint_id").asText().equals(endpointId)).findFirst().orElseThrow();
        assertThat(delivery.get("status").asText()).as(delivery.toString()).isEqualTo("failed");
        assertThat(delivery.get("attempts")).as("not retried: the same event fails the same way").hasSize(1);
        JsonNode attempt = delivery.get("attempts").get(0);
        assertThat(attempt.get("error_kind").asText()).isEqualTo("transform");
        assertThat(attempt.get("error_message").asText()).contains(messagePart);
    }
}
