package io.chatwire.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Portal sessions: one-time links, the cookie session they start, and what such a session may do. */
class PortalSessionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    /** A browser's view of the portal: the session cookie and the CSRF token it read. */
    record Visitor(String base, String cookie, String csrf) {
        Reply get(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), cookie, Map.of());
        }

        Reply write(String method, String path, String body, Map<String, String> headers) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)), cookie, headers);
        }

        /** A change as the portal page sends it: with the CSRF token, from its own origin. */
        Reply write(String method, String path, String body) {
            return write(method, path, body, Map.of("X-Chatwire-CSRF", csrf, "Origin", base));
        }
    }

    record Reply(int status, JsonNode json, String body, HttpResponse<String> response) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        String error() {
            return json.path("error").asText();
        }
    }

    private static Reply send(HttpRequest.Builder request, String cookie, Map<String, String> headers) {
        if (cookie != null) {
            request.header("Cookie", "chatwire_portal=" + cookie);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                json = JSON.missingNode();
            }
            return new Reply(r.statusCode(), json, r.body(), r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ApiClient.Response link(RunningChatwire on, String accountId, String body) {
        return on.operator().post("/v1/accounts/" + accountId + "/portal-sessions", body);
    }

    private static Reply load(String url, Map<String, String> headers) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), null, headers);
    }

    private static String cookieOf(Reply firstLoad) {
        String setCookie = firstLoad.header("Set-Cookie");
        assertThat(setCookie).as(firstLoad.body()).startsWith("chatwire_portal=cwps_");
        return setCookie.substring("chatwire_portal=".length(), setCookie.indexOf(';'));
    }

    private static Visitor visit(RunningChatwire on, String accountId, String body) {
        ApiClient.Response created = link(on, accountId, body);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String cookie = cookieOf(load(created.text("url"), Map.of()));
        Reply session = new Visitor(on.baseUrl(), cookie, null).get("/portal/session");
        assertThat(session.status()).as(session.body()).isEqualTo(200);
        return new Visitor(on.baseUrl(), cookie, session.json().path("csrf_token").asText());
    }

    private static String endpointBody(String path) {
        return "{\"url\":\"http://127.0.0.1:9/" + path + "\",\"events\":[\"chat\"]}";
    }

    @Test
    void aLinkOpensOnceIntoACookieSessionAndTheTokenLeavesTheAddressBar() {
        TestAccount account = chatwire.createAccount("standard");
        ApiClient.Response created = link(chatwire, account.id(), "{\"ttl\":\"15m\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.text("url")).startsWith(chatwire.baseUrl() + "/portal/?token=cwpl_");
        assertThat(Instant.parse(created.text("expires_at")))
                .isBetween(Instant.now().plus(Duration.ofMinutes(14)), Instant.now().plus(Duration.ofMinutes(16)));
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");

        Reply first = load(created.text("url") + "&brand=%23204080&appearance=dark&logo=javascript:alert(1)", Map.of());
        assertThat(first.status()).isEqualTo(303);
        assertThat(first.header("Location")).isEqualTo("/portal/?brand=%23204080&appearance=dark");
        assertThat(first.header("Set-Cookie")).contains("; Path=/portal;", "; HttpOnly", "; SameSite=Strict")
                .doesNotContain("Secure");
        Reply again = load(created.text("url"), Map.of());
        assertThat(again.status()).isEqualTo(410);
        assertThat(again.body()).contains("This link can no longer be used");
        assertThat(again.header("Set-Cookie")).isNull();

        Visitor visitor = new Visitor(chatwire.baseUrl(), cookieOf(first), null);
        Reply session = visitor.get("/portal/session");
        assertThat(session.status()).isEqualTo(200);
        assertThat(session.json().path("account_id").asText()).isEqualTo(account.id());
        assertThat(session.json().path("read_only").asBoolean()).isFalse();
        assertThat(session.json().path("csrf_token").asText()).hasSize(64);
        assertThat(visitor.get("/portal/api/v1/account").json().path("id").asText()).isEqualTo(account.id());
    }

    @Test
    void theOperatorsRequestIsCheckedAndOnlyTheOperatorMayMakeLinks() {
        TestAccount account = chatwire.createAccount("standard");
        TestAccount other = chatwire.createAccount("standard");
        String othersChatbot = chatwire.createChatbot(other);

        assertThat(link(chatwire, account.id(), "{\"ttl\":\"5s\"}").text("message")).contains("from 10s to 12h");
        assertThat(link(chatwire, account.id(), "{\"ttl\":\"13h\"}").status()).isEqualTo(400);
        assertThat(link(chatwire, account.id(), "{\"ttl\":\"soon\"}").status()).isEqualTo(400);
        assertThat(link(chatwire, account.id(), "{\"read_only\":\"yes\"}").status()).isEqualTo(400);
        assertThat(link(chatwire, account.id(), "{\"api_keys\":true}").text("error")).isEqualTo("unknown_field");
        assertThat(link(chatwire, account.id(), "{\"chatbot_id\":\"" + othersChatbot + "\"}").status()).isEqualTo(404);
        assertThat(link(chatwire, "acc_missing", "{}").status()).isEqualTo(404);
        assertThat(account.api().post("/v1/accounts/" + account.id() + "/portal-sessions", "{}").status()).isEqualTo(403);
        assertThat(account.api().delete("/v1/accounts/" + account.id() + "/portal-sessions").status()).isEqualTo(403);
        assertThat(link(chatwire, account.id(), "{}").status()).isEqualTo(201);
    }

    @Test
    void theOperatorsThemeTravelsInTheLinkAndWrongValuesAreRefusedNamingTheField() {
        TestAccount account = chatwire.createAccount("standard");
        ApiClient.Response themed = link(chatwire, account.id(), """
                {"brand_color": "#204080", "logo_url": "https://cdn.example.com/logo.svg", "hide_header": true,
                 "appearance": "dark"}""");
        assertThat(themed.status()).as(themed.raw()).isEqualTo(201);
        assertThat(themed.text("url")).endsWith("&brand=%23204080&logo=https%3A%2F%2Fcdn.example.com%2Flogo.svg"
                + "&header=hidden&appearance=dark");
        assertThat(load(themed.text("url"), Map.of()).header("Location"))
                .isEqualTo("/portal/?brand=%23204080&logo=https%3A%2F%2Fcdn.example.com%2Flogo.svg&header=hidden&appearance=dark");

        for (var bad : Map.of("brand_color", "\"red\"", "logo_url", "\"http://cdn.example.com/logo.png\"",
                "appearance", "\"sepia\"", "hide_header", "\"yes\"").entrySet()) {
            ApiClient.Response r = link(chatwire, account.id(), "{\"" + bad.getKey() + "\":" + bad.getValue() + "}");
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.text("message")).contains(bad.getKey());
        }
        assertThat(link(chatwire, account.id(), "{\"logo_url\":\"javascript:alert(1)\"}").status()).isEqualTo(400);
    }

    @Test
    void aSessionActsForItsAccountOnlyAndNeverReachesOperatorRoutesOrApiKeys() {
        TestAccount account = chatwire.createAccount("standard");
        Visitor visitor = visit(chatwire, account.id(), "{}");

        assertThat(visitor.get("/portal/api/v1/accounts").status()).isEqualTo(403);
        assertThat(visitor.get("/portal/api/v1/accounts/" + account.id() + "/api-keys").status()).isEqualTo(403);
        assertThat(visitor.write("POST", "/portal/api/v1/accounts/" + account.id() + "/api-keys", "{}").error())
                .isEqualTo("not_for_portal_sessions");
        assertThat(visitor.write("POST", "/portal/api/v1/accounts/" + account.id() + "/portal-sessions", "{}").status())
                .isEqualTo(403);
        // The cookie counts on the portal's path only: the API's own paths want a bearer token.
        assertThat(visitor.get("/v1/account").status()).isEqualTo(401);
        assertThat(new Visitor(chatwire.baseUrl(), null, null).get("/portal/api/v1/account").status()).isEqualTo(401);
        assertThat(new Visitor(chatwire.baseUrl(), "cwps_forged", null).get("/portal/api/v1/account").status())
                .isEqualTo(401);
    }

    @Test
    void changesNeedTheSessionsCsrfTokenAndTheirOwnOrigin() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        Visitor visitor = visit(chatwire, account.id(), "{}");
        String path = "/portal/api/v1/chatbots/" + chatbot + "/endpoints";

        assertThat(visitor.write("POST", path, endpointBody("none"), Map.of()).error()).isEqualTo("csrf");
        assertThat(visitor.write("POST", path, endpointBody("wrong"), Map.of("X-Chatwire-CSRF", "0".repeat(64))).error())
                .isEqualTo("csrf");
        assertThat(visitor.write("POST", path, endpointBody("evil"),
                Map.of("X-Chatwire-CSRF", visitor.csrf(), "Origin", "http://evil.example")).error()).isEqualTo("csrf");
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().path("data")).isEmpty();

        Reply created = visitor.write("POST", path, endpointBody("good"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().path("data")).hasSize(1);
    }

    @Test
    void aReadOnlySessionReadsButEveryChangeIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/a", "[\"chat\"]", true);
        Visitor visitor = visit(chatwire, account.id(), "{\"read_only\":true}");

        assertThat(visitor.get("/portal/session").json().path("read_only").asBoolean()).isTrue();
        assertThat(visitor.get("/portal/api/v1/endpoints/" + endpoint).status()).isEqualTo(200);
        for (var change : new String[][] {
                {"POST", "/portal/api/v1/chatbots/" + chatbot + "/endpoints", endpointBody("b")},
                {"PATCH", "/portal/api/v1/endpoints/" + endpoint, "{\"enabled\":false}"},
                {"DELETE", "/portal/api/v1/endpoints/" + endpoint, ""},
                {"POST", "/portal/api/v1/endpoints/" + endpoint + "/test", "{}"}}) {
            Reply r = visitor.write(change[0], change[1], change[2]);
            assertThat(r.status()).as(change[0] + " " + change[1]).isEqualTo(403);
            assertThat(r.error()).isEqualTo("read_only_session");
        }
        assertThat(account.api().get("/v1/endpoints/" + endpoint).json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void aSessionForOneChatbotSeesAndChangesThatChatbotOnly() {
        TestAccount account = chatwire.createAccount("standard");
        String mine = chatwire.createChatbot(account);
        String other = chatwire.createChatbot(account);
        String myEndpoint = chatwire.createEndpoint(account, mine, "http://127.0.0.1:9/a", "[\"chat\"]", true);
        String otherEndpoint = chatwire.createEndpoint(account, other, "http://127.0.0.1:9/b", "[\"chat\"]", true);
        Visitor visitor = visit(chatwire, account.id(), "{\"chatbot_id\":\"" + mine + "\"}");

        assertThat(visitor.get("/portal/session").json().path("chatbot_id").asText()).isEqualTo(mine);
        assertThat(visitor.get("/portal/api/v1/chatbots").json().path("data").findValuesAsText("id")).containsExactly(mine);
        assertThat(visitor.get("/portal/api/v1/chatbots/" + mine + "/endpoints").status()).isEqualTo(200);
        assertThat(visitor.get("/portal/api/v1/chatbots/" + other + "/endpoints").error()).isEqualTo("outside_portal_scope");
        assertThat(visitor.get("/portal/api/v1/endpoints/" + myEndpoint).status()).isEqualTo(200);
        assertThat(visitor.get("/portal/api/v1/endpoints/" + otherEndpoint).status()).isEqualTo(404);
        assertThat(visitor.write("DELETE", "/portal/api/v1/endpoints/" + otherEndpoint, "").status()).isEqualTo(404);
        assertThat(visitor.get("/portal/api/v1/events").error()).isEqualTo("outside_portal_scope");
        assertThat(visitor.get("/portal/api/v1/deliveries?chatbot_id=" + mine).status()).isEqualTo(200);
        assertThat(visitor.get("/portal/api/v1/deliveries?chatbot_id=" + other).status()).isEqualTo(403);
        assertThat(visitor.get("/portal/api/v1/attempts?chatbot_id=" + mine + "&endpoint_id=" + otherEndpoint).status())
                .isEqualTo(404);
        assertThat(visitor.get("/portal/api/v1/analytics/deliveries?chatbot_id=" + mine).status()).isEqualTo(200);
        assertThat(visitor.write("POST", "/portal/api/v1/chatbots", "{\"name\":\"Mine now\"}").status()).isEqualTo(403);
        assertThat(visitor.write("DELETE", "/portal/api/v1/chatbots/" + mine, "").status()).isEqualTo(403);
        assertThat(visitor.write("POST", "/portal/api/v1/account/signing-secret/rotate", "{}").status()).isEqualTo(403);
        assertThat(account.api().get("/v1/endpoints/" + otherEndpoint).status()).isEqualTo(200);
        assertThat(account.api().get("/v1/chatbots").json().path("data")).hasSize(2);
    }

    @Test
    void aSessionForOneChatbotPreviewsExpressionsOverItsChatbotsEventsOnly() {
        TestAccount account = chatwire.createAccount("standard");
        String mine = chatwire.createChatbot(account);
        String other = chatwire.createChatbot(account);
        String myEvent = chatwire.postEvent(RunningChatwire.chatEvent(mine, "mine to preview"));
        String otherEvent = chatwire.postEvent(RunningChatwire.chatEvent(other, "not for this session"));
        Visitor visitor = visit(chatwire, account.id(), "{\"chatbot_id\":\"" + mine + "\"}");

        Reply own = visitor.write("POST", "/portal/api/v1/transforms/preview",
                "{\"transform\":\"messages[0].content\",\"event_id\":\"" + myEvent + "\"}");
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.body()).contains("mine to preview");
        Reply others = visitor.write("POST", "/portal/api/v1/transforms/preview",
                "{\"transform\":\"messages[0].content\",\"event_id\":\"" + otherEvent + "\"}");
        assertThat(others.status()).as(others.body()).isEqualTo(404);
        assertThat(others.body()).doesNotContain("not for this session");
    }

    @Test
    void theOperatorRevokesEverySessionAndUnusedLinkOfTheAccount() {
        TestAccount account = chatwire.createAccount("standard");
        TestAccount neighbour = chatwire.createAccount("standard");
        Visitor first = visit(chatwire, account.id(), "{}");
        Visitor second = visit(chatwire, account.id(), "{\"read_only\":true}");
        String unused = link(chatwire, account.id(), "{}").text("url");
        Visitor untouched = visit(chatwire, neighbour.id(), "{}");

        ApiClient.Response revoked = chatwire.operator().delete("/v1/accounts/" + account.id() + "/portal-sessions");

        assertThat(revoked.status()).as(revoked.raw()).isEqualTo(200);
        assertThat(revoked.json().path("revoked").asInt()).isEqualTo(3);
        assertThat(first.get("/portal/api/v1/account").status()).isEqualTo(401);
        assertThat(second.get("/portal/session").status()).isEqualTo(401);
        assertThat(load(unused, Map.of()).status()).isEqualTo(410);
        assertThat(untouched.get("/portal/api/v1/account").status()).isEqualTo(200);
        assertThat(chatwire.operator().delete("/v1/accounts/acc_missing/portal-sessions").status()).isEqualTo(404);
    }

    @Test
    void signingOutEndsTheSessionAndClearsTheCookie() {
        TestAccount account = chatwire.createAccount("standard");
        Visitor visitor = visit(chatwire, account.id(), "{}");

        assertThat(visitor.write("POST", "/portal/sign-out", "{}", Map.of()).error()).isEqualTo("csrf");
        Reply out = visitor.write("POST", "/portal/sign-out", "{}");

        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("Set-Cookie")).startsWith("chatwire_portal=;").contains("Max-Age=0");
        assertThat(visitor.get("/portal/api/v1/account").status()).isEqualTo(401);
    }

    @Test
    void aSessionEndsAtItsExpiryAndSoDoesAnUnusedLink() {
        TestAccount account = chatwire.createAccount("standard");
        Visitor visitor = visit(chatwire, account.id(), "{\"ttl\":\"10s\"}");
        String unused = link(chatwire, account.id(), "{\"ttl\":\"10s\"}").text("url");
        assertThat(visitor.get("/portal/api/v1/account").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> visitor.get("/portal/api/v1/account").status() == 401);
        assertThat(visitor.get("/portal/session").status()).isEqualTo(401);
        assertThat(load(unused, Map.of()).status()).isEqualTo(410);
    }

    @Test
    void overTlsTheCookieIsSecureAndOnlyTheConfiguredOriginsMayFrameThePortal() {
        try (RunningChatwire behindProxy = RunningChatwire.start(Map.of(
                "CHATWIRE_TRUSTED_PROXIES", "127.0.0.1/32",
                "CHATWIRE_PORTAL_FRAME_ANCESTORS", "https://app.example.com https://*.example.org"))) {
            TestAccount account = behindProxy.createAccount("standard");
            String url = link(behindProxy, account.id(), "{}").text("url");

            Reply first = load(url, Map.of("X-Forwarded-Proto", "https"));

            assertThat(first.header("Set-Cookie")).contains("; Secure", "; SameSite=None", "; Partitioned", "; HttpOnly");
            Reply page = load(behindProxy.baseUrl() + "/portal/", Map.of());
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Content-Security-Policy"))
                    .endsWith("frame-ancestors https://app.example.com https://*.example.org");
            assertThat(page.header("X-Frame-Options")).isNull();
            Reply dashboard = load(behindProxy.baseUrl() + "/", Map.of());
            assertThat(dashboard.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(dashboard.header("Content-Security-Policy")).endsWith("frame-ancestors 'none'");
        }
        Reply withoutSlash = load(chatwire.baseUrl() + "/portal?token=cwpl_x&brand=%23204080", Map.of());
        assertThat(withoutSlash.status()).isEqualTo(303);
        assertThat(withoutSlash.header("Location")).isEqualTo("/portal/?token=cwpl_x&brand=%23204080");
        Reply byDefault = load(chatwire.baseUrl() + "/portal/", Map.of());
        assertThat(byDefault.header("Content-Security-Policy")).endsWith("frame-ancestors 'none'");
        assertThat(byDefault.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(Optional.ofNullable(load(chatwire.baseUrl() + "/portal/js/main.js", Map.of()).header("Content-Type")))
                .hasValueSatisfying(t -> assertThat(t).contains("javascript"));
    }
}
