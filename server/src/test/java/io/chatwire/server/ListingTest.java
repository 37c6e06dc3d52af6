package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event, delivery and attempt lists: every filter narrows to exactly the matching rows, newest
 * first, and the cursor pages through a stable set while new events arrive.
 *
 * <p>The fixture: chatbot A has {@code ok} (chat, answers 200) and {@code bad} (lead-submission,
 * answers 500); chatbot B has {@code both} (chat and lead-submission, answers 200). Events, oldest
 * first: e1 chat on A (delivered), e2 lead on A (failed), then {@code middle}, e3 chat on B
 * (delivered), e4 lead on B (delivered).
 */
class ListingTest {
    private static RunningChatwire chatwire;
    private static TestReceiver okReceiver;
    private static TestReceiver badReceiver;
    private static TestReceiver bothReceiver;
    private static TestAccount account;
    private static String botA;
    private static String botB;
    private static String ok;
    private static String bad;
    private static String both;
    private static String e1;
    private static String e2;
    private static String e3;
    private static String e4;
    private static Instant middle;

    @BeforeAll
    static void start() throws InterruptedException {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_RETRY_SCHEDULE", "0s"));
        okReceiver = TestReceiver.start();
        badReceiver = TestReceiver.start().answering(Answer.status(500));
        bothReceiver = TestReceiver.start();
        account = chatwire.createAccount("standard");
        botA = chatwire.createChatbot(account);
        botB = chatwire.createChatbot(account);
        ok = chatwire.createEndpoint(account, botA, okReceiver.url().toString(), "[\"chat\"]", true);
        bad = chatwire.createEndpoint(account, botA, badReceiver.url().toString(), "[\"lead-submission\"]", true);
        both = chatwire.createEndpoint(account, botB, bothReceiver.url().toString(),
                "[\"chat\",\"lead-submission\"]", true);

        e1 = chatwire.postEvent(RunningChatwire.chatEvent(botA, "e1"));
        e2 = chatwire.postEvent(lead(botA));
        Thread.sleep(30);
        middle = Instant.now();
        Thread.sleep(30);
        e3 = chatwire.postEvent(RunningChatwire.chatEvent(botB, "e3"));
        e4 = chatwire.postEvent(lead(botB));
        await().atMost(Duration.ofSeconds(5)).until(() -> ids("/v1/deliveries?status=pending").isEmpty()
                && ids("/v1/deliveries").size() == 4);
    }

    @AfterAll
    static void stop() {
        chatwire.close();
        okReceiver.close();
        badReceiver.close();
        bothReceiver.close();
    }

    private static String lead(String chatbot) {
        return "{\"event\":\"lead-submission\",\"chatbot_id\":\"" + chatbot
                + "\",\"lead\":{\"uuid\":\"28239132-671d-4b1f-9d43-1c7b70985ede\"}}";
    }

    private static JsonNode list(ApiClient api, String path) {
        ApiClient.Response r = api.get(path);
        assertThat(r.status()).as(path + " -> " + r.raw()).isEqualTo(200);
        return r.json();
    }

    private static List<String> ids(String path) {
        return field(path, "id");
    }

    private static List<String> idsOf(JsonNode page) {
        List<String> ids = new ArrayList<>();
        for (JsonNode row : page.get("data")) {
            ids.add(row.path("id").asText());
        }
        return ids;
    }

    /** The field of every row on the page (top level only; deliveries nest their attempts). */
    private static List<String> field(String path, String name) {
        List<String> values = new ArrayList<>();
        for (JsonNode row : list(account.api(), path).get("data")) {
            values.add(row.path(name).asText());
        }
        return values;
    }

    private static String encoded(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }

    // --- events ---------------------------------------------------------------------------------

    @Test
    void eventsAreListedNewestFirst() {
        assertThat(field("/v1/events", "id")).containsExactly(e4, e3, e2, e1);
    }

    @Test
    void eventsFilterByChatbot() {
        assertThat(field("/v1/events?chatbot_id=" + botA, "id")).containsExactly(e2, e1);
        assertThat(field("/v1/events?chatbot_id=" + botB, "id")).containsExactly(e4, e3);
        assertThat(field("/v1/events?chatbot_id=no-such-bot", "id")).isEmpty();
    }

