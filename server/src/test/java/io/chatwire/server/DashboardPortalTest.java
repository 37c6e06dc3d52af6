package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.Axe;
import io.chatwire.testing.Browser;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The customer portal as a platform embeds it: a page on another loopback origin (another port)
 * puts a portal link its backend asked for into an iframe. Inside the frame the customer adds an
 * endpoint, sends a test event to a real receiver and signs out; the link is refused the second time; a
 * read-only session offers no changes and the server refuses them; and once the session expires
 * the frame says so. Every view is audited with axe-core.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DashboardPortalTest {
    private HttpServer platform;
    private RunningChatwire chatwire;
    private TestReceiver receiver;
    private TestAccount account;
    private String chatbot;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private String firstLink;

    @BeforeAll
    void start() throws IOException {
        platform = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        platform.createContext("/settings", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            String src = URLDecoder.decode(query.substring("src=".length()), StandardCharsets.UTF_8);
            byte[] page = platformPage(src).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        platform.start();
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_PORTAL_FRAME_ANCESTORS", platformOrigin()));
        receiver = TestReceiver.start();
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
        if (chatwire != null) {
            chatwire.close();
        }
        if (platform != null) {
            platform.stop(0);
        }
    }

    private String platformOrigin() {
        return "http://127.0.0.1:" + platform.getAddress().getPort();
    }

    /** The platform's own Settings page, with the portal in a frame. */
    private static String platformPage(String src) {
        String escaped = src.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Settings · Example platform</title></head>
                <body>
                  <main>
                    <h1>Settings</h1>
                    <iframe id="portal" title="Webhook settings" src="%s" width="1200" height="820"
                            style="border: 0"></iframe>
                  </main>
                </body>
                </html>
                """.formatted(escaped);
    }

    private String newLink(String body) {
        ApiClient.Response r = chatwire.operator().post("/v1/accounts/" + account.id() + "/portal-sessions", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("url");
    }

    /** Opens the platform's page with this link in its frame, and switches the driver into the frame. */
    private void openInFrame(String url) {
        driver.switchTo().defaultContent();
        driver.get(platformOrigin() + "/settings?src=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
        wait.until(ExpectedConditions.frameToBeAvailableAndSwitchToIt(By.id("portal")));
    }

    /** Read in one script: the page re-renders while the session ends, so element handles go stale. */
    private boolean showsHeading(String text) {
        return Boolean.TRUE.equals(browser.js(
                "return [...document.querySelectorAll('h1')].some((h) => h.textContent === arguments[0])", text));
    }

    private void audit(String what) {
        Axe.assertNoViolations(browser, what);
    }

    private void shotOfPlatformPage(String name) {
        driver.switchTo().defaultContent();
        browser.shot(name);
        driver.switchTo().frame(driver.findElement(By.id("portal")));
    }

    @Test
    @Order(1)
    void theEmbeddedPortalAddsAnEndpointSendsATestEventAndSignsOut() {
        firstLink = newLink("{\"ttl\":\"15m\"}");
        openInFrame(firstLink + "&brand=%23204080");

        WebElement card = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".chatbot[data-chatbot-id='" + chatbot + "']")));
        assertThat((String) browser.js("return location.href")).doesNotContain("token").endsWith("/portal/?brand=%23204080#/webhooks");
        assertThat(browser.js("return document.cookie")).as("the session cookie is HttpOnly").isEqualTo("");
        assertThat(driver.findElement(By.id("who-name")).getText()).isEqualTo("Test standard");
        assertThat(driver.findElement(By.tagName("body")).getText()).doesNotContain("API key");
        wait.until(d -> card.getText().contains("No endpoints yet"));
        audit("portal webhooks, empty");

        browser.click(By.cssSelector(".chatbot .add-endpoint"));
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .endpoint-form")));
        browser.byLabel(form, "Endpoint URL").sendKeys(receiver.url("/portal-hook").toString());
        audit("portal endpoint form");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement endpoint = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".endpoint")));
        assertThat(endpoint.getText()).contains(receiver.url("/portal-hook").toString());
        assertThat(browser.js("return getComputedStyle(document.querySelector('.add-endpoint')).backgroundColor"))
                .as("the brand colour").isEqualTo("rgb(32, 64, 128)");

        endpoint.findElement(By.cssSelector(".send-test")).click();
        WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".test-result")));
        assertThat(result.getText()).contains("Test event delivered");
        assertThat(receiver.received()).hasSize(1);
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().path("data")).hasSize(1);
        wait.until(d -> d.findElements(By.cssSelector(".toast")).isEmpty());
        audit("portal webhooks, one endpoint");
        shotOfPlatformPage("portal-01-embedded-webhooks");

        for (String page : List.of("deliveries", "analytics")) {
            browser.click(By.cssSelector(".mainnav a[data-route='" + page + "']"));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".page-" + page + " h1")));
            if (page.equals("deliveries")) {
                wait.until(d -> !d.findElements(By.cssSelector("#delivery-log .log-row")).isEmpty());
            } else {
                wait.until(d -> d.findElements(By.cssSelector(".loading, .spinner")).isEmpty());
            }
            audit("portal " + page);
        }
        shotOfPlatformPage("portal-02-embedded-analytics");

        browser.click(By.id("sign-out"));
        await().atMost(Duration.ofSeconds(10)).until(() -> showsHeading("You are signed out"));
        Object after = driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/portal/session', {credentials: 'same-origin'}).then((r) => done(r.status));
                """);
        assertThat(after).as("the session ended on the server").isEqualTo(401L);
        audit("portal signed out");
    }

    @Test
    @Order(2)
    void aSecondLoadOfTheSameLinkIsRefused() {
        openInFrame(firstLink);

        WebElement heading = wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
        assertThat(heading.getText()).isEqualTo("This link can no longer be used");
        assertThat(driver.findElements(By.id("topbar"))).isEmpty();
        audit("portal link refused");
        shotOfPlatformPage("portal-03-link-refused");
    }

    @Test
    @Order(3)
    void aReadOnlySessionOffersNoChangesAndTheServerRefusesThem() {
        openInFrame(newLink("{\"read_only\":true,\"chatbot_id\":\"" + chatbot + "\"}") + "&appearance=dark&header=hidden");

        WebElement endpoint = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".endpoint")));
        assertThat(driver.findElement(By.cssSelector(".mainnav")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.cssSelector(".brand")).isDisplayed()).as("header=hidden").isFalse();
        for (String control : List.of(".send-test", ".edit-endpoint", ".delete-endpoint", ".toggle-endpoint", ".add-endpoint",
                "#rotate-secret")) {
            assertThat(driver.findElements(By.cssSelector(control))).as(control)
                    .allSatisfy(e -> assertThat(e.isDisplayed()).as(control).isFalse());
        }
        assertThat(endpoint.getText()).contains(receiver.url("/portal-hook").toString());
        Object refused = driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/portal/api/v1/endpoints/' + arguments[0] + '/test', {method: 'POST', credentials: 'same-origin'})
                  .then(async (r) => done(r.status + ' ' + (await r.json()).error));
                """, endpoint.getAttribute("data-endpoint-id"));
        assertThat(refused).isEqualTo("403 read_only_session");
        assertThat(receiver.received()).hasSize(1);
        audit("portal read-only, dark");
        shotOfPlatformPage("portal-04-read-only-dark");
    }

    @Test
    @Order(4)
    void afterExpiryTheFrameSaysTheSessionExpired() {
        openInFrame(newLink("{\"ttl\":\"10s\"}"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".endpoint")));

        await().atMost(Duration.ofSeconds(30)).until(() -> showsHeading("Your session has expired"));
        assertThat(driver.findElement(By.tagName("main")).getText())
                .contains("Open the webhook settings again from your platform");
        audit("portal session expired");
        shotOfPlatformPage("portal-05-session-expired");

        // A reload of the frame cannot bring the session back.
        browser.js("location.reload()");
        await().atMost(Duration.ofSeconds(10)).until(() -> showsHeading("Your session has expired"));

        driver.switchTo().defaultContent();
        audit("platform page with the portal frame");
        List<String> problems = browser.consoleErrors(
                "(?s).*Failed to load resource: the server responded with a status of (401|403|410).*");
        assertThat(problems).as("errors in the browser console").isEmpty();
    }
}
