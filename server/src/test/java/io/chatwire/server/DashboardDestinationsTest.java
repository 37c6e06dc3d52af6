package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.Browser;
import io.chatwire.testing.DiscordEmulator;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.SlackEmulator;
import java.io.IOException;
import java.time.Duration;
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
 * A customer points a chatbot at a Slack channel and a Discord channel from the dashboard (the
 * services' emulators on loopback stand in for them), and the chats arrive there as messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DashboardDestinationsTest {
    private RunningChatwire chatwire;
    private SlackEmulator slack;
    private DiscordEmulator discord;
    private TestAccount account;
    private String chatbot;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    void start() throws IOException {
        chatwire = RunningChatwire.start();
        slack = SlackEmulator.start();
        discord = DiscordEmulator.start();
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
        browser = Browser.start();
        driver = browser.driver();
        wait = browser.await();
    }

    @AfterAll
    void stop() throws Exception {
        // Whatever started, in reverse order; a start that failed left the rest null.
        for (AutoCloseable started : java.util.Arrays.asList(browser, discord, slack, chatwire)) {
            if (started != null) {
                started.close();
            }
        }
    }

    @Test
    @Order(1)
    void pointsTheChatbotAtASlackChannel() {
        driver.get(chatwire.baseUrl() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys(account.apiKey(), Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot[data-chatbot-id='" + chatbot + "']")));

        WebElement form = openForm();
        Select kind = new Select(browser.byLabel(form, "Kind"));
        assertThat(kind.getFirstSelectedOption().getAttribute("value")).as("a new endpoint is a webhook").isEqualTo("webhook");
        kind.selectByValue("slack");
        WebElement url = browser.byLabel(form, "Endpoint URL");
        assertThat(url.getAttribute("placeholder")).startsWith("https://hooks.slack.com/services/");
        assertThat(form.findElement(By.cssSelector("select[name=content_type]")).isDisplayed())
                .as("a Slack message is always JSON: no content type to choose").isFalse();
        assertThat(form.getText()).contains("Slack incoming-webhook URL");
        url.sendKeys(slack.webhookUrl());
        browser.click(form.findElement(By.cssSelector("button[type=submit]")));

        WebElement endpoint = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".endpoint")));
        assertThat(endpoint.getText()).contains(slack.webhookUrl()).contains("Sent as Slack messages (application/json)")
                .doesNotContain("text/plain");
        browser.click(endpoint.findElement(By.cssSelector(".send-test")));
        WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".test-result")));
        assertThat(result.getText()).contains("Test event delivered").contains("HTTP 200");
        JsonNode message = slack.accepted().getFirst();
        assertThat(SlackEmulator.mrkdwnTexts(message)).contains("*Question*\nHow to integrate with Discord?");
        browser.shot("destinations-01-slack");
    }

    @Test
    @Order(2)
    void pointsTheChatbotAtADiscordChannelAndChatsArriveInBoth() {
        WebElement form = openForm();
        new Select(browser.byLabel(form, "Kind")).selectByValue("discord");
        WebElement url = browser.byLabel(form, "Endpoint URL");
        url.sendKeys("https://example.com/not-a-discord-webhook");
        browser.click(form.findElement(By.cssSelector("button[type=submit]")));
        wait.until(d -> form.getText().contains("must be a Discord webhook URL"));
        url.clear();
        url.sendKeys(discord.webhookUrl());
        browser.click(form.findElement(By.cssSelector("button[type=submit]")));
        wait.until(d -> d.findElements(By.cssSelector(".endpoint")).size() == 2);
        assertThat(driver.findElements(By.cssSelector(".endpoint")).get(1).getText()).contains("Discord");

        chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Where is my order?"));
        await().atMost(Duration.ofSeconds(15)).until(() -> slack.accepted().size() == 2 && discord.accepted().size() == 1);
        assertThat(SlackEmulator.mrkdwnTexts(slack.accepted().get(1))).contains("*Question*\nWhere is my order?",
                "*Answer · score 0.85*\nFollow the guide.");
        assertThat(discord.accepted().getFirst().path("embeds").get(0).path("description").asText())
                .isEqualTo("**Question**\nWhere is my order?\n\n**Answer · score 0.85**\nFollow the guide.");
        browser.shot("destinations-02-discord");
    }

    private WebElement openForm() {
        browser.click(By.cssSelector(".chatbot .add-endpoint"));
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".chatbot .endpoint-form")));
    }
}