    @Test
    void eventsFilterByEventType() {
        assertThat(field("/v1/events?event=lead-submission", "id")).containsExactly(e4, e2);
        assertThat(field("/v1/events?event=chat", "id")).containsExactly(e3, e1);
        assertThat(field("/v1/events?event=live-chat-escalation", "id")).isEmpty();
    }

    @Test
    void eventsFilterByDeliveryStatus() {
        assertThat(field("/v1/events?status=failed", "id")).containsExactly(e2);
        assertThat(field("/v1/events?status=delivered", "id")).containsExactly(e4, e3, e1);
        assertThat(field("/v1/events?status=pending", "id")).isEmpty();
    }

    @Test
    void eventsFilterByEndpoint() {
        assertThat(field("/v1/events?endpoint_id=" + bad, "id")).containsExactly(e2);
        assertThat(field("/v1/events?endpoint_id=" + ok, "id")).containsExactly(e1);
        assertThat(field("/v1/events?endpoint_id=" + both, "id")).containsExactly(e4, e3);
    }

    @Test
    void eventsFilterByTime() {
        assertThat(field("/v1/events?since=" + encoded(middle), "id")).containsExactly(e4, e3);
        assertThat(field("/v1/events?until=" + encoded(middle), "id")).containsExactly(e2, e1);
        assertThat(field("/v1/events?since=" + encoded(middle) + "&until=" + encoded(Instant.now().plusSeconds(60)),
                "id")).containsExactly(e4, e3);
        assertThat(field("/v1/events?since=" + encoded(Instant.now().plusSeconds(60)), "id")).isEmpty();
    }

    @Test
    void eventFiltersCombine() {
        assertThat(field("/v1/events?chatbot_id=" + botA + "&event=chat", "id")).containsExactly(e1);
        assertThat(field("/v1/events?chatbot_id=" + botB + "&status=failed", "id")).isEmpty();
        assertThat(field("/v1/events?event=lead-submission&status=delivered", "id")).containsExactly(e4);
    }

    @Test
    void badEventFiltersAreRefused() {
        for (String query : List.of("status=lost", "event=chats", "since=yesterday", "until=2026-02-30T00:00:00Z")) {
            ApiClient.Response r = account.api().get("/v1/events?" + query);
            assertThat(r.status()).as(query + " -> " + r.raw()).isEqualTo(400);
        }
    }

