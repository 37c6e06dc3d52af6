package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document describes exactly the routes the server has.
 *
 * <p>{@code ChatwireServer} does not expose its Javalin instance, so the registered routes are read
 * from the {@code register} calls in the API's source ({@code r.get("...")}, with string constants
 * such as {@code PREFIX} resolved), and every documented operation is also sent to the running
 * server to check that it is not answered with Javalin's "no such route" 404.
 */
class OpenApiDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    /** Javalin's answer for a path and method it has no handler for: "Endpoint GET /x not found". */
    private static final Pattern NO_SUCH_ROUTE = Pattern.compile("Endpoint [A-Z]+ \\S+ not found");
    private static final Pattern ROUTE_CALL = Pattern.compile(
            "\\br\\.(get|post|put|patch|delete|head|options)\\(\\s*([^,]+?)\\s*,");
    private static final Pattern STRING_CONSTANT = Pattern.compile(
            "static\\s+final\\s+String\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*\"([^\"]*)\"\\s*;");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}/]+)}");

    private static RunningChatwire chatwire;
    private static HttpResponse<String> served;
    private static JsonNode doc;

    @BeforeAll
    static void start() throws Exception {
        chatwire = RunningChatwire.start();
        served = send("GET", "/openapi.json", null);
        doc = JSON.readTree(served.body());
    }

    @AfterAll
    static void stop() {
        if (chatwire != null) {
            chatwire.close();
        }
    }

    @Test
    void isServedAsAnOpenApi31JsonDocument() {
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        assertThat(doc.path("openapi").asText()).startsWith("3.1");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        assertThat(doc.path("paths").isObject()).isTrue();
    }

    @Test
    void documentsExactlyTheRegisteredRoutes() throws IOException {
        Set<String> registered = registeredRoutes();
        Set<String> documented = new TreeSet<>(operations().keySet());
        assertThat(registered).as("routes found in the register() methods").isNotEmpty();

        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        Set<String> notRegistered = new TreeSet<>(documented);
        notRegistered.removeAll(registered);
        assertThat(undocumented.isEmpty() && notRegistered.isEmpty())
                .as("routes the server registers but openapi.json does not document:%n  %s%n"
                                + "operations openapi.json documents but the server does not register:%n  %s",
                        String.join("\n  ", undocumented), String.join("\n  ", notRegistered))
                .isTrue();
    }

    @Test
    void everyDocumentedOperationExistsOnTheRunningServer() {
        // The check means something only if a route that does not exist gets the "no such route" answer.
        HttpResponse<String> canary = send("GET", "/v1/no-such-route-" + System.nanoTime(), null);
        assertThat(canary.statusCode()).isEqualTo(404);
        assertThat(NO_SUCH_ROUTE.matcher(canary.body()).find()).as(canary.body()).isTrue();

        List<String> missing = new ArrayList<>();
        List<String> wrongAuth = new ArrayList<>();
        operations().forEach((route, op) -> {
            String method = route.substring(0, route.indexOf(' '));
            String path = probePath(route.substring(route.indexOf(' ') + 1));
            HttpResponse<String> r = send(method, path, hasBody(method) ? "{}" : null);
            if (r.statusCode() == 404 && NO_SUCH_ROUTE.matcher(r.body()).find()) {
                missing.add(route + " -> " + r.body());
            }
            boolean isPublic = op.path("security").isArray() && op.path("security").isEmpty();
            if (isPublic == (r.statusCode() == 401)) {
                wrongAuth.add(route + " (documented " + (isPublic ? "public" : "authenticated") + ") answered "
                        + r.statusCode() + " without credentials");
            }
        });
        assertThat(missing).as("documented operations the running server does not have:%n  %s",
                String.join("\n  ", missing)).isEmpty();
        assertThat(wrongAuth).as("security as documented vs the server:%n  %s", String.join("\n  ", wrongAuth))
                .isEmpty();
    }

    @Test
    void oversizedHeadersAreRefusedAsDocumented() {
        // The public routes document 431 as their refusal: Jetty's answer past 16 KiB of headers.
        assertThat(doc.at("/paths/~1healthz/get/responses").has("431")).isTrue();
        HttpRequest request = HttpRequest.newBuilder(URI.create(chatwire.baseUrl() + "/healthz"))
                .header("X-Padding", "x".repeat(20 * 1024)).GET().build();
        try {
            assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(431);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void operatorAndAccountRoutesAreDocumentedWithTheirOwnScheme() {
        TestAccount account = chatwire.createAccount("standard");
        List<String> wrong = new ArrayList<>();
        operations().forEach((route, op) -> {
            Set<String> schemes = new TreeSet<>();
            op.path("security").forEach(req -> req.fieldNames().forEachRemaining(schemes::add));
            if (schemes.isEmpty()) {
                return;
            }
            String method = route.substring(0, route.indexOf(' '));
            String path = probePath(route.substring(route.indexOf(' ') + 1));
            String body = hasBody(method) ? "{}" : null;
            if (schemes.equals(Set.of("operatorToken"))) {
                int status = send(method, path, body, account.apiKey()).statusCode();
                if (status != 403) {
                    wrong.add(route + " is documented as operator-only, but an account API key got " + status);
                }
            } else if (schemes.equals(Set.of("accountApiKey"))) {
                int status = send(method, path, body, RunningChatwire.ADMIN_TOKEN).statusCode();
                if (status != 403) {
                    wrong.add(route + " is documented as account-only, but the operator token got " + status);
                }
            } else {
                wrong.add(route + " names unexpected security schemes " + schemes);
            }
        });
        assertThat(wrong).as(String.join("\n", wrong)).isEmpty();
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, "", refs);
        assertThat(refs).as("$refs in the document").isNotEmpty();
        List<String> unresolved = refs.stream()
                .filter(r -> {
                    String target = r.substring(r.indexOf(" -> ") + 4);
                    return !target.startsWith("#/") || doc.at(target.substring(1)).isMissingNode();
                })
                .toList();
        assertThat(unresolved).as("unresolved $refs (where -> target):%n  %s", String.join("\n  ", unresolved))
                .isEmpty();
    }

    @Test
    void everyOperationIsDescribedWithASuccessAndARefusal() {
        List<String> problems = new ArrayList<>();
        Map<String, String> operationIds = new HashMap<>();
        Map<String, JsonNode> all = new java.util.TreeMap<>(operations());
        doc.path("webhooks").properties().forEach(w -> w.getValue().properties().forEach(m ->
                all.put("webhook " + w.getKey() + " " + m.getKey(), m.getValue())));
        all.forEach((route, op) -> {
            JsonNode responses = op.path("responses");
            List<String> codes = new ArrayList<>();
            responses.fieldNames().forEachRemaining(codes::add);
            boolean webhook = route.startsWith("webhook ");
            if (codes.stream().noneMatch(c -> c.startsWith("2"))) {
                problems.add(route + ": no 2xx response");
            }
            if (!webhook && codes.stream().noneMatch(c -> c.startsWith("4"))) {
                problems.add(route + ": no 4xx response");
            }
            for (String field : List.of("operationId", "summary", "description")) {
                if (op.path(field).asText().isBlank()) {
                    problems.add(route + ": no " + field);
                }
            }
            if (!op.path("security").isArray()) {
                problems.add(route + ": no explicit security");
            }
            String id = op.path("operationId").asText();
            String earlier = operationIds.putIfAbsent(id, route);
            if (earlier != null && !id.isEmpty()) {
                problems.add(route + ": operationId " + id + " is also used by " + earlier);
            }
            // Every {param} in the path is declared as a path parameter.
            String path = webhook ? "" : route.substring(route.indexOf(' ') + 1);
            Matcher m = PATH_PARAM.matcher(path);
            while (m.find()) {
                if (!declaresPathParameter(op, m.group(1))) {
                    problems.add(route + ": path parameter " + m.group(1) + " is not declared");
                }
            }
        });
        assertThat(problems).as(String.join("\n", problems)).isEmpty();
    }

    @Test
    void describesTheWebhookChatwireSends() {
        JsonNode webhooks = doc.path("webhooks");
        assertThat(webhooks.isObject() && !webhooks.isEmpty()).as("top-level webhooks").isTrue();
        JsonNode post = webhooks.elements().next().path("post");
        Set<String> headers = new TreeSet<>();
        post.path("parameters").forEach(p -> {
            JsonNode param = p.has("$ref") ? doc.at(p.path("$ref").asText().substring(1)) : p;
            if (param.path("in").asText().equals("header")) {
                headers.add(param.path("name").asText().toLowerCase(Locale.ROOT));
            }
        });
        assertThat(headers).contains("x-chat-data-topic", "x-chat-data-hmac-sha256", "webhook-id",
                "webhook-timestamp", "webhook-signature");
        assertThat(post.path("requestBody").path("content").has("application/json")).isTrue();
    }

    // --- helpers --------------------------------------------------------------------------------

    /** "METHOD /path" of every documented operation, in the server's upper-case method spelling. */
    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new java.util.TreeMap<>();
        doc.path("paths").properties().forEach(p -> p.getValue().properties().forEach(m -> {
            if (METHODS.contains(m.getKey())) {
                ops.put(m.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey(), m.getValue());
            }
        }));
        return ops;
    }

    /**
     * "METHOD /path" of every route registered in the API package, read from its source: every
     * {@code r.<method>(<path expression>,} call, where the expression is string literals and
     * {@code static final String} constants joined with {@code +}.
     */
    static Set<String> registeredRoutes() throws IOException {
        Path dir = Stream.of("src/main/java/io/chatwire/api", "server/src/main/java/io/chatwire/api")
                .map(Path::of).filter(Files::isDirectory).findFirst()
                .orElseThrow(() -> new AssertionError("cannot find the API sources from " + Path.of("").toAbsolutePath()));
        Map<String, String> sources = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        Map<String, String> constants = new HashMap<>();
        sources.values().forEach(src -> {
            Matcher m = STRING_CONSTANT.matcher(src);
            while (m.find()) {
                constants.put(m.group(1), m.group(2));
            }
        });
        Set<String> routes = new TreeSet<>();
        List<String> unreadable = new ArrayList<>();
        sources.forEach((file, src) -> {
            Matcher m = ROUTE_CALL.matcher(src);
            while (m.find()) {
                String path = evaluate(m.group(2), constants);
                if (path == null) {
                    unreadable.add(file + ": r." + m.group(1) + "(" + m.group(2) + ", ...)");
                } else {
                    routes.add(m.group(1).toUpperCase(Locale.ROOT) + " " + path);
                }
            }
        });
        assertThat(unreadable).as("route registrations whose path this test cannot read:%n  %s",
                String.join("\n  ", unreadable)).isEmpty();
        return routes;
    }

    /** A path expression of string literals and known constants joined by '+', or null. */
    private static String evaluate(String expression, Map<String, String> constants) {
        StringBuilder out = new StringBuilder();
        for (String part : expression.split("\\+")) {
            String p = part.strip();
            if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"") && p.indexOf('"', 1) == p.length() - 1) {
                out.append(p, 1, p.length() - 1);
            } else {
                String name = p.contains(".") ? p.substring(p.lastIndexOf('.') + 1) : p;
                String value = constants.get(name);
                if (value == null) {
                    return null;
                }
                out.append(value);
            }
        }
        return out.toString();
    }

    private static String probePath(String documentedPath) {
        return PATH_PARAM.matcher(documentedPath).replaceAll("probe_$1");
    }

    private static boolean hasBody(String method) {
        return Set.of("POST", "PUT", "PATCH").contains(method);
    }

    private static boolean declaresPathParameter(JsonNode op, String name) {
        for (JsonNode p : op.path("parameters")) {
            JsonNode param = p.has("$ref") ? doc.at(p.path("$ref").asText().substring(1)) : p;
            if (param.path("in").asText().equals("path") && param.path("name").asText().equals(name)
                    && param.path("required").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    private static void collectRefs(JsonNode node, String where, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    out.add(where + " -> " + e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), where + "/" + e.getKey(), out);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectRefs(node.get(i), where + "/" + i, out);
            }
        }
    }

    private static HttpResponse<String> send(String method, String path, String body) {
        return send(method, path, body, null);
    }

    private static HttpResponse<String> send(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(chatwire.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
