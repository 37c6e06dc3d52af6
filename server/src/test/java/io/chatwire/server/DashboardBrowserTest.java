package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.Axe;
import io.chatwire.testing.Browser;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by its chromedriver. One
 * account's journey, step by step (the steps share the browser and build on each other): sign in,
 * add an endpoint pointing at a receiver on loopback, send a test event and see it in the live log,
 * switch the endpoint's content type, reveal and rotate the secret, hit the endpoint limit, open a delivery's details, see charts with
 * data, and use it all at phone width. Screenshots of every page go to target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DashboardBrowserTest {
    private RunningChatwire chatwire;
    private TestReceiver receiver;
    private TestReceiver failingReceiver;
    private TestAccount account;
    private String chatbot;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private String rotatedSecret;

    @BeforeAll
    void start() throws IOException {
        chatwire = RunningChatwire.start();
        receiver = TestReceiver.start();
        failingReceiver = TestReceiver.start().answering(TestReceiver.Answer.status(503).withBody("down for maintenance"));
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);

        browser = Browser.start();
        driver = browser.driver();
        wait = browser.await();
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (failingReceiver != null) {
            failingReceiver.close();
        }
        if (chatwire != null) {
            chatwire.close();
        }
    }

    @Test
    @Order(1)
    void signsInWithAnApiKeyKeptInTheSessionOnly() {
        driver.get(chatwire.baseUrl() + "/");
        WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        assertThat(label("api-key")).isEqualTo("Account API key");
        shot("01-sign-in");

        key.sendKeys("cwk_not-a-real-key-0000000000", Keys.ENTER);
        assertThat(alertText(By.cssSelector(".signin-card"))).contains("not accepted").contains("the token is not valid");

        key.clear();
        key.sendKeys(account.apiKey(), Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("who-name"), "Test standard"));
        assertThat(driver.findElement(By.id("who-plan")).getText()).isEqualTo("Standard plan");
        assertThat(driver.getCurrentUrl()).doesNotContain(account.apiKey()).endsWith("#/webhooks");
        assertThat(js("return sessionStorage.getItem('chatwire.apiKey')")).isEqualTo(account.apiKey());
        assertThat(js("return localStorage.length + document.cookie.length")).isEqualTo(0L);
    }

    @Test
    @Order(2)
    void addsAnEndpointAndSendsATestEvent() {
        WebElement card = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".chatbot[data-chatbot-id='" + chatbot + "']")));
        wait.until(d -> card.getText().contains("No endpoints yet"));
        assertThat(card.getText()).contains("0 of 3 used");

        addEndpoint(receiver.url("/hooks/1").toString(), "CRM sync");
        WebElement endpoint = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".endpoint")));
        assertThat(endpoint.getText()).contains(receiver.url("/hooks/1").toString()).contains("Healthy").contains("CRM sync")
                .contains("Sent as text/plain; charset=utf-8");
        wait.until(d -> card.getText().contains("1 of 3 used"));
        assertThat(driver.findElement(By.id("plan-usage")).getText()).contains("Support bot").contains("1 of 3 used");

        endpoint.findElement(By.cssSelector(".send-test")).click();
        WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".test-result")));
        assertThat(result.getText()).contains("Test event delivered").contains("HTTP 200");
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().getFirst().header("x-chat-data-topic")).isEqualTo("chat");
        assertThat(receiver.received().getFirst().header("content-type")).isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    @Order(3)
    void switchesTheEndpointToApplicationJson() {
        // The toast of the add can cover the form's buttons until it goes (after 5 seconds).
        wait.until(d -> d.findElements(By.cssSelector(".toast")).isEmpty());
        WebElement endpoint = driver.findElement(By.cssSelector(".endpoint"));
        String id = endpoint.getAttribute("data-endpoint-id");
        endpoint.findElement(By.cssSelector(".edit-endpoint")).click();
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".is-editing .endpoint-form")));
        Select contentType = new Select(byLabel(form, "Content type"));
        assertThat(contentType.getFirstSelectedOption().getAttribute("value")).isEqualTo("text/plain");
        Axe.assertNoViolations(browser, "the endpoint edit form");

        contentType.selectByValue("application/json");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        WebElement saved = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".endpoint[data-endpoint-id='" + id + "']")));
        wait.until(d -> saved.getText().contains("Sent as application/json"));
        assertThat(account.api().get("/v1/endpoints/" + id).text("content_type")).isEqualTo("application/json");
        saved.findElement(By.cssSelector(".send-test")).click();
        wait.until(d -> receiver.count() == 2);
        assertThat(receiver.received().get(1).header("content-type")).isEqualTo("application/json");
    }

    @Test
    @Order(4)
    void revealsAndRotatesTheSigningSecret() {
        WebElement secret = driver.findElement(By.id("signing-secret"));
        assertThat(secret.getText()).startsWith("whsec_•").doesNotContain(account.signingSecret());

        click(By.id("reveal-secret"));
        wait.until(ExpectedConditions.textToBe(By.id("signing-secret"), account.signingSecret()));
        assertThat(driver.findElement(By.id("reveal-secret")).getAttribute("aria-pressed")).isEqualTo("true");
        assertThat(driver.findElement(By.id("secret-expiry")).isDisplayed()).isFalse();

        click(By.id("rotate-secret"));
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.confirm[open]")));
        Axe.assertNoViolations(browser, "the rotation's confirmation dialog");
        dialog.findElement(By.xpath(".//button[normalize-space()='Rotate secret']")).click();
        wait.until(d -> !secret.getText().equals(account.signingSecret()));
        rotatedSecret = secret.getText();
        assertThat(rotatedSecret).startsWith("whsec_").isEqualTo(account.api().get("/v1/account/signing-secret").text("signing_secret"));
        WebElement expiry = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret-expiry")));
        assertThat(expiry.getText()).contains("previous secret keeps working until");
        shot("02-webhooks");
    }

    @Test
    @Order(5)
    void refusesTheFourthEndpointAndSaysWhy() {
        addEndpoint(receiver.url("/hooks/2").toString(), "");
        wait.until(d -> d.findElements(By.cssSelector(".endpoint")).size() == 2);
        addEndpoint(failingReceiver.url("/hooks/3").toString(), "Data warehouse");
        wait.until(d -> d.findElements(By.cssSelector(".endpoint")).size() == 3);
        WebElement card = driver.findElement(By.cssSelector(".chatbot"));
        wait.until(d -> card.getText().contains("3 of 3 used"));

        addEndpoint(receiver.url("/hooks/4").toString(), "One too many");
        String error = alertText(By.cssSelector(".chatbot .endpoint-form"));
        assertThat(error).contains("already has 3 of 3 endpoints").contains("delete one first");
        assertThat(driver.findElements(By.cssSelector(".endpoint"))).hasSize(3);
        shot("03-endpoint-limit");
        click(By.xpath("//form[contains(@class,'endpoint-form')]//button[normalize-space()='Cancel']"));
    }

    @Test
    @Order(6)
    void showsTheTestAttemptAndNewAttemptsLiveInTheLog() {
        click(By.cssSelector(".mainnav a[data-route='deliveries']"));
        WebElement first = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#delivery-log .log-row")));
        assertThat(first.getText()).contains("Delivered").contains("test").contains("HTTP 200");
        int before = rows();
        js("window.__sameDocument = true");

        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "How do I connect Slack?"));
        // Three endpoints are subscribed: three attempts appear without a reload.
        wait.until(d -> rows() >= before + 3);
        assertThat(js("return window.__sameDocument === true")).isEqualTo(true);
        WebElement newest = driver.findElement(By.cssSelector("#delivery-log .log-row"));
        assertThat(newest.getAttribute("data-event-id")).isEqualTo(eventId);
        await().atMost(Browser.WAIT).until(() -> receiver.received().stream().filter(r -> eventId.equals(r.header("webhook-id"))).count() == 2);

        // Filters: only delivered attempts (the third endpoint answers 503, so the log has retries too).
        new Select(driver.findElement(By.id("filter-status"))).selectByValue("delivered");
        wait.until(d -> d.findElements(By.cssSelector("#delivery-log .log-row.outcome-retry, #delivery-log .log-row.outcome-failed")).isEmpty()
                && !d.findElements(By.cssSelector("#delivery-log .log-row.outcome-delivered")).isEmpty());
        new Select(driver.findElement(By.id("filter-status"))).selectByValue("");
        wait.until(d -> rows() >= before + 3);
        shot("04-deliveries");

        // Details of a delivered attempt of that event: payload, headers (signatures truncated), attempts.
        WebElement row = driver.findElements(By.cssSelector("#delivery-log .log-row.outcome-delivered")).stream()
                .filter(r -> eventId.equals(r.getAttribute("data-event-id"))).findFirst().orElseThrow();
        row.click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.details[open]")));
        wait.until(d -> dialog.getText().contains("How do I connect Slack?"));
        WebElement headers = dialog.findElement(By.cssSelector("pre.headers"));
        wait.until(d -> headers.getText().matches("(?s).*webhook-signature: v1,[A-Za-z0-9+/]{6}….*"));
        String shown = headers.getText();
        assertThat(shown).contains("x-chat-data-topic: chat").contains("webhook-id: " + eventId)
                .doesNotContain(rotatedSecret);
        String path = dialog.findElement(By.cssSelector(".headers-box p code")).getText().replaceFirst("^http://[^/]+", "");
        TestReceiver.Received sent = receiver.received().stream()
                .filter(r -> eventId.equals(r.header("webhook-id")) && r.path().equals(path)).findFirst().orElseThrow();
        assertThat(shown).contains("content-type: " + sent.header("content-type"))
                .contains("webhook-timestamp: " + sent.header("webhook-timestamp"))
                .contains("webhook-signature: " + sent.header("webhook-signature").substring(0, 9) + "…")
                .contains("x-chat-data-hmac-sha256: " + sent.header("x-chat-data-hmac-sha256").substring(0, 6) + "…");
        assertThat(dialog.findElements(By.cssSelector("table.attempts tbody tr"))).isNotEmpty();
        shot("05-delivery-details");

        int received = receiver.count();
        WebElement delivery = dialog.findElements(By.cssSelector(".delivery")).stream()
                .filter(d -> d.getText().contains(path)).findFirst().orElseThrow();
        delivery.findElement(By.cssSelector(".resend")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toasts"), "Resending"));
        await().atMost(Browser.WAIT).until(() -> receiver.count() > received);
        dialog.sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog.details")));
    }

    @Test
    @Order(7)
    void countsOneChatInTheSingular() {
        // One chat so far (step 6's event; the test events of steps 2 and 3 are not usage).
        click(By.cssSelector(".mainnav a[data-route='analytics']"));
        WebElement chart = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//figure[.//*[normalize-space()='Chats per day by source']]")));
        wait.until(d -> chart.findElement(By.cssSelector(".chart-desc")).getText().startsWith("1 chat from "));
        assertThat(driver.findElement(By.cssSelector(".kpis")).getText()).contains("Chats\n1");
        assertThat(driver.findElement(By.cssSelector(".page-analytics")).getText()).doesNotContainPattern("\\b1 chats\\b");
    }

    @Test
    @Order(8)
    void drawsChartsFromTheAnalytics() {
        for (String source : List.of("widget", "widget", "widget", "slack", "slack", "api")) {
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Hello from " + source)
                    .replace("\"source\":\"widget\"", "\"source\":\"" + source + "\""));
        }
        chatwire.postEvent("{\"event\":\"lead-submission\",\"chatbot_id\":\"" + chatbot + "\",\"lead\":{\"uuid\":\"u-1\"}}");
        chatwire.postEvent("{\"event\":\"live-chat-escalation\",\"chatbot_id\":\"" + chatbot + "\",\"source\":\"slack\"}");
        JsonNode usage = account.api().get("/v1/analytics/usage").json();
        long chats = usage.path("totals").path("chats").asLong();
        assertThat(chats).isEqualTo(7);

        // Already on the analytics page (step 7): Show loads it again.
        click(By.xpath("//button[normalize-space()='Show']"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".kpis"), "Chats\n7"));
        WebElement chart = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//figure[.//*[normalize-space()='Chats per day by source']]")));
        wait.until(d -> !chart.findElements(By.cssSelector("svg rect.bar")).isEmpty());
        assertThat(chart.findElements(By.cssSelector("svg rect.bar")).size()).isGreaterThanOrEqualTo(3); // widget, slack, api
        assertThat(chart.findElement(By.cssSelector(".legend")).getText()).contains("widget").contains("slack").contains("api");
        assertThat(driver.findElement(By.cssSelector(".kpis")).getText()).contains("Chats\n7");
        WebElement leads = driver.findElement(By.xpath("//figure[.//*[normalize-space()='Leads and escalations per day']]"));
        assertThat(leads.findElements(By.cssSelector("svg rect.bar"))).hasSize(2); // today: 1 lead, 1 escalation
        WebElement trend = driver.findElement(By.xpath("//figure[.//*[normalize-space()='Delivery success rate per day']]"));
        assertThat(trend.findElements(By.cssSelector("svg circle.dot"))).hasSize(1); // only today had attempts
        WebElement latency = driver.findElement(By.xpath("//figure[.//*[normalize-space()='Delivery latency per endpoint']]"));
        assertThat(latency.findElements(By.cssSelector("svg rect.bar"))).hasSize(6); // 3 endpoints × p50, p95
        WebElement rate = driver.findElement(By.xpath("//figure[.//*[normalize-space()='Delivery success rate per endpoint']]"));
        assertThat(rate.findElements(By.cssSelector("svg text.bar-value")).stream().map(e -> e.getAttribute("textContent")))
                .containsExactly("100 %", "100 %", "0 %");
        // Success is coloured by band, and named in each mark's title: the failing endpoint is red, not green.
        assertThat(rate.findElements(By.cssSelector("svg rect.bar.rate-good"))).hasSize(2);
        WebElement failing = rate.findElement(By.cssSelector("svg rect.bar.rate-bad"));
        assertThat(failing.getCssValue("fill")).isEqualTo("rgb(201, 42, 42)"); // --bad
        assertThat(failing.findElement(By.tagName("title")).getAttribute("textContent")).endsWith("0 % (poor)");
        // Today's rate: the third endpoint fails every attempt, so well below 90 %.
        WebElement today = trend.findElement(By.cssSelector("svg circle.dot"));
        assertThat(today.getAttribute("class")).isEqualTo("dot rate-bad");
        assertThat(today.findElement(By.tagName("title")).getAttribute("textContent")).endsWith("(poor)");
        assertThat(rate.findElement(By.cssSelector(".legend")).getText()).contains("below 90 %: poor");
        shot("06-analytics");

        // An API refusal in words: a range that ends before it starts.
        js("document.getElementById('analytics-from').value = '2026-03-10';"
                + "document.getElementById('analytics-to').value = '2026-03-01';");
        click(By.xpath("//button[normalize-space()='Show']"));
        assertThat(alertText(By.cssSelector(".page-analytics"))).contains("from must not be after to");
    }

    @Test
    @Order(9)
    void worksAtPhoneWidth() {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        try {
            for (String page : List.of("webhooks", "deliveries", "analytics")) {
                driver.get(chatwire.baseUrl() + "/#/" + page);
                // A real reload: the key survives it in the same tab (sessionStorage).
                driver.navigate().refresh();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-" + page + " h1")));
                switch (page) {
                    case "webhooks" -> wait.until(d -> d.findElements(By.cssSelector(".endpoint")).size() == 3);
                    case "deliveries" -> wait.until(d -> !d.findElements(By.cssSelector("#delivery-log .log-row")).isEmpty());
                    default -> wait.until(d -> !d.findElements(By.cssSelector("svg rect.bar")).isEmpty());
                }
                assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue())
                        .as("%s page is not wider than the phone", page).isLessThanOrEqualTo(390);
                shot("07-phone-" + page, 2400);
            }
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Test
    @Order(10)
    void readsAsWellInTheDarkColourScheme() {
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        try {
            for (String page : List.of("webhooks", "deliveries", "analytics")) {
                driver.get(chatwire.baseUrl() + "/#/" + page);
                driver.navigate().refresh();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-" + page + " h1")));
                wait.until(d -> d.findElements(By.cssSelector(".spinner, .loading")).isEmpty());
                shot("08-dark-" + page);
            }
        } finally {
            driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        }
    }

    @Test
    @Order(11)
    void signsOutAndForgetsTheKey() {
        click(By.id("sign-out"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        assertThat(js("return sessionStorage.getItem('chatwire.apiKey')")).isNull();
        Axe.assertNoViolations(browser, "the sign-in form after signing out");

        // The refusals this test provokes on purpose (bad key, 4th endpoint, bad range) are expected.
        List<String> problems = browser.consoleErrors(
                "(?s).*Failed to load resource: the server responded with a status of (400|401|409).*");
        assertThat(problems).as("errors in the browser console").isEmpty();
    }

    // --- helpers --------------------------------------------------------------------------------

    private void addEndpoint(String url, String description) {
        click(By.cssSelector(".chatbot .add-endpoint"));
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .endpoint-form")));
        WebElement urlInput = byLabel(form, "Endpoint URL");
        assertThat(driver.switchTo().activeElement()).as("focus moves to the URL field").isEqualTo(urlInput);
        urlInput.sendKeys(url);
        byLabel(form, "Description").sendKeys(description);
        assertThat(form.findElements(By.cssSelector("input[type=checkbox]:checked"))).hasSize(3);
        assertThat(new Select(byLabel(form, "Content type")).getFirstSelectedOption().getAttribute("value"))
                .as("new endpoints default to the Chat Data compatible content type").isEqualTo("text/plain");
        assertThat(form.getText()).contains("text/plain works with Chat Data's example receiver");
        Axe.assertNoViolations(browser, "the add-endpoint form");
        form.findElement(By.cssSelector("button[type=submit]")).click();
    }

    private WebElement byLabel(WebElement scope, String text) {
        return browser.byLabel(scope, text);
    }

    private String label(String id) {
        return driver.findElement(By.cssSelector("label[for='" + id + "']")).getText();
    }

    private String alertText(By scope) {
        By alert = By.cssSelector("[role=alert]:not([hidden])");
        wait.until(d -> d.findElement(scope).findElements(alert).stream().anyMatch(e -> !e.getText().isBlank()));
        return driver.findElement(scope).findElements(alert).stream().map(WebElement::getText)
                .filter(t -> !t.isBlank()).findFirst().orElseThrow();
    }

    private void click(By by) {
        browser.click(by);
    }

    private int rows() {
        return driver.findElements(By.cssSelector("#delivery-log .log-row")).size();
    }

    private Object js(String script) {
        return browser.js(script);
    }

    /** A screenshot of each view, and its accessibility audit. */
    private void shot(String name) {
        browser.shot(name);
        Axe.assertNoViolations(browser, name);
    }

    private void shot(String name, int maxHeight) {
        browser.shot(name, maxHeight);
        Axe.assertNoViolations(browser, name);
    }
}