    @Test
    void theCursorPagesThroughEveryEventOnceNewestFirstWhileNewEventsArrive() {
        TestAccount paged = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(paged);
        List<String> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posted.add(chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "page " + i)));
        }

        List<String> seen = new ArrayList<>();
        JsonNode page = list(paged.api(), "/v1/events?limit=2");
        int pages = 1;
        seen.addAll(idsOf(page));
        assertThat(page.get("data")).hasSize(2);
        while (page.has("next_cursor")) {
            // New events between page requests must not shift the later pages.
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "arrived while paging " + pages));
            page = list(paged.api(), "/v1/events?limit=2&cursor=" + page.get("next_cursor").asText());
            seen.addAll(idsOf(page));
            pages++;
            assertThat(pages).isLessThanOrEqualTo(3);
        }

        assertThat(pages).isEqualTo(3);
        assertThat(page.get("data")).hasSize(1);
        assertThat(page.has("next_cursor")).isFalse();
        assertThat(seen).doesNotHaveDuplicates().containsExactlyElementsOf(posted.reversed());
    }

    @Test
    void aPageThatEndsTheListHasNoNextCursorEvenWhenItIsFull() {
        // Four events: a page of 4, or the second page of 2, is the last one, so no cursor to an empty page.
        JsonNode all = list(account.api(), "/v1/events?limit=4");
        JsonNode first = list(account.api(), "/v1/events?limit=2");
        JsonNode second = list(account.api(), "/v1/events?limit=2&cursor=" + first.get("next_cursor").asText());

        assertThat(idsOf(all)).hasSize(4);
        assertThat(all.has("next_cursor")).as("next_cursor of the only page: " + all.path("next_cursor")).isFalse();
        assertThat(idsOf(second)).containsExactly(e2, e1);
        assertThat(second.has("next_cursor")).as("next_cursor of the last page: " + second.path("next_cursor")).isFalse();
    }

    @Test
    void theCursorKeepsTheFilters() {
        List<String> seen = new ArrayList<>();
        JsonNode page = list(account.api(), "/v1/events?limit=1&chatbot_id=" + botA);
        seen.addAll(idsOf(page));
        while (page.has("next_cursor") && seen.size() < 10) {
            page = list(account.api(), "/v1/events?limit=1&chatbot_id=" + botA + "&cursor="
                    + page.get("next_cursor").asText());
            seen.addAll(idsOf(page));
        }
        assertThat(seen).containsExactly(e2, e1);
    }

    // --- deliveries -----------------------------------------------------------------------------

    @Test
    void deliveriesFilterByStatus() {
        assertThat(field("/v1/deliveries?status=failed", "event_id")).containsExactly(e2);
        assertThat(field("/v1/deliveries?status=failed", "endpoint_id")).containsExactly(bad);
        assertThat(field("/v1/deliveries?status=delivered", "event_id")).containsExactly(e4, e3, e1);
    }

    @Test
    void deliveriesFilterByEndpointChatbotAndEvent() {
        assertThat(field("/v1/deliveries?endpoint_id=" + both, "event_id")).containsExactly(e4, e3);
        assertThat(field("/v1/deliveries?chatbot_id=" + botA, "event_id")).containsExactly(e2, e1);
        assertThat(field("/v1/deliveries?event=chat", "event_id")).containsExactly(e3, e1);
        assertThat(field("/v1/deliveries?event=lead-submission&chatbot_id=" + botB, "event_id")).containsExactly(e4);
    }

    @Test
    void badDeliveryFiltersAreRefused() {
        for (String query : List.of("status=lost", "event=chats", "since=soon")) {
            ApiClient.Response r = account.api().get("/v1/deliveries?" + query);
            assertThat(r.status()).as(query + " -> " + r.raw()).isEqualTo(400);
        }
    }

    // --- attempts -------------------------------------------------------------------------------

    @Test
    void attemptsFilterByOutcome() {
        assertThat(field("/v1/attempts?outcome=failed", "event_id")).containsExactly(e2);
        assertThat(field("/v1/attempts?outcome=failed", "http_status")).containsExactly("500");
        assertThat(field("/v1/attempts?outcome=delivered", "event_id")).containsExactly(e4, e3, e1);
        assertThat(field("/v1/attempts?outcome=retry", "event_id")).isEmpty();
    }

    @Test
    void attemptsFilterByEndpointChatbotAndEvent() {
        assertThat(field("/v1/attempts?endpoint_id=" + ok, "event_id")).containsExactly(e1);
        assertThat(field("/v1/attempts?chatbot_id=" + botB, "event_id")).containsExactly(e4, e3);
        assertThat(field("/v1/attempts?event=lead-submission", "event_id")).containsExactly(e4, e2);
        assertThat(field("/v1/attempts?event=chat&chatbot_id=" + botA, "endpoint_id")).containsExactly(ok);
    }

    @Test
    void badAttemptFiltersAreRefused() {
        for (String query : List.of("outcome=pending", "outcome=lost", "event=chats", "until=later")) {
            ApiClient.Response r = account.api().get("/v1/attempts?" + query);
            assertThat(r.status()).as(query + " -> " + r.raw()).isEqualTo(400);
        }
    }

    // --- limit ----------------------------------------------------------------------------------

    @Test
    void aLimitOutsideOneToTwoHundredIsRefused() {
        for (String route : List.of("/v1/events", "/v1/deliveries", "/v1/attempts")) {
            for (String limit : List.of("0", "201", "x", "-1", "1.5")) {
                ApiClient.Response r = account.api().get(route + "?limit=" + limit);
                assertThat(r.status()).as(route + "?limit=" + limit + " -> " + r.raw()).isEqualTo(400);
                assertThat(r.text("message")).contains("limit");
            }
        }
    }

    @Test
    void theLimitsBoundsAreAccepted() {
        for (String route : List.of("/v1/events", "/v1/deliveries", "/v1/attempts")) {
            assertThat(list(account.api(), route + "?limit=1").get("data")).hasSize(1);
            assertThat(list(account.api(), route + "?limit=200").get("data")).hasSize(4);
        }
    }
}
