package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.RunningChatwire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's files are served at "/" from the server's resources, with a strict content
 * security policy, and never get in the way of the API: unknown API paths keep their JSON 404.
 */
class DashboardServingTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern IMPORT = Pattern.compile("from '\\./([a-z]+\\.js)'");

    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    @Test
    void servesThePageAtTheRootWithAStrictContentSecurityPolicy() {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/main.js\"></script>");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                .contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(get("/index.html").body()).isEqualTo(page.body());
    }

    @Test
    void everyModuleTheAppImportsIsServedAsJavaScript() {
        List<String> pending = new java.util.ArrayList<>(List.of("main.js"));
        java.util.Set<String> seen = new java.util.TreeSet<>();
        while (!pending.isEmpty()) {
            String module = pending.removeLast();
            if (!seen.add(module)) {
                continue;
            }
            HttpResponse<String> js = get("/js/" + module);
            assertThat(js.statusCode()).as(module).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type")).as(module)
                    .hasValueSatisfying(v -> assertThat(v).contains("javascript"));
            Matcher m = IMPORT.matcher(js.body());
            while (m.find()) {
                pending.add(m.group(1));
            }
        }
        assertThat(seen).contains("api.js", "charts.js", "webhooks.js", "deliveries.js", "analytics.js");
        assertThat(get("/app.css").statusCode()).isEqualTo(200);
        assertThat(get("/favicon.svg").statusCode()).isEqualTo(200);
    }

    @Test
    void apiPathsAreNeverAnsweredWithFiles() {
        HttpResponse<String> unknown = get("/v1/no-such-route");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{\"error\":\"not_found\"");
        assertThat(get("/v1/index.html").statusCode()).isEqualTo(404);
        HttpResponse<String> chatData = get("/api/v2/index.html");
        assertThat(chatData.statusCode()).isEqualTo(404);
        assertThat(chatData.body()).contains("\"status\":\"error\"");
        assertThat(get("/v1/account").statusCode()).isEqualTo(401);
        assertThat(get("/healthz").body()).contains("ok");
    }

    @Test
    void filesOutsideTheDashboardAreNotReachable() {
        for (String path : List.of("/../openapi.json", "/%2e%2e/logback.xml", "/js/../../logback.xml", "/logback.xml")) {
            HttpResponse<String> r = get(path);
            assertThat(r.body()).as(path).doesNotContain("<configuration");
            assertThat(r.statusCode()).as(path).isIn(400, 404);
        }
    }

    private static HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(chatwire.baseUrl() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
