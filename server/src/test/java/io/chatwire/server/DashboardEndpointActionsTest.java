package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.Browser;
import io.chatwire.testing.EventStreamClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The endpoint actions of the dashboard that were checked by eye until now, in a real browser: edit
 * (the changes persist), disable and enable (deliveries stop and resume), "Recover failed since"
 * (failed deliveries reach a receiver that is healthy again), the live log (streamed, polled while
 * the stream is refused), the signatures a delivery's details show after a rotation (those the
 * receiver got), and delete (confirmed, gone, its slot free again). The steps build on each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class DashboardEndpointActionsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ALL_EVENTS = "[\"chat\",\"lead-submission\",\"live-chat-escalation\"]";

    private RunningChatwire chatwire;
    private TestReceiver receiver;
    private TestReceiver flaky;
    private TestAccount account;
    private String chatbot;
    private String crm;
    private String warehouse;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private String beforeRotation;

    @BeforeAll
    void start() throws IOException {
        // One stream per account, so that a second one (opened by the test) makes the dashboard poll.
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_LIVE_STREAMS_PER_ACCOUNT", "1",
                "CHATWIRE_LIVE_HEARTBEAT", "1s", "CHATWIRE_SECRET_GRACE_PERIOD", "1h"));
        receiver = TestReceiver.start();
        flaky = TestReceiver.start().answering(TestReceiver.Answer.status(503).withBody("down for maintenance"));
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
        crm = createEndpoint(receiver.url("/crm").toString(), "CRM sync", ALL_EVENTS);
        // Leads only: the chat events of the other steps never fail here, so step 3 knows what failed.
        warehouse = createEndpoint(flaky.url("/warehouse").toString(), "Data warehouse", "[\"lead-submission\"]");

        browser = Browser.start();
        driver = browser.driver();
        // The page re-renders an endpoint after each action; an element found just before is then stale.
        wait = (WebDriverWait) new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class);
        driver.get(chatwire.baseUrl() + "/");
        WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        key.sendKeys(account.apiKey(), Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("who-name"), "Test standard"));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {receiver, flaky, chatwire}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // Closing the rest matters more.
            }
        }
    }

    @Test
    @Order(1)
    void editsAnEndpointAndTheChangesPersist() {
        WebElement item = endpointItem(crm);
        item.findElement(By.cssSelector(".edit-endpoint")).click();
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".is-editing .endpoint-form")));
        WebElement url = browser.byLabel(form, "Endpoint URL");
        url.clear();
        url.sendKeys(receiver.url("/crm/v2").toString());
        WebElement description = browser.byLabel(form, "Description");
        description.clear();
        description.sendKeys("CRM sync (v2)");
        form.findElement(By.cssSelector("input[type=checkbox][value='lead-submission']")).click();
        form.findElement(By.cssSelector("button[type=submit]")).click();

        wait.until(d -> endpointItem(crm).getText().contains("CRM sync (v2)"));
        // Kept by the server: as the API reads it, and as the page shows it after a reload.
        JsonNode saved = account.api().get("/v1/endpoints/" + crm).json();
        assertThat(saved.path("url").asText()).isEqualTo(receiver.url("/crm/v2").toString());
        assertThat(saved.path("description").asText()).isEqualTo("CRM sync (v2)");
        assertThat(saved.path("events").toString()).isEqualTo("[\"chat\",\"live-chat-escalation\"]");
        driver.navigate().refresh();
        WebElement reloaded = endpointItem(crm);
        assertThat(reloaded.getText()).contains(receiver.url("/crm/v2").toString()).contains("CRM sync (v2)")
                .doesNotContain("lead-submission");

        // Deliveries go to the new URL.
        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "after the edit"));
        TestReceiver.Received got = received(receiver, eventId);
        assertThat(got.path()).isEqualTo("/crm/v2");
        beforeRotation = eventId;
        browser.shot("actions-01-edited");
    }

    @Test
    @Order(2)
    void disablesAndEnablesAnEndpointStoppingAndResumingItsDeliveries() {
        endpointItem(crm).findElement(By.cssSelector(".toggle-endpoint")).click();
        wait.until(d -> endpointItem(crm).getText().contains("Disabled"));
        assertThat(endpointItem(crm).getAttribute("class")).contains("is-disabled");
        assertThat(account.api().get("/v1/endpoints/" + crm).json().path("enabled").asBoolean()).isFalse();

        // While disabled, an event is not delivered to it: it gets no delivery at all.
        String whileDisabled = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "while disabled"));
        JsonNode deliveries = account.api().get("/v1/events/" + whileDisabled + "/deliveries").json().path("data");
        assertThat(deliveries.findValuesAsText("endpoint_id")).doesNotContain(crm);

        endpointItem(crm).findElement(By.cssSelector(".toggle-endpoint")).click();
        wait.until(d -> endpointItem(crm).getText().contains("Healthy"));
        assertThat(account.api().get("/v1/endpoints/" + crm).json().path("enabled").asBoolean()).isTrue();
        String enabledAgain = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "enabled again"));
        received(receiver, enabledAgain);
        assertThat(receiver.received()).noneMatch(r -> whileDisabled.equals(r.header("webhook-id")));
    }

    @Test
    @Order(3)
    void recoversFailedDeliveriesOnceTheReceiverIsHealthyAgain() {
        List<String> failed = List.of(chatwire.postEvent(lead("u-1")), chatwire.postEvent(lead("u-2")));
        await().atMost(WAIT).until(() -> failed.stream().allMatch(id -> "failed".equals(deliveryStatus(id, warehouse))));
        int refusedSoFar = flaky.count();
        flaky.answering(TestReceiver.Answer.status(200).withBody("back"));

        openDeliveries();
        WebElement row = wait.until(d -> d.findElements(By.cssSelector("#delivery-log .log-row.outcome-failed")).stream()
                .filter(r -> failed.contains(r.getAttribute("data-event-id"))).findFirst().orElse(null));
        row.click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.details[open]")));
        WebElement block = wait.until(d -> dialog.findElements(By.cssSelector(".delivery")).stream()
                .filter(b -> b.getText().contains("/warehouse")).findFirst().orElse(null));
        WebElement since = browser.byLabel(block, "Recover failed since");
        assertThat(since.getAttribute("value")).as("a day back by default").isNotBlank();
        block.findElement(By.xpath(".//button[normalize-space()='Recover']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toasts"),
                "2 failed deliveries were put back on the schedule"));
        browser.shot("actions-02-recover");
        dialog.sendKeys(Keys.ESCAPE);

        for (String id : failed) {
            // Sent again after the receiver recovered, and delivered this time.
            await().atMost(WAIT).until(() -> flaky.received().stream().skip(refusedSoFar)
                    .anyMatch(r -> id.equals(r.header("webhook-id")) && r.path().equals("/warehouse")));
            await().atMost(WAIT).until(() -> "delivered".equals(deliveryStatus(id, warehouse)));
        }
    }

    @Test
    @Order(4)
    void updatesTheLiveLogOverTheStreamAndPollsWhileTheStreamIsRefused() {
        openDeliveries();
        WebElement bar = driver.findElement(By.cssSelector(".live-bar"));
        wait.until(d -> "stream".equals(bar.getAttribute("data-mode")));
        assertThat(driver.findElement(By.id("live-status")).getText()).contains("streaming");
        long polls = attemptListRequests();

        String streamed = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "streamed"));
        wait.until(d -> !d.findElements(By.cssSelector("#delivery-log .log-row[data-event-id='" + streamed + "']")).isEmpty());
        // Two poll intervals later still no list request: the row came over the stream.
        await().pollDelay(Duration.ofMillis(4500)).atMost(WAIT).until(() -> true);
        assertThat(attemptListRequests()).as("requests to GET /v1/attempts while streaming").isEqualTo(polls);
        assertThat(bar.getAttribute("data-mode")).isEqualTo("stream");

        // The account's one stream taken by another client (once the page has left the log and the server
        // noticed): back on the log the page polls instead, and new attempts still appear; once that
        // client leaves, the page streams again.
        browser.click(By.cssSelector(".mainnav a[data-route='webhooks']"));
        try (EventStreamClient _ = await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            EventStreamClient c = EventStreamClient.open(chatwire.baseUrl(), "/v1/attempts/stream", account.apiKey(),
                    Optional.empty());
            if (c.status() != 200) {
                c.close();
                return null;
            }
            return c;
        }, c -> c != null)) {
            openDeliveries();
            wait.until(d -> d.findElement(By.id("live-status")).getText().contains("polling every 2 s"));
            assertThat(driver.findElement(By.cssSelector(".live-bar")).getAttribute("data-mode")).isEqualTo("poll");
            String polled = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "polled"));
            wait.until(d -> !d.findElements(By.cssSelector("#delivery-log .log-row[data-event-id='" + polled + "']")).isEmpty());
            browser.shot("actions-03-polling");
        }
        wait.until(d -> "stream".equals(d.findElement(By.cssSelector(".live-bar")).getAttribute("data-mode")));
    }

    @Test
    @Order(5)
    void showsTheSignaturesADeliveryWasSentWithAfterARotation() {
        ApiClient.Response rotated = account.api().post("/v1/account/signing-secret/rotate", "");
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
        String afterRotation = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "after the rotation"));
        received(receiver, afterRotation);

        openDeliveries();
        for (String eventId : List.of(beforeRotation, afterRotation)) {
            TestReceiver.Received got = received(receiver, eventId);
            String shown = headersShown(eventId);
            assertThat(shown).contains("webhook-id: " + eventId)
                    .contains("webhook-timestamp: " + got.header("webhook-timestamp"))
                    .contains("content-type: " + got.header("content-type"))
                    .contains("x-chat-data-hmac-sha256: " + got.header("x-chat-data-hmac-sha256").substring(0, 6) + "…")
                    .contains("webhook-signature: " + shortened(got.header("webhook-signature")));
        }
        // Before the rotation the one signature was by the old secret; after it, by the new and the old.
        assertThat(received(receiver, beforeRotation).header("webhook-signature").split(" ")).hasSize(1);
        assertThat(received(receiver, afterRotation).header("webhook-signature").split(" ")).hasSize(2);
        assertThat(headersShown(beforeRotation))
                .doesNotContain(shortened(received(receiver, afterRotation).header("webhook-signature")).split(" ")[0]);
    }

    @Test
    @Order(6)
    void deletesAnEndpointAfterConfirmingAndFreesItsSlot() {
        String third = createEndpoint(receiver.url("/third").toString(), "Third", ALL_EVENTS);
        driver.get(chatwire.baseUrl() + "/#/webhooks");
        driver.navigate().refresh();
        WebElement card = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot")));
        wait.until(d -> card.getText().contains("3 of 3 used"));
        assertThat(card.getText()).contains("All 3 endpoints of this chatbot are in use");

        // Cancelled: nothing happens.
        endpointItem(warehouse).findElement(By.cssSelector(".delete-endpoint")).click();
        WebElement confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.confirm[open]")));
        assertThat(confirm.getText()).contains("Delete this endpoint?").contains(flaky.url("/warehouse").toString());
        confirm.findElement(By.xpath(".//button[normalize-space()='Cancel']")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog.confirm[open]")));
        assertThat(account.api().get("/v1/endpoints/" + warehouse).status()).isEqualTo(200);

        endpointItem(warehouse).findElement(By.cssSelector(".delete-endpoint")).click();
        confirm = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.confirm[open]")));
        confirm.findElement(By.xpath(".//button[normalize-space()='Delete endpoint']")).click();
        wait.until(d -> d.findElements(By.cssSelector(".endpoint[data-endpoint-id='" + warehouse + "']")).isEmpty());
        wait.until(d -> card.getText().contains("2 of 3 used"));
        assertThat(account.api().get("/v1/endpoints/" + warehouse).status()).isEqualTo(404);

        // The slot is free: a new endpoint can be added in the page (the toast of the delete, which
        // would cover the form's buttons for 5 s, dismissed first).
        browser.js("document.querySelectorAll('.toast').forEach((t) => t.remove())");
        browser.click(By.cssSelector(".chatbot .add-endpoint"));
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .endpoint-form")));
        browser.byLabel(form, "Endpoint URL").sendKeys(receiver.url("/replacement").toString());
        form.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(d -> card.getText().contains("3 of 3 used") && card.getText().contains("/replacement"));
        assertThat(account.api().get("/v1/endpoints/" + third).status()).isEqualTo(200);
        browser.shot("actions-05-deleted");

        // The refused stream of step 4 (429) is expected; nothing else went wrong in the page.
        assertThat(browser.consoleErrors("(?s).*Failed to load resource: the server responded with a status of 429.*"))
                .as("errors in the browser console").isEmpty();
    }

    // --- helpers --------------------------------------------------------------------------------

    private String createEndpoint(String url, String description, String events) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":" + events + ",\"description\":\"" + description + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    private WebElement endpointItem(String id) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".endpoint[data-endpoint-id='" + id + "']")));
    }

    private void openDeliveries() {
        browser.click(By.cssSelector(".mainnav a[data-route='deliveries']"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#delivery-log .log-row")));
    }

    private String lead(String uuid) {
        return "{\"event\":\"lead-submission\",\"chatbot_id\":\"" + chatbot + "\",\"lead\":{\"uuid\":\"" + uuid + "\"}}";
    }

    private static TestReceiver.Received received(TestReceiver at, String eventId) {
        return await().atMost(WAIT).until(() -> at.received().stream()
                .filter(r -> eventId.equals(r.header("webhook-id"))).findFirst().orElse(null), r -> r != null);
    }

    private String deliveryStatus(String eventId, String endpointId) {
        for (JsonNode d : account.api().get("/v1/events/" + eventId + "/deliveries").json().path("data")) {
            if (d.path("endpoint_id").asText().equals(endpointId)) {
                return d.path("status").asText();
            }
        }
        return "none";
    }

    /** Opens the details of the event's delivered attempt to the CRM endpoint; answers the headers shown. */
    private String headersShown(String eventId) {
        WebElement row = wait.until(d -> d.findElements(By.cssSelector(
                "#delivery-log .log-row.outcome-delivered[data-event-id='" + eventId + "']")).stream()
                .findFirst().orElse(null));
        row.click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.details[open]")));
        WebElement headers = wait.until(d -> dialog.findElement(By.cssSelector("pre.headers")));
        wait.until(d -> headers.getText().contains("webhook-signature"));
        String text = headers.getText();
        if (eventId.equals(beforeRotation)) {
            browser.shot("actions-04-signatures-before-the-rotation");
        }
        dialog.sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog.details")));
        return text;
    }

    /** Requests the page made to the attempt list (GET /v1/attempts?...), from the browser's resource timing. */
    private long attemptListRequests() {
        return ((Number) browser.js("return performance.getEntriesByType('resource')"
                + ".filter((e) => new URL(e.name).pathname === '/v1/attempts').length")).longValue();
    }

    /** "v1,abc… v1,def…": each signature's first six characters, as the attempt log keeps them. */
    private static String shortened(String header) {
        StringBuilder sb = new StringBuilder();
        for (String signature : header.split(" ")) {
            sb.append(sb.isEmpty() ? "" : " ").append(signature, 0, 9).append('…');
        }
        return sb.toString();
    }
}
