package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.Browser;
import io.chatwire.testing.OrderedReceiver;
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
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The ordering setting in the endpoint form, and a conversation held behind a failing delivery shown
 * on its endpoint and released from there, in a real browser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(90)
class DashboardOrderingTest {
    private RunningChatwire chatwire;
    private TestReceiver receiver;
    private TestAccount account;
    private String chatbot;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    void start() throws IOException {
        // A failed attempt is retried only after ten minutes: the conversation stays held meanwhile.
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_RETRY_SCHEDULE", "0s,10m"));
        receiver = TestReceiver.start().answering(n -> TestReceiver.Answer.status(n == 1 ? 503 : 200));
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
    }

    @Test
    @Order(1)
    void addsAnEndpointOrderedByConversation() {
        driver.get(chatwire.baseUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys(account.apiKey(), Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .add-endpoint")));
        browser.click(By.cssSelector(".chatbot .add-endpoint"));
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .endpoint-form")));
        browser.byLabel(form, "Endpoint URL").sendKeys(receiver.url().toString());
        Select ordering = new Select(browser.byLabel(form, "Ordering"));
        assertThat(ordering.getFirstSelectedOption().getAttribute("value")).as("the default").isEqualTo("none");
        assertThat(form.getText()).contains("x-chatwire-sequence");
        ordering.selectByValue("conversation");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        WebElement endpoint = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".endpoint")));
        wait.until(d -> endpoint.getText().contains("Ordered per conversation."));
        String id = endpoint.getAttribute("data-endpoint-id");
        assertThat(account.api().get("/v1/endpoints/" + id).text("ordering")).isEqualTo("conversation");

        wait.until(d -> d.findElements(By.cssSelector(".toast")).isEmpty());
        endpoint.findElement(By.cssSelector(".edit-endpoint")).click();
        WebElement edit = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".is-editing .endpoint-form")));
        assertThat(new Select(browser.byLabel(edit, "Ordering")).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("conversation");
        edit.findElement(By.xpath(".//button[normalize-space()='Cancel']")).click();
    }

    @Test
    @Order(2)
    void showsAHeldConversationAndReleasesIt() {
        for (int i = 1; i <= 3; i++) {
            chatwire.postEvent(OrderedReceiver.event(chatbot, "conv-held", i));
        }
        await().atMost(Browser.WAIT).until(() -> receiver.count() == 1);
        driver.navigate().refresh();
        WebElement held = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".held-item[data-conversation-id='conv-held']")));
        assertThat(held.getText()).contains("conv-held").contains("2 waiting since").contains("head tried 1 time");
        assertThat(driver.findElement(By.cssSelector(".held-summary")).getText()).contains("1 held");
        browser.shot("ordering-held");

        held.findElement(By.cssSelector(".release-conversation")).click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog.confirm[open]")));
        assertThat(dialog.getText()).contains("position 1").contains("the 2 behind it go on");
        dialog.findElement(By.xpath(".//button[normalize-space()='Release']")).click();

        await().atMost(Browser.WAIT).until(() -> receiver.count() == 3);
        wait.until(d -> d.findElements(By.cssSelector(".held-item")).isEmpty());
        assertThat(receiver.received().stream().skip(1).map(r -> r.header("x-chatwire-sequence")).toList())
                .containsExactly("2", "3");
        List<String> problems = browser.consoleErrors("(?s).*Failed to load resource: the server responded with a status of 40[0-9].*");
        assertThat(problems).as("errors in the browser console").isEmpty();
    }
}
