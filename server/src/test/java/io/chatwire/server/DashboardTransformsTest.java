package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.Browser;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The endpoint form's filter and transform editor in a real browser: a broken transform is shown
 * with where it went wrong, a good one is previewed over the example event, saved, and a test event
 * then reaches the receiver as the transform made it, signed over those bytes.
 */
@Timeout(120)
class DashboardTransformsTest {

    @Test
    void writesPreviewsAndSavesAFilterAndTransformThenTheTestEventArrivesTransformed() throws Exception {
        try (RunningChatwire chatwire = RunningChatwire.start(); TestReceiver receiver = TestReceiver.start();
                Browser browser = Browser.start()) {
            TestAccount account = chatwire.createAccount("standard");
            String chatbot = chatwire.createChatbot(account);
            String endpointId = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"" + receiver.url() + "\",\"content_type\":\"application/json\"}").text("id");
            ChromeDriver driver = browser.driver();
            WebDriverWait wait = browser.await();
            signIn(chatwire, account, driver, wait);

            WebElement endpoint = wait.until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector(".endpoint[data-endpoint-id='" + endpointId + "']")));
            endpoint.findElement(By.cssSelector(".edit-endpoint")).click();
            WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".is-editing .endpoint-form")));
            assertThat(form.findElement(By.cssSelector(".shaping")).getAttribute("open")).as("closed while unused").isNull();
            form.findElement(By.cssSelector(".shaping-toggle")).click();
            WebElement filter = browser.byLabel(form, "Filter");
            WebElement transform = browser.byLabel(form, "Transform");

            filter.sendKeys("answer.score < 0.5");
            transform.sendKeys("{'text': 'Q: ' & messages[role='user'][-1].content,\n 'score': answer.score +}");
            form.findElement(By.cssSelector(".preview-transform")).click();
            WebElement error = wait.until(d -> form.findElement(By.cssSelector(".shaping .error:not([hidden])")));
            wait.until(d -> error.getText().contains("line 2"));
            assertThat(error.getText()).startsWith("Not valid: transform:").contains("column");
            java.util.regex.Matcher offset = java.util.regex.Pattern.compile("offset (\\d+)\\)").matcher(error.getText());
            assertThat(offset.find()).as(error.getText()).isTrue();
            assertThat(browser.js("return arguments[0].selectionStart", transform)).as("the caret is put where it went wrong")
                    .isEqualTo(Long.parseLong(offset.group(1)));
            browser.shot("transforms-01-error");

            transform.sendKeys(Keys.END, Keys.BACK_SPACE, Keys.BACK_SPACE, "}");
            form.findElement(By.cssSelector(".preview-transform")).click();
            WebElement body = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".preview-body")));
            wait.until(d -> body.getText().contains("Q: Where is my order?"));
            assertThat(body.getText()).isEqualTo("{\"text\":\"Q: Where is my order?\",\"score\":0.42}");
            assertThat(form.findElement(By.cssSelector(".preview-filter")).getText()).startsWith("Passes the filter");
            assertThat(form.findElement(By.cssSelector(".shaping .error")).isDisplayed()).isFalse();
            browser.shot("transforms-02-preview");

            browser.click(form.findElement(By.cssSelector("button[type=submit]")));
            WebElement saved = wait.until(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector(".endpoint[data-endpoint-id='" + endpointId + "'] .endpoint-shaping")));
            assertThat(saved.getText()).contains("Filter answer.score < 0.5").contains("0 events filtered out")
                    .contains("Transform {'text': 'Q: '");
            assertThat(account.api().get("/v1/endpoints/" + endpointId).text("filter")).isEqualTo("answer.score < 0.5");

            wait.until(d -> d.findElements(By.cssSelector(".toast")).isEmpty());
            browser.click(By.cssSelector(".endpoint[data-endpoint-id='" + endpointId + "'] .send-test"));
            WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".test-result")));
            assertThat(result.getText()).contains("Test event delivered");
            browser.shot("transforms-03-delivered");

            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 1);
            TestReceiver.Received r = receiver.received().getFirst();
            assertThat(r.bodyText()).isEqualTo("{\"text\":\"Q: How to integrate with Discord?\",\"score\":0.850390522704255}");
            WebhookVerifier.forSecret(account.signingSecret()).verifyStandard(r.body(), r.header("webhook-id"),
                    r.header("webhook-timestamp"), r.header("webhook-signature"));
            assertThat(browser.consoleErrors(".*/v1/transforms/preview.*400.*")).isEmpty();
        }
    }

    private static void signIn(RunningChatwire chatwire, TestAccount account, ChromeDriver driver, WebDriverWait wait) {
        driver.get(chatwire.baseUrl() + "/");
        WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
        key.sendKeys(account.apiKey(), Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("who-name"), "Test standard"));
    }
}
