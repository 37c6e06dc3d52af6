package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.Browser;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An endpoint's delivery policy in the dashboard, in a real browser: set a rate limit, a retry
 * schedule, a timeout and a static header when adding the endpoint; see them summed up (the header by
 * name only) and the header arrive with a test event; then change and remove them, with the API's
 * refusals (a timeout beyond the operator's bound, a reserved header) shown in the form.
 */
@Timeout(120)
class DashboardPoliciesTest {
    private static final String TOKEN = "Bearer dashboard-token-5d1e";

    private RunningChatwire chatwire;
    private TestReceiver receiver;
    private Browser browser;

    @AfterEach
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
    void setsChangesAndRemovesAnEndpointsPolicy() throws IOException {
        // The test servers' request timeout is 2 s, so an endpoint may ask for 1 s or 2 s, not more.
        chatwire = RunningChatwire.start();
        receiver = TestReceiver.start();
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        browser = Browser.start();
        ChromeDriver driver = browser.driver();
        WebDriverWait wait = browser.await();

        driver.get(chatwire.baseUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys(account.apiKey(), Keys.ENTER);
        WebElement card = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".chatbot[data-chatbot-id='" + chatbot + "']")));

        // Add: the policy section is folded away until opened.
        browser.click(By.cssSelector(".chatbot .add-endpoint"));
        WebElement form = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .endpoint-form")));
        browser.byLabel(form, "Endpoint URL").sendKeys(receiver.url("/paced").toString());
        WebElement policy = form.findElement(By.cssSelector("details.endpoint-policy"));
        assertThat(policy.getAttribute("open")).isNull();
        policy.findElement(By.tagName("summary")).click();
        browser.byLabel(form, "Rate limit (requests per second)").sendKeys("3");
        browser.byLabel(form, "Retry schedule").sendKeys("1s, 2s");
        browser.byLabel(form, "Timeout per attempt").sendKeys("2s");
        form.findElement(By.cssSelector(".add-header")).click();
        WebElement headerName = browser.byLabel(form, "Header name");
        assertThat(driver.switchTo().activeElement()).as("focus moves to the new header's name").isEqualTo(headerName);
        headerName.sendKeys("Authorization");
        WebElement headerValue = browser.byLabel(form, "Value");
        assertThat(headerValue.getAttribute("type")).isEqualTo("password");
        headerValue.sendKeys(TOKEN);
        browser.shot("policies-01-add");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        WebElement summary = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".endpoint .endpoint-policy-summary")));
        assertThat(summary.getText()).contains("at most 3/s").contains("retries after 1s, 2s").contains("timeout 2s")
                .contains("headers Authorization");
        assertThat(card.getText()).doesNotContain("dashboard-token-5d1e");
        JsonNode endpoint = account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().path("data").get(0);
        String id = endpoint.path("id").asText();
        assertThat(endpoint.path("rate_limit").asInt()).isEqualTo(3);
        assertThat(endpoint.path("timeout").asText()).isEqualTo("2s");
        assertThat(endpoint.path("headers")).extracting(JsonNode::asText).containsExactly("Authorization");

        card.findElement(By.cssSelector(".send-test")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".test-result"), "Test event delivered"));
        assertThat(receiver.received().getLast().header("authorization")).isEqualTo(TOKEN);
        browser.shot("policies-02-summary");

        // Edit: the stored header is listed by name, its value never sent back to the page.
        card.findElement(By.cssSelector(".edit-endpoint")).click();
        WebElement edit = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".is-editing .endpoint-form")));
        WebElement editPolicy = edit.findElement(By.cssSelector("details.endpoint-policy"));
        assertThat(editPolicy.getAttribute("open")).as("open when the endpoint has a policy").isNotNull();
        assertThat(edit.findElement(By.cssSelector("[data-header='Authorization']")).getText()).contains("value hidden");
        assertThat((String) browser.js("return document.documentElement.outerHTML")).doesNotContain("dashboard-token-5d1e");

        WebElement timeout = browser.byLabel(edit, "Timeout per attempt");
        timeout.clear();
        timeout.sendKeys("30s");
        edit.findElement(By.cssSelector("button[type=submit]")).click();
        assertThat(alertText(wait, edit)).contains("timeout must be from 1s to 2s");

        edit.findElement(By.cssSelector(".add-header")).click();
        browser.byLabel(edit, "Header name").sendKeys("Content-Type");
        browser.byLabel(edit, "Value").sendKeys("text/html");
        timeout.clear();
        timeout.sendKeys("1s");
        edit.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(d -> alertText(wait, edit).contains("reserved"));
        browser.shot("policies-03-refused");
        assertThat(account.api().get("/v1/endpoints/" + id).json().path("timeout").asText())
                .as("a refused save changes nothing").isEqualTo("2s");

        // Remove the new row and the stored header, clear the rate limit, keep the 1 s timeout.
        edit.findElement(By.cssSelector(".policy-header-row button")).click();
        edit.findElement(By.cssSelector("[data-header='Authorization'] .remove-header")).click();
        assertThat(edit.findElement(By.cssSelector("[data-header='Authorization']")).getText()).contains("removed on save");
        browser.byLabel(edit, "Rate limit (requests per second)").clear();
        edit.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".is-editing")));

        JsonNode saved = account.api().get("/v1/endpoints/" + id).json();
        assertThat(saved.has("rate_limit")).isFalse();
        assertThat(saved.path("headers")).isEmpty();
        assertThat(saved.path("timeout").asText()).isEqualTo("1s");
        assertThat(saved.path("retry_schedule")).extracting(JsonNode::asText).containsExactly("1s", "2s");
        assertThat(card.findElement(By.cssSelector(".endpoint-policy-summary")).getText())
                .isEqualTo("Policy: retries after 1s, 2s · timeout 1s");
        browser.shot("policies-04-saved");
        assertThat(browser.consoleErrors(".*(400|Bad Request).*")).isEmpty();
    }

    private static String alertText(WebDriverWait wait, WebElement scope) {
        By alert = By.cssSelector("[role=alert]:not([hidden])");
        wait.until(d -> scope.findElements(alert).stream().anyMatch(e -> !e.getText().isBlank()));
        return scope.findElements(alert).stream().map(WebElement::getText).filter(t -> !t.isBlank())
                .findFirst().orElseThrow();
    }
}
