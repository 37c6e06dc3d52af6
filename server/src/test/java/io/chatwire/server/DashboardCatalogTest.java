package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.event.EventSchemas;
import io.chatwire.event.EventType;
import io.chatwire.testing.Browser;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The event catalog in the dashboard: "What my endpoint will receive" shows each type's description
 * and example, and "Send test event" sends the type picked beside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DashboardCatalogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunningChatwire chatwire;
    private TestReceiver receiver;
    private TestAccount account;
    private String chatbot;
    private String endpoint;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    void start() throws Exception {
        chatwire = RunningChatwire.start();
        receiver = TestReceiver.start();
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
        endpoint = chatwire.createEndpoint(account, chatbot, receiver.url("/hooks").toString(), "[\"chat\"]", true);
        browser = Browser.start();
        driver = browser.driver();
        wait = browser.await();
        driver.get(chatwire.baseUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys(account.apiKey(), Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("who-name"), "Test standard"));
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable started : new AutoCloseable[] {browser, receiver, chatwire}) {
            if (started != null) {
                started.close();
            }
        }
    }

    @Test
    void showsWhatAnEndpointWillReceiveForEachTypeAndSendsThePickedTypeAsATestEvent() throws Exception {
        WebElement item = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".endpoint[data-endpoint-id='" + endpoint + "']")));
        WebElement picker = browser.byLabel(item, "Event type of the test event");
        assertThat(new Select(picker).getOptions()).extracting(WebElement::getText)
                .containsExactly("Chat", "Lead submission", "Live chat escalation");
        new Select(picker).selectByVisibleText("Lead submission");

        item.findElement(By.cssSelector(".show-catalog")).click();
        WebElement panel = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.catalog[open]")));
        assertThat(panel.findElement(By.tagName("h2")).getText()).isEqualTo("What my endpoint will receive");
        wait.withMessage(() -> "the three event types in: " + panel.getAttribute("outerHTML"))
                .until(d -> panel.findElements(By.cssSelector(".catalog-type")).size() == 3);
        // The type picked for the endpoint is the one shown open.
        assertThat(panel.findElements(By.cssSelector(".catalog-type[open]"))).extracting(e -> e.getAttribute("data-event-type"))
                .containsExactly("lead-submission");
        for (EventType type : EventType.values()) {
            WebElement entry = panel.findElement(By.cssSelector(".catalog-type[data-event-type='" + type.wireName() + "']"));
            if (entry.getAttribute("open") == null) {
                entry.findElement(By.tagName("summary")).click();
            }
            assertThat(entry.findElement(By.cssSelector(".catalog-description")).getText())
                    .isEqualTo(EventSchemas.bundled().description(type));
            assertThat(JSON.readTree(entry.findElement(By.cssSelector(".catalog-example")).getText()))
                    .isEqualTo(EventSchemas.bundled().example(type));
        }
        browser.shot("catalog-what-my-endpoint-will-receive");
        panel.findElement(By.xpath(".//button[normalize-space()='Close']")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("dialog.catalog"), 0));

        item.findElement(By.cssSelector(".send-test")).click();

        WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".test-result")));
        assertThat(result.getText()).contains("Test event delivered");
        TestReceiver.Received got = receiver.received().getLast();
        assertThat(got.header("x-chat-data-topic")).isEqualTo("lead-submission");
        JsonNode body = JSON.readTree(got.body());
        assertThat(body).isEqualTo(EventSchemas.bundled().example(EventType.LEAD_SUBMISSION).put("chatbot_id", chatbot));
        // The choice stays after the card re-renders with the result, for the next test event.
        assertThat(new Select(browser.byLabel(driver.findElement(
                By.cssSelector(".endpoint[data-endpoint-id='" + endpoint + "']")), "Event type of the test event"))
                .getFirstSelectedOption().getText()).isEqualTo("Lead submission");
        browser.shot("catalog-test-event-by-type");
        assertThat(browser.consoleErrors("^$")).isEqualTo(List.of());
    }
}
