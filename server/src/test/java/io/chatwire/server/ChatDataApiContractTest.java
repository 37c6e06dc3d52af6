package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Chat Data compatible routes answer in that API's shapes (camelCase, {@code status}), with the
 * account's API key as the bearer token, and every refusal is {@code {"status":"error","message"}}.
 */
class ChatDataApiContractTest {
    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    private static String chatbotNamed(TestAccount account, String name) {
        ApiClient.Response r = account.api().post("/v1/chatbots", "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    private static String addWebhook(String url, String event, String chatbotId) {
        return "{\"url\":\"" + url + "\",\"event\":\"" + event + "\",\"chatbotId\":\"" + chatbotId + "\"}";
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** A refusal in Chat Data's shape: exactly status and message, and nothing else. */
    private static void assertChatDataError(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(keys(r.json())).as(r.raw()).containsExactlyInAnyOrder("status", "message");
        assertThat(r.text("status")).isEqualTo("error");
        assertThat(r.text("message")).isNotBlank();
    }

    private static int endpointCount(TestAccount account, String chatbot) {
        ApiClient.Response r = account.api().get("/v1/chatbots/" + chatbot + "/endpoints");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().get("data").size();
    }

    @Test
    void getChatbotsListsExactlyTheAccountsChatbotsInCamelCase() {
        TestAccount account = chatwire.createAccount("standard");
        String first = chatbotNamed(account, "Support bot");
        String second = chatbotNamed(account, "Sales bot");
        TestAccount other = chatwire.createAccount("standard");
        chatbotNamed(other, "Someone else's bot");

        ApiClient.Response r = account.api().get("/api/v2/get-chatbots");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(keys(r.json())).containsExactly("chatbots");
        JsonNode chatbots = r.json().get("chatbots");
        assertThat(chatbots).hasSize(2);
        for (JsonNode entry : chatbots) {
            assertThat(keys(entry)).containsExactlyInAnyOrder("chatbotId", "chatbotName");
        }
        assertThat(chatbots).extracting(b -> b.path("chatbotId").asText() + "=" + b.path("chatbotName").asText())
                .containsExactlyInAnyOrder(first + "=Support bot", second + "=Sales bot");
    }

    @Test
    void getChatbotsOfAnAccountWithoutChatbotsIsAnEmptyList() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response r = account.api().get("/api/v2/get-chatbots");

        assertThat(r.status()).isEqualTo(200);
        assertThat(keys(r.json())).containsExactly("chatbots");
        assertThat(r.json().get("chatbots").isArray()).isTrue();
        assertThat(r.json().get("chatbots")).isEmpty();
    }

    // --- current-plan: n8n's credential test (any 2xx means the key is valid) -----------------------

    /** A success answer of current-plan: exactly these fields, in Chat Data's camelCase. */
    private static JsonNode currentPlan(TestAccount account) {
        ApiClient.Response r = account.api().get("/api/v2/current-plan");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(keys(r.json())).containsExactlyInAnyOrder("status", "plan", "accountStatus", "webhooks");
        assertThat(keys(r.json().get("webhooks")))
                .containsExactlyInAnyOrder("enabled", "delivering", "defaultEndpointsPerChatbot");
        assertThat(r.text("status")).isEqualTo("success");
        return r.json();
    }

    @Test
    void currentPlanOfAStandardAccountHasWebhooksWithTheDefaultLimitOfThree() {
        JsonNode plan = currentPlan(chatwire.createAccount("standard"));

        assertThat(plan.path("plan").asText()).isEqualTo("standard");
        assertThat(plan.path("accountStatus").asText()).isEqualTo("active");
        assertThat(plan.at("/webhooks/enabled").asBoolean()).isTrue();
        assertThat(plan.at("/webhooks/delivering").asBoolean()).isTrue();
        assertThat(plan.at("/webhooks/defaultEndpointsPerChatbot").asInt()).isEqualTo(3);
    }

    @Test
    void currentPlanOfAProfessionalAccountNamesThatPlan() {
        JsonNode plan = currentPlan(chatwire.createAccount("professional"));

        assertThat(plan.path("plan").asText()).isEqualTo("professional");
        assertThat(plan.at("/webhooks/enabled").asBoolean()).isTrue();
        assertThat(plan.at("/webhooks/defaultEndpointsPerChatbot").asInt()).isEqualTo(3);
    }

    @Test
    void currentPlanOfAFreeAccountIsASuccessWithoutWebhooks() {
        JsonNode plan = currentPlan(chatwire.createAccount("free"));

        assertThat(plan.path("plan").asText()).isEqualTo("free");
        assertThat(plan.at("/webhooks/enabled").asBoolean()).isFalse();
        assertThat(plan.at("/webhooks/delivering").asBoolean()).isFalse();
        assertThat(plan.at("/webhooks/defaultEndpointsPerChatbot").asInt()).isZero();
    }

    @Test
    void currentPlanOfASuspendedAccountIsASuccessSayingNothingIsDelivered() {
        TestAccount account = chatwire.createAccount("standard");
        assertThat(chatwire.operator().post("/v1/accounts/" + account.id() + "/suspend", "").status()).isEqualTo(200);

        JsonNode plan = currentPlan(account);

        assertThat(plan.path("plan").asText()).isEqualTo("standard");
        assertThat(plan.path("accountStatus").asText()).isEqualTo("suspended");
        assertThat(plan.at("/webhooks/enabled").asBoolean()).isTrue();
        assertThat(plan.at("/webhooks/delivering").asBoolean()).isFalse();
    }

    @Test
    void currentPlanFollowsAPlanChangeByTheOperator() {
        TestAccount account = chatwire.createAccount("free");
        assertThat(chatwire.operator().patch("/v1/accounts/" + account.id(), "{\"plan\":\"professional\"}").status())
                .isEqualTo(200);

        JsonNode plan = currentPlan(account);

        assertThat(plan.path("plan").asText()).isEqualTo("professional");
        assertThat(plan.at("/webhooks/enabled").asBoolean()).isTrue();
    }

    @Test
    void currentPlanWithoutAValidKeyIsUnauthorized() {
        TestAccount account = chatwire.createAccount("standard");

        assertChatDataError(chatwire.anonymous().get("/api/v2/current-plan"), 401);
        assertChatDataError(account.api().as("cwk_notarealkey0000000000000000000000").get("/api/v2/current-plan"), 401);
        assertChatDataError(account.api().as("garbage").get("/api/v2/current-plan"), 401);
    }

    @Test
    void currentPlanWithARevokedKeyIsUnauthorized() {
        TestAccount account = chatwire.createAccount("standard");
        ApiClient.Response second = chatwire.operator().post("/v1/accounts/" + account.id() + "/api-keys", "");
        assertThat(second.status()).as(second.raw()).isEqualTo(201);
        ApiClient revoked = account.api().as(second.text("api_key"));
        assertThat(revoked.get("/api/v2/current-plan").status()).isEqualTo(200);

        assertThat(chatwire.operator().delete("/v1/accounts/" + account.id() + "/api-keys/" + second.text("id"))
                .status()).isBetween(200, 204);

        assertChatDataError(revoked.get("/api/v2/current-plan"), 401);
        assertThat(account.api().get("/api/v2/current-plan").status()).isEqualTo(200);
    }

    @Test
    void currentPlanWithTheOperatorTokenIsForbiddenForItIsNoAccountsKey() {
        assertChatDataError(chatwire.operator().get("/api/v2/current-plan"), 403);
    }

    // --- add-webhook ----------------------------------------------------------------------------

    @Test
    void addWebhookCreatesAnEndpointThatReceivesThatEventType() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        try (TestReceiver receiver = TestReceiver.start()) {
            String url = receiver.url().toString();

            ApiClient.Response r = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot));

