package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An account sees and changes only what is its own; another account's ids answer 404. */
class TenancyTest {
    private static RunningChatwire chatwire;
    private static TestAccount owner;
    private static TestAccount stranger;
    private static String chatbot;
    private static String endpoint;
    private static String event;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
        owner = chatwire.createAccount("standard");
        stranger = chatwire.createAccount("professional");
        chatbot = chatwire.createChatbot(owner);
        endpoint = chatwire.createEndpoint(owner, chatbot, "http://127.0.0.1:9/hook", "[\"chat\"]", false);
        event = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "private"));
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    @Test
    void anotherAccountsIdsAnswerNotFound() {
        ApiClient api = stranger.api();
        assertThat(api.get("/v1/chatbots/" + chatbot).status()).isEqualTo(404);
        assertThat(api.get("/v1/chatbots/" + chatbot + "/endpoints").status()).isEqualTo(404);
        assertThat(api.post("/v1/chatbots/" + chatbot + "/endpoints", "{\"url\":\"https://evil.example/x\"}").status())
                .isEqualTo(404);
        assertThat(api.get("/v1/endpoints/" + endpoint).status()).isEqualTo(404);
        assertThat(api.patch("/v1/endpoints/" + endpoint, "{\"enabled\":true}").status()).isEqualTo(404);
        assertThat(api.delete("/v1/endpoints/" + endpoint).status()).isEqualTo(404);
        assertThat(api.get("/v1/events/" + event).status()).isEqualTo(404);
        assertThat(api.get("/v1/events/" + event + "/deliveries").status()).isEqualTo(404);
        assertThat(api.post("/v1/events/" + event + "/resend", "{\"endpoint_id\":\"" + endpoint + "\"}").status())
                .isEqualTo(404);
    }

    @Test
    void listsShowOnlyTheCallersOwnData() {
        assertThat(stranger.api().get("/v1/chatbots").json().get("data")).isEmpty();
        assertThat(stranger.api().get("/v1/events").json().get("data")).isEmpty();
        assertThat(stranger.api().get("/v1/deliveries").json().get("data")).isEmpty();
        assertThat(owner.api().get("/v1/events").json().get("data").findValuesAsText("id")).containsExactly(event);
    }

    @Test
    void theOwnersDataIsUnchangedByTheStrangersAttempts() {
        ApiClient.Response r = owner.api().get("/v1/endpoints/" + endpoint);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("enabled").asBoolean()).isFalse();
        assertThat(r.text("url")).isEqualTo("http://127.0.0.1:9/hook");
    }

    @Test
    void accountRoutesRefuseTheOperatorTokenAndOperatorRoutesRefuseAccountKeys() {
        assertThat(chatwire.operator().get("/v1/chatbots").status()).isEqualTo(403);
        assertThat(owner.api().get("/v1/accounts").status()).isEqualTo(403);
        assertThat(owner.api().post("/v1/accounts", "{\"name\":\"x\",\"plan\":\"free\"}").status()).isEqualTo(403);
    }

    @Test
    void anInvalidKeyIsUnauthorizedWithTheSameAnswerWhateverItLooksLike() {
        ApiClient.Response unknownKey = owner.api().as("cwk_doesnotexist0000000000000000000000000000").get("/v1/chatbots");
        ApiClient.Response garbage = owner.api().as("garbage").get("/v1/chatbots");
        assertThat(unknownKey.status()).isEqualTo(401);
        assertThat(garbage.status()).isEqualTo(401);
        assertThat(unknownKey.raw()).isEqualTo(garbage.raw());
    }
}
