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
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An account's settings: renaming and deleting chatbots, changing endpoints, strict request bodies. */
class EndpointSettingsTest {
    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    private static void assertRefusal(ApiClient.Response r, int status, String error, String mentioning) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.text("error")).as(r.raw()).isEqualTo(error);
        assertThat(r.text("message")).as(r.raw()).contains(mentioning);
    }

    // --- chatbots -------------------------------------------------------------------------------

    @Test
    void patchingAChatbotRenamesIt() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);

        ApiClient.Response r = account.api().patch("/v1/chatbots/" + chatbot, "{\"name\":\"  Sales bot  \"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.text("name")).isEqualTo("Sales bot");
        assertThat(r.text("id")).isEqualTo(chatbot);
        assertThat(account.api().get("/v1/chatbots/" + chatbot).text("name")).isEqualTo("Sales bot");
    }

    @Test
    void aChatbotCannotBeRenamedToNothing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);

        assertRefusal(account.api().patch("/v1/chatbots/" + chatbot, "{\"name\":\"   \"}"), 400, "invalid_field", "name");
        assertRefusal(account.api().patch("/v1/chatbots/" + chatbot, "{}"), 400, "missing_field", "name");
        assertThat(account.api().get("/v1/chatbots/" + chatbot).text("name")).isEqualTo("Support bot");
    }

    @Test
    void deletingAChatbotRemovesItAndItsEndpoints() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String kept = chatwire.createChatbot(account);
        String first = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/a", "[\"chat\"]", false);
        String second = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/b", "[\"chat\"]", false);
        String other = chatwire.createEndpoint(account, kept, "http://127.0.0.1:9/a", "[\"chat\"]", false);

        ApiClient.Response r = account.api().delete("/v1/chatbots/" + chatbot);

        assertThat(r.status()).as(r.raw()).isEqualTo(204);
        assertThat(account.api().get("/v1/chatbots/" + chatbot).status()).isEqualTo(404);
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").status()).isEqualTo(404);
        assertThat(account.api().get("/v1/endpoints/" + first).status()).isEqualTo(404);
        assertThat(account.api().get("/v1/endpoints/" + second).status()).isEqualTo(404);
        assertThat(account.api().get("/v1/chatbots").json().get("data").findValuesAsText("id")).containsExactly(kept);
        assertThat(account.api().get("/v1/endpoints/" + other).status()).isEqualTo(200);
        assertThat(account.api().delete("/v1/chatbots/" + chatbot).status()).isEqualTo(404);
    }

    @Test
    void eventsForADeletedChatbotAreRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        account.api().delete("/v1/chatbots/" + chatbot);

        ApiClient.Response r = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "gone"));

        assertThat(r.status()).as(r.raw()).isEqualTo(404);
    }

    // --- endpoints ------------------------------------------------------------------------------

    @Test
    void patchingAnEndpointChangesUrlEventsDescriptionAndEnabled() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/old", "[\"chat\"]", true);
        Instant createdUpdatedAt = Instant.parse(account.api().get("/v1/endpoints/" + endpoint).text("updated_at"));
        sleep(Duration.ofMillis(5));

        ApiClient.Response r = account.api().patch("/v1/endpoints/" + endpoint, """
                {"url":"http://127.0.0.1:9/new","events":["lead-submission","live-chat-escalation"],
                 "description":"CRM sync","enabled":false}""");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        ApiClient.Response read = account.api().get("/v1/endpoints/" + endpoint);
        for (ApiClient.Response view : new ApiClient.Response[] {r, read}) {
            assertThat(view.text("url")).isEqualTo("http://127.0.0.1:9/new");
            assertThat(view.json().get("events")).extracting(JsonNode::asText)
                    .containsExactlyInAnyOrder("lead-submission", "live-chat-escalation");
            assertThat(view.text("description")).isEqualTo("CRM sync");
            assertThat(view.json().path("enabled").asBoolean()).isFalse();
            assertThat(view.text("chatbot_id")).isEqualTo(chatbot);
        }
        assertThat(Instant.parse(read.text("updated_at"))).isAfter(createdUpdatedAt);
    }

    @Test
    void aPatchChangesOnlyTheFieldsItNames() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/keep\",\"events\":[\"chat\"],\"description\":\"kept\"}");

        ApiClient.Response r = account.api().patch("/v1/endpoints/" + created.text("id"),
                "{\"description\":\"changed\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.text("description")).isEqualTo("changed");
        assertThat(r.text("url")).isEqualTo("http://127.0.0.1:9/keep");
        assertThat(r.json().get("events")).extracting(JsonNode::asText).containsExactly("chat");
        assertThat(r.json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void aChangedUrlReceivesTheNextDeliveriesInsteadOfTheOldOne() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver before = TestReceiver.start(); TestReceiver after = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, before.url().toString(), "[\"chat\"]", true);
            assertThat(account.api().patch("/v1/endpoints/" + endpoint,
                    "{\"url\":\"" + after.url() + "\"}").status()).isEqualTo(200);

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "moved"));

            await().atMost(Duration.ofSeconds(5)).until(() -> after.count() == 1);
            assertThat(after.received().getFirst().header("webhook-id")).isEqualTo(eventId);
            sleep(Duration.ofMillis(300));
            assertThat(before.count()).isZero();
        }
    }

    @Test
    void disablingStopsDeliveriesAndEnablingResumesThem() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "while enabled"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);

            ApiClient.Response disabled = account.api().patch("/v1/endpoints/" + endpoint, "{\"enabled\":false}");
            assertThat(disabled.json().path("enabled").asBoolean()).isFalse();
            ApiClient.Response whileDisabled = chatwire.operator().post("/v1/events",
                    RunningChatwire.chatEvent(chatbot, "while disabled"));
            assertThat(whileDisabled.json().path("deliveries").asInt()).isZero();
            sleep(Duration.ofMillis(500));
            assertThat(receiver.count()).isEqualTo(1);

            ApiClient.Response enabled = account.api().patch("/v1/endpoints/" + endpoint, "{\"enabled\":true}");
            assertThat(enabled.json().path("enabled").asBoolean()).isTrue();
            String resumed = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "enabled again"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 2);
            assertThat(receiver.received().get(1).header("webhook-id")).isEqualTo(resumed);
        }
    }

    @Test
    void changingTheSubscribedEventsChangesWhatIsDelivered() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            account.api().patch("/v1/endpoints/" + endpoint, "{\"events\":[\"lead-submission\"]}");

            ApiClient.Response chat = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "x"));
            ApiClient.Response lead = chatwire.operator().post("/v1/events", "{\"event\":\"lead-submission\","
                    + "\"chatbot_id\":\"" + chatbot + "\",\"lead\":{\"uuid\":\"28239132-671d-4b1f-9d43-1c7b70985ede\"}}");

            assertThat(chat.json().path("deliveries").asInt()).isZero();
            assertThat(lead.json().path("deliveries").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            assertThat(receiver.received().getFirst().header("x-chat-data-topic")).isEqualTo("lead-submission");
        }
    }

    @Test
    void deletingAnEndpointRemovesIt() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/x", "[\"chat\"]", true);

        assertThat(account.api().delete("/v1/endpoints/" + endpoint).status()).isEqualTo(204);

        assertThat(account.api().get("/v1/endpoints/" + endpoint).status()).isEqualTo(404);
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).isEmpty();
        assertThat(account.api().delete("/v1/endpoints/" + endpoint).status()).isEqualTo(404);
    }

    @Test
    void registeringAUrlTheChatbotAlreadyHasIsAConflict() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/same", "[\"chat\"]", true);

        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/same\",\"events\":[\"lead-submission\"]}");

        assertRefusal(r, 409, "endpoint_exists", "http://127.0.0.1:9/same");
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).hasSize(1);
    }

    @Test
    void changingAnEndpointToAUrlTheChatbotAlreadyHasIsAConflict() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/taken", "[\"chat\"]", true);
        String other = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/free", "[\"chat\"]", true);

        ApiClient.Response r = account.api().patch("/v1/endpoints/" + other, "{\"url\":\"http://127.0.0.1:9/taken\"}");

        assertRefusal(r, 409, "endpoint_exists", "http://127.0.0.1:9/taken");
        assertThat(account.api().get("/v1/endpoints/" + other).text("url")).isEqualTo("http://127.0.0.1:9/free");
    }

    @Test
    void theSameUrlMayServeTwoChatbots() {
        TestAccount account = chatwire.createAccount("standard");
        String first = chatwire.createChatbot(account);
        String second = chatwire.createChatbot(account);
        chatwire.createEndpoint(account, first, "http://127.0.0.1:9/shared", "[\"chat\"]", true);

        ApiClient.Response r = account.api().post("/v1/chatbots/" + second + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/shared\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(201);
    }

    // --- strict bodies --------------------------------------------------------------------------

    @Test
    void unknownFieldsInASettingsBodyAreRefusedNamingTheField() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/x", "[\"chat\"]", true);
        ApiClient api = account.api();

        assertRefusal(api.post("/v1/chatbots", "{\"name\":\"x\",\"colour\":\"red\"}"), 400, "unknown_field", "colour");
        assertRefusal(api.patch("/v1/chatbots/" + chatbot, "{\"name\":\"x\",\"owner\":\"me\"}"), 400,
                "unknown_field", "owner");
        assertRefusal(api.post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/y\",\"secret\":\"whsec_x\"}"), 400, "unknown_field", "secret");
        assertRefusal(api.patch("/v1/endpoints/" + endpoint, "{\"enable\":false}"), 400, "unknown_field", "enable");
        assertRefusal(api.patch("/v1/endpoints/" + endpoint, "{\"event_types\":[\"chat\"]}"), 400,
                "unknown_field", "event_types");

        assertThat(api.get("/v1/chatbots").json().get("data")).hasSize(1);
        assertThat(api.get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).hasSize(1);
        assertThat(api.get("/v1/endpoints/" + endpoint).json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void wrongTypesInASettingsBodyAreRefusedNamingTheField() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/x", "[\"chat\"]", true);
        ApiClient api = account.api();
        String path = "/v1/endpoints/" + endpoint;

        assertRefusal(api.patch(path, "{\"enabled\":\"false\"}"), 400, "invalid_field", "enabled");
        assertRefusal(api.patch(path, "{\"enabled\":0}"), 400, "invalid_field", "enabled");
        assertRefusal(api.patch(path, "{\"events\":\"chat\"}"), 400, "invalid_field", "events");
        assertRefusal(api.patch(path, "{\"events\":[\"chat\",1]}"), 400, "invalid_field", "events");
        assertRefusal(api.patch(path, "{\"url\":42}"), 400, "invalid_field", "url");
        assertRefusal(api.patch(path, "{\"description\":false}"), 400, "invalid_field", "description");
        assertRefusal(api.post("/v1/chatbots", "{\"name\":7}"), 400, "invalid_field", "name");
        assertRefusal(api.post("/v1/chatbots/" + chatbot + "/endpoints", "{\"url\":[\"http://127.0.0.1:9/y\"]}"),
                400, "invalid_field", "url");

        ApiClient.Response unchanged = api.get(path);
        assertThat(unchanged.json().path("enabled").asBoolean()).isTrue();
        assertThat(unchanged.json().get("events")).extracting(JsonNode::asText).containsExactly("chat");
    }

    @Test
    void unknownOrNoEventNamesAreRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/x", "[\"chat\"]", true);

        ApiClient.Response unknown = account.api().patch("/v1/endpoints/" + endpoint, "{\"events\":[\"chats\"]}");
        ApiClient.Response none = account.api().patch("/v1/endpoints/" + endpoint, "{\"events\":[]}");

        assertThat(unknown.status()).as(unknown.raw()).isEqualTo(400);
        assertThat(unknown.text("message")).contains("events").contains("chats");
        assertThat(none.status()).as(none.raw()).isEqualTo(400);
        assertThat(none.text("message")).contains("events");
    }

    @Test
    void aMalformedOrDuplicateKeyBodyIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);

        assertThat(account.api().patch("/v1/chatbots/" + chatbot, "{\"name\":").status()).isEqualTo(400);
        assertThat(account.api().patch("/v1/chatbots/" + chatbot, "{\"name\":\"a\",\"name\":\"b\"}").status())
                .isEqualTo(400);
        assertThat(account.api().patch("/v1/chatbots/" + chatbot, "{\"name\":\"a\"} {}").status()).isEqualTo(400);
        assertThat(account.api().get("/v1/chatbots/" + chatbot).text("name")).isEqualTo("Support bot");
    }
}