            assertThat(r.status()).as(r.raw()).isEqualTo(201);
            assertThat(r.text("status")).isEqualTo("success");
            String webhookId = r.text("webhookId");
            assertThat(webhookId).isNotBlank();
            assertThat(keys(r.json())).doesNotContain("webhook_id", "chatbot_id");

            ApiClient.Response endpoint = account.api().get("/v1/endpoints/" + webhookId);
            assertThat(endpoint.status()).isEqualTo(200);
            assertThat(endpoint.text("url")).isEqualTo(url);
            assertThat(endpoint.text("chatbot_id")).isEqualTo(chatbot);
            assertThat(endpoint.json().get("events")).extracting(JsonNode::asText).containsExactly("chat");
            assertThat(endpoint.json().path("enabled").asBoolean()).isTrue();

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "via Chat Data"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            assertThat(receiver.received().getFirst().header("x-chat-data-topic")).isEqualTo("chat");
            assertThat(receiver.received().getFirst().header("webhook-id")).isEqualTo(eventId);
        }
    }

    @Test
    void addWebhookDoesNotSubscribeTheEndpointToOtherEventTypes() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        try (TestReceiver receiver = TestReceiver.start()) {
            assertThat(account.api().post("/api/v2/add-webhook",
                    addWebhook(receiver.url().toString(), "chat", chatbot)).status()).isEqualTo(201);

            ApiClient.Response accepted = chatwire.operator().post("/v1/events", "{\"event\":\"lead-submission\","
                    + "\"chatbot_id\":\"" + chatbot + "\",\"lead\":{\"uuid\":\"28239132-671d-4b1f-9d43-1c7b70985ede\"}}");

            assertThat(accepted.status()).as(accepted.raw()).isEqualTo(202);
            assertThat(accepted.json().path("deliveries").asInt()).isZero();
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isZero();
        }
    }

    @Test
    void addWebhookForASecondEventTypeExtendsTheSameEndpoint() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        String url = "http://127.0.0.1:9/chat-data-hook";
        ApiClient.Response first = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot));
        assertThat(first.status()).as(first.raw()).isEqualTo(201);

        ApiClient.Response second = account.api().post("/api/v2/add-webhook",
                addWebhook(url, "lead-submission", chatbot));

        assertThat(second.status()).as(second.raw()).isEqualTo(200);
        assertThat(second.text("status")).isEqualTo("success");
        assertThat(second.text("webhookId")).isEqualTo(first.text("webhookId"));
        assertThat(endpointCount(account, chatbot)).isEqualTo(1);
        ApiClient.Response endpoint = account.api().get("/v1/endpoints/" + first.text("webhookId"));
        assertThat(endpoint.json().get("events")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("chat", "lead-submission");
    }

    @Test
    void addingTheSameUrlAndEventAgainSaysItIsAlreadyRegisteredAndChangesNothing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        try (TestReceiver receiver = TestReceiver.start()) {
            String url = receiver.url().toString();
            ApiClient.Response first = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot));
            assertThat(first.status()).as(first.raw()).isEqualTo(201);
            assertThat(first.json().path("alreadyRegistered").asBoolean()).isFalse();
            String before = account.api().get("/v1/endpoints/" + first.text("webhookId")).raw();

            ApiClient.Response again = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot));

            assertThat(again.status()).as(again.raw()).isEqualTo(200);
            assertThat(again.text("status")).isEqualTo("success");
            assertThat(again.json().path("alreadyRegistered").asBoolean()).isTrue();
            assertThat(again.text("message")).contains("already registered").doesNotContain("added");
            assertThat(again.text("webhookId")).isEqualTo(first.text("webhookId"));
            assertThat(again.json().get("events")).extracting(JsonNode::asText).containsExactly("chat");
            assertThat(endpointCount(account, chatbot)).isEqualTo(1);
            assertThat(account.api().get("/v1/endpoints/" + first.text("webhookId")).raw())
                    .as("not even updated_at changes").isEqualTo(before);

            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "once, not twice"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isEqualTo(1);
        }
    }

    @Test
    void addingAnEventTypeToAnExistingUrlIsNotCalledAlreadyRegistered() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        String url = "http://127.0.0.1:9/chat-data-hook";
        account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot));

        ApiClient.Response second = account.api().post("/api/v2/add-webhook",
                addWebhook(url, "lead-submission", chatbot));

        assertThat(second.status()).as(second.raw()).isEqualTo(200);
        assertThat(second.json().path("alreadyRegistered").asBoolean()).isFalse();
        assertThat(second.text("message")).doesNotContain("already");
    }

    @Test
    void reRegisteringADisabledWebhookSaysThatItIsDisabledAndLeavesItSo() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        String url = "http://127.0.0.1:9/chat-data-hook";
        String webhookId = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot)).text("webhookId");
        assertThat(account.api().patch("/v1/endpoints/" + webhookId, "{\"enabled\":false}").status()).isEqualTo(200);

        ApiClient.Response again = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot));

        assertThat(again.status()).as(again.raw()).isEqualTo(200);
        assertThat(again.json().path("alreadyRegistered").asBoolean()).isTrue();
        assertThat(again.text("message")).contains("disabled").contains(webhookId);
        assertThat(account.api().get("/v1/endpoints/" + webhookId).json().path("enabled").asBoolean()).isFalse();
    }

    @Test
    void extendingAnEndpointDoesNotUseUpTheChatbotsEndpointLimit() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        String url = "http://127.0.0.1:9/shared";
        assertThat(account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot)).status()).isEqualTo(201);
        assertThat(account.api().post("/api/v2/add-webhook", addWebhook(url, "lead-submission", chatbot)).status())
                .isEqualTo(200);
        assertThat(account.api().post("/api/v2/add-webhook", addWebhook(url, "live-chat-escalation", chatbot)).status())
                .isEqualTo(200);

        ApiClient.Response two = account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/second", "chat", chatbot));
        ApiClient.Response three = account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/third", "chat", chatbot));

        assertThat(two.status()).as(two.raw()).isEqualTo(201);
        assertThat(three.status()).as(three.raw()).isEqualTo(201);
        assertThat(endpointCount(account, chatbot)).isEqualTo(3);
    }

    @Test
    void deleteWebhookRemovesTheEndpoint() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        try (TestReceiver receiver = TestReceiver.start()) {
            String url = receiver.url().toString();
            String webhookId = account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot))
                    .text("webhookId");

            ApiClient.Response r = account.api().post("/api/v2/delete-webhook",
                    "{\"url\":\"" + url + "\",\"chatbotId\":\"" + chatbot + "\"}");

            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.text("status")).isEqualTo("success");
            assertThat(account.api().get("/v1/endpoints/" + webhookId).status()).isEqualTo(404);
            assertThat(endpointCount(account, chatbot)).isZero();
            ApiClient.Response accepted = chatwire.operator().post("/v1/events",
                    RunningChatwire.chatEvent(chatbot, "after delete"));
            assertThat(accepted.json().path("deliveries").asInt()).isZero();
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isZero();
        }
    }

    // --- refusals, all in Chat Data's error shape --------------------------------------------------

    @Test
    void addWebhookForAnUnknownChatbotIsNotFound() {
        TestAccount account = chatwire.createAccount("standard");

        assertChatDataError(account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/x", "chat", "no-such-bot")), 404);
    }

    @Test
    void addWebhookForAnotherAccountsChatbotIsNotFoundAndChangesNothing() {
        TestAccount owner = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(owner, "Owner's bot");
        TestAccount stranger = chatwire.createAccount("professional");

        assertChatDataError(stranger.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/evil", "chat", chatbot)), 404);
        assertThat(endpointCount(owner, chatbot)).isZero();
    }

    @Test
    void aFourthEndpointIsAConflict() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        for (int i = 1; i <= 3; i++) {
            assertThat(account.api().post("/api/v2/add-webhook",
                    addWebhook("http://127.0.0.1:9/hook-" + i, "chat", chatbot)).status()).isEqualTo(201);
        }

        assertChatDataError(account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/hook-4", "chat", chatbot)), 409);
        assertThat(endpointCount(account, chatbot)).isEqualTo(3);
    }

    @Test
    void aFreeAccountIsForbidden() {
        TestAccount account = chatwire.createAccount("free");
        String chatbot = chatbotNamed(account, "Free bot");

        assertChatDataError(account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/x", "chat", chatbot)), 403);
        assertThat(endpointCount(account, chatbot)).isZero();
    }

    @Test
    void aBadUrlIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");

        for (String url : List.of("ftp://example.com/hook", "not a url", "https://", "")) {
            assertChatDataError(account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", chatbot)), 400);
        }
        assertThat(endpointCount(account, chatbot)).isZero();
    }

    @Test
    void anUnknownEventNameIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");

        ApiClient.Response r = account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/x", "conversation-ended", chatbot));

        assertChatDataError(r, 400);
        assertThat(r.text("message")).contains("event");
    }

    @Test
    void aMissingFieldIsRefusedNamingIt() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");

        ApiClient.Response noUrl = account.api().post("/api/v2/add-webhook",
                "{\"event\":\"chat\",\"chatbotId\":\"" + chatbot + "\"}");
        ApiClient.Response noEvent = account.api().post("/api/v2/add-webhook",
                "{\"url\":\"http://127.0.0.1:9/x\",\"chatbotId\":\"" + chatbot + "\"}");
        ApiClient.Response noChatbot = account.api().post("/api/v2/add-webhook",
                "{\"url\":\"http://127.0.0.1:9/x\",\"event\":\"chat\"}");
        ApiClient.Response deleteNoUrl = account.api().post("/api/v2/delete-webhook",
                "{\"chatbotId\":\"" + chatbot + "\"}");

        assertChatDataError(noUrl, 400);
        assertThat(noUrl.text("message")).contains("url");
        assertChatDataError(noEvent, 400);
        assertThat(noEvent.text("message")).contains("event");
        assertChatDataError(noChatbot, 400);
        assertThat(noChatbot.text("message")).contains("chatbotId");
        assertChatDataError(deleteNoUrl, 400);
        assertThat(deleteNoUrl.text("message")).contains("url");
    }

    @Test
    void malformedJsonIsRefused() {
        TestAccount account = chatwire.createAccount("standard");

        assertChatDataError(account.api().post("/api/v2/add-webhook", "{\"url\":"), 400);
        assertChatDataError(account.api().post("/api/v2/add-webhook", "[]"), 400);
        assertChatDataError(account.api().post("/api/v2/add-webhook", ""), 400);
        assertChatDataError(account.api().post("/api/v2/delete-webhook", "{oops}"), 400);
    }

    @Test
    void aMissingOrInvalidKeyIsUnauthorized() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        String body = addWebhook("http://127.0.0.1:9/x", "chat", chatbot);

        for (ApiClient api : List.of(chatwire.anonymous(), account.api().as("cwk_notarealkey0000000000000000000000"),
                account.api().as("garbage"))) {
            assertChatDataError(api.get("/api/v2/get-chatbots"), 401);
            assertChatDataError(api.get("/api/v2/current-plan"), 401);
            assertChatDataError(api.post("/api/v2/add-webhook", body), 401);
            assertChatDataError(api.post("/api/v2/delete-webhook", body), 401);
        }
        assertThat(endpointCount(account, chatbot)).isZero();
    }

    @Test
    void theOperatorTokenIsForbidden() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        ApiClient operator = chatwire.operator();

        assertChatDataError(operator.get("/api/v2/get-chatbots"), 403);
        assertChatDataError(operator.get("/api/v2/current-plan"), 403);
        assertChatDataError(operator.post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/x", "chat", chatbot)), 403);
        assertChatDataError(operator.post("/api/v2/delete-webhook",
                "{\"url\":\"http://127.0.0.1:9/x\",\"chatbotId\":\"" + chatbot + "\"}"), 403);
        assertThat(endpointCount(account, chatbot)).isZero();
    }

    @Test
    void deletingAUrlThatIsNotRegisteredIsNotFound() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatbotNamed(account, "Support bot");
        assertThat(account.api().post("/api/v2/add-webhook",
                addWebhook("http://127.0.0.1:9/registered", "chat", chatbot)).status()).isEqualTo(201);

        assertChatDataError(account.api().post("/api/v2/delete-webhook",
                "{\"url\":\"http://127.0.0.1:9/not-registered\",\"chatbotId\":\"" + chatbot + "\"}"), 404);
        assertThat(endpointCount(account, chatbot)).isEqualTo(1);
    }

    @Test
    void aWrongMethodOrUnknownRouteUnderTheChatDataPrefixAnswersInChatDatasShape() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response wrongMethod = account.api().get("/api/v2/add-webhook");
        ApiClient.Response unknown = account.api().get("/api/v2/no-such-route");

        assertThat(wrongMethod.status()).as(wrongMethod.raw()).isBetween(400, 499);
        assertChatDataError(wrongMethod, wrongMethod.status());
        assertChatDataError(unknown, 404);
    }

    @Test
    void aTooLargeBodyIsRefusedInChatDatasShape() {
        TestAccount account = chatwire.createAccount("standard");
        String url = "http://127.0.0.1:9/" + "x".repeat(70 * 1024);

        assertChatDataError(account.api().post("/api/v2/add-webhook", addWebhook(url, "chat", "bot")), 413);
    }
}
