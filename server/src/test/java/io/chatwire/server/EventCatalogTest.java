package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatwire.event.EventSchemas;
import io.chatwire.event.EventType;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The event catalog: GET /v1/event-types and openapi.json show the schema files Chatwire validates
 * ingest against, their examples are accepted and delivered as sent, and "send test event" sends the
 * example of the type asked for.
 */
class EventCatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<EventType, String> COMPONENTS = Map.of(EventType.CHAT, "ChatEvent",
            EventType.LEAD_SUBMISSION, "LeadSubmissionEvent", EventType.LIVE_CHAT_ESCALATION, "LiveChatEscalationEvent");

    private static RunningChatwire chatwire;
    private static TestReceiver receiver;
    private static TestAccount account;
    private static String chatbot;
    private static String endpoint;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
        receiver = TestReceiver.start();
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
        endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(),
                "[\"chat\",\"lead-submission\",\"live-chat-escalation\"]", true);
    }

    @AfterAll
    static void stop() {
        chatwire.close();
        receiver.close();
    }

    @Test
    void theCatalogListsEveryTypeWithItsSchemaFileAndExampleWithoutCredentials() {
        ApiClient.Response r = chatwire.anonymous().get("/v1/event-types");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode data = r.json().get("data");
        assertThat(data).extracting(t -> t.path("name").asText())
                .containsExactly("chat", "lead-submission", "live-chat-escalation");
        for (JsonNode entry : data) {
            EventType type = EventType.fromWire("name", entry.path("name").asText());
            JsonNode file = file(type);
            assertThat(entry.path("schema")).isEqualTo(file);
            assertThat(entry.path("description").asText()).isEqualTo(file.path("description").asText()).isNotBlank();
            assertThat(entry.path("example")).isEqualTo(file.path("examples").get(0));
        }
    }

    @Test
    void openApiDocumentsTheIngestBodyWithTheSchemaFilesThemselves() {
        JsonNode doc = chatwire.anonymous().get("/openapi.json").json();

        COMPONENTS.forEach((type, component) ->
                assertThat(doc.at("/components/schemas/" + component)).as(component).isEqualTo(file(type)));
        assertThat(doc.at("/paths/~1v1~1events/post/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/ChatDataEvent");
        assertThat(doc.at("/components/schemas/ChatDataEvent/oneOf")).extracting(ref -> ref.path("$ref").asText())
                .containsExactly("#/components/schemas/ChatEvent", "#/components/schemas/LeadSubmissionEvent",
                        "#/components/schemas/LiveChatEscalationEvent");
        assertThat(doc.at("/paths/~1v1~1event-types/get/security")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void eachExampleIsAcceptedAndDeliveredExactlyAsSent(EventType type) {
        byte[] body = example(type).toString().getBytes(StandardCharsets.UTF_8);

        ApiClient.Response r = chatwire.operator().postBytes("/v1/events", body);

        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String eventId = r.text("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().stream()
                .anyMatch(got -> eventId.equals(got.header("webhook-id"))));
        TestReceiver.Received got = receiver.received().stream()
                .filter(g -> eventId.equals(g.header("webhook-id"))).findFirst().orElseThrow();
        assertThat(got.body()).isEqualTo(body);
        assertThat(got.header("x-chat-data-topic")).isEqualTo(type.wireName());
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void sendTestEventSendsTheExampleOfTheTypeAskedFor(EventType type) throws Exception {
        ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test?event=" + type.wireName(), "");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().at("/attempt/outcome").asText()).isEqualTo("delivered");
        String eventId = r.text("event_id");
        TestReceiver.Received got = receiver.received().stream()
                .filter(g -> eventId.equals(g.header("webhook-id"))).findFirst().orElseThrow();
        assertThat(got.header("x-chat-data-topic")).isEqualTo(type.wireName());
        assertThat(JSON.readTree(got.body())).isEqualTo(example(type));
        WebhookVerifier.forSecret(account.signingSecret()).verify(got.body(), got.headers());
        assertThat(account.api().get("/v1/events/" + eventId).json().path("event").asText())
                .isEqualTo(type.wireName());
    }

    @Test
    void sendTestEventRefusesATypeThatDoesNotExistNamingTheParameter() {
        int before = receiver.count();

        ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test?event=chat-started", "");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("invalid_event_type");
        assertThat(r.text("message")).contains("event", "chat-started", "lead-submission");
        assertThat(receiver.count()).isEqualTo(before);
    }

    /** The type's example for this test's chatbot: what the platform would send. */
    private static ObjectNode example(EventType type) {
        return EventSchemas.bundled().example(type).put("chatbot_id", chatbot);
    }

    private static JsonNode file(EventType type) {
        try (InputStream in = EventCatalogTest.class.getClassLoader().getResourceAsStream(EventSchemas.resource(type))) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
