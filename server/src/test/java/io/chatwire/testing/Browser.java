package io.chatwire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven through its chromedriver, for the browser tests: one profile
 * of its own (deleted on close), screenshots under target/screenshots/, and the browser console's
 * errors for a test to check. Fails (never skips) without the two packages; .ci/run installs them.
 */
public final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Duration WAIT = Duration.ofSeconds(10);
    /**
     * The screenshots' CDP commands go through chromedriver and need none of Selenium's devtools
     * modules, yet Selenium looks for one matching the browser and warns when Debian's chromium is
     * newer than any it ships. Held here so that the level set on it stays (JUL keeps loggers weakly).
     */
    private static final Logger CDP_VERSION_FINDER =
            Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private final ChromeDriver driver;
    private final WebDriverWait wait;
    private final Path profile;
    private final Path screenshots;

    private Browser(ChromeDriver driver, Path profile, Path screenshots) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT);
        this.profile = profile;
        this.screenshots = screenshots;
    }

    /** A headless chromium with a 1280×900 window. */
    public static Browser start() throws IOException {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the browser tests need %s and %s: apt-get install -y chromium chromium-driver", CHROMIUM, CHROMEDRIVER)
                .isTrue();
        Path screenshots = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
        Files.createDirectories(screenshots);
        Path profile = Files.createTempDirectory("chatwire-chromium-");

        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        // Selenium Manager must not look for (or download) anything: both paths are given.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US",
                "--force-device-scale-factor=1", "--hide-scrollbars");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        return new Browser(driver, profile, screenshots);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public WebDriverWait await() {
        return wait;
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * Clicks the element once it can be clicked, scrolled to the middle of the window first: scrolled
     * only as far as the driver does, it may end up under the dashboard's sticky header.
     */
    public void click(By by) {
        WebElement element = wait.until(ExpectedConditions.visibilityOfElementLocated(by));
        js("arguments[0].scrollIntoView({block: 'center'})", element);
        wait.until(ExpectedConditions.elementToBeClickable(element)).click();
    }

    /**
     * Clicks the element, scrolled to the middle of the window first, where neither the sticky header
     * nor a toast in a corner can be over it.
     */
    public void click(WebElement element) {
        js("arguments[0].scrollIntoView({block: 'center'})", element);
        wait.until(ExpectedConditions.elementToBeClickable(element)).click();
    }

    /** The control a visible label names (so the form is labelled as a screen reader needs). */
    public WebElement byLabel(WebElement scope, String text) {
        WebElement label = scope.findElement(By.xpath(".//label[normalize-space()='" + text + "']"));
        return driver.findElement(By.id(label.getAttribute("for")));
    }

    /** The console's errors so far, leaving out those whose message matches {@code expected}. */
    public List<String> consoleErrors(String expected) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.matches(expected))
                .toList();
    }

    public void shot(String name) {
        shot(name, 8000);
    }

    /**
     * A screenshot as target/screenshots/NAME.png: the whole page (beyond the viewport) up to a
     * height. Toasts are dismissed first (they would hide what is under them).
     */
    public void shot(String name, int maxHeight) {
        try {
            js("document.querySelectorAll('.toast').forEach(t => t.remove()); window.scrollTo(0, 0);");
            Thread.sleep(200); // let the row highlight and chart redraws settle
            Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
            @SuppressWarnings("unchecked")
            Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
            double width = ((Number) size.get("width")).doubleValue();
            double height = Math.min(maxHeight, ((Number) size.get("height")).doubleValue());
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                    "format", "png", "captureBeyondViewport", true,
                    "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
            Files.write(screenshots.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot save screenshot " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp profile left behind is harmless.
        }
    }
}
