package io.chatwire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The axe-core accessibility audit (WCAG 2 A and AA, and axe's best practices) of the page a browser
 * shows, for any browser test to call. axe-core comes from npm, pinned by the lock file in
 * src/test/resources/axe and installed once into target/axe, and is injected into the page (or the
 * frame the driver is switched to) by the driver, which the pages' CSP does not apply to.
 */
public final class Axe {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path SOURCE = MODULE.resolve("src/test/resources/axe");
    private static final Path DIR = MODULE.resolve("target/axe");
    private static final List<String> TAGS = List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String source;

    private Axe() {
    }

    /** Audits what the driver's current page or frame shows now, and fails listing every violation. */
    public static void assertNoViolations(Browser browser, String what) {
        JavascriptExecutor js = browser.driver();
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object'"))) {
            js.executeScript(source());
        }
        Object answer = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                window.axe.run(document, {
                  runOnly: { type: 'tag', values: arguments[0] },
                  resultTypes: ['violations'],
                  iframes: false,
                }).then((r) => done(JSON.stringify(r.violations)), (e) => done('failed: ' + e));
                """, TAGS);
        assertThat(String.valueOf(answer)).as("axe-core on %s", what).doesNotStartWith("failed: ");
        try {
            JsonNode violations = JSON.readTree(String.valueOf(answer));
            assertThat(violations.size()).as("axe-core violations on %s:\n%s", what, readable(violations)).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One paragraph per rule: its id, impact and help, then each offending element and what to fix. */
    static String readable(JsonNode violations) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode v : violations) {
            sb.append("- ").append(v.path("id").asText()).append(" (").append(v.path("impact").asText()).append("): ")
                    .append(v.path("help").asText()).append("\n  ").append(v.path("helpUrl").asText()).append('\n');
            for (JsonNode node : v.path("nodes")) {
                sb.append("    at ").append(node.path("target")).append(": ")
                        .append(node.path("html").asText().replaceAll("\\s+", " ")).append('\n');
                sb.append("       ").append(node.path("failureSummary").asText().replace("\n", "\n       ")).append('\n');
            }
        }
        return sb.toString();
    }

    private static synchronized String source() {
        if (source == null) {
            try {
                Files.createDirectories(DIR);
                for (String file : List.of("package.json", "package-lock.json")) {
                    Files.copy(SOURCE.resolve(file), DIR.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
                NpmInstall.ciWhenLockChanged(DIR, NextJsReceiver.requireNodeAndNpm(), DIR.resolve("npm-ci.log"),
                        Duration.ofMinutes(5));
                source = Files.readString(DIR.resolve("node_modules/axe-core/axe.min.js"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot install axe-core into " + DIR, e);
            }
        }
        return source;
    }
}
