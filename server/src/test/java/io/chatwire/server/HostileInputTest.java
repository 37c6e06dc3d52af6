package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatwire.testing.DatabaseDump;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile input over every route the server registers (read from the API's source, as
 * {@link OpenApiDocumentTest} does, so a new route is attacked without a change here): malformed and
 * truncated JSON, wrong types, huge numbers, deep nesting, invalid UTF-8, 10 MB bodies (declared and
 * chunked), missing, doubled and wrong credentials, doubled and bad Idempotency-Key headers, unknown
 * methods, SQL and script fragments in every path parameter, query parameter and string field; and
 * boundary values for every parameter of every operation in {@code /openapi.json}, generated from its
 * schema ({@link BoundaryCases}: extreme years, numbers past their bounds and past 64 bits, empty and
 * over-long strings, control characters, unknown enum values), so a documented route is covered
 * without a test of its own.
 *
 * <p>Every refusal must be a 4xx in the JSON error shape ({@code {error, message}}, or
 * {@code {status, message}} under {@code /api/v2/}), never a 5xx and never HTML; and the database must
 * hold nothing from a refused request (rows of accounts, API keys, chatbots, endpoints and events are
 * counted with plain JDBC before and after each one).
 *
 * <p>One kind of hostile input is not refused, by design: SQL and script fragments in free-text fields
 * (an account or chatbot name, an endpoint description, the content of a chat) are data like any other
 * text. For those the answer must be a 2xx that stores the text exactly (bound as an SQL parameter,
 * JSON-escaped on the way out) or a 4xx; never a 5xx. Escaping such text for HTML is the renderer's job.
 * Likewise an event's unknown top-level field, whatever its name, is accepted and kept as sent (unless
 * {@code CHATWIRE_STRICT_EVENTS} is on).
 */
@Timeout(900)
class HostileInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper ESCAPING = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] COUNTED = {"accounts", "api_keys", "chatbots", "endpoints", "events"};
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)}");

    /** Strings that try to break out of SQL, HTML, templates and paths. */
    static final List<String> FRAGMENTS = List.of(
            "'; DROP TABLE events;--",
            "<script>alert(1)</script>",
            "\" OR \"1\"=\"1",
            "1); DELETE FROM accounts; --",
            "${jndi:ldap://127.0.0.1/a}",
            "../../../../etc/passwd",
            "\u0000",
            "nul\u0000byte",
            "\ud800",
            "\u202e\u0007\u001b[31m",
            "x".repeat(3000));

    private static RunningChatwire chatwire;
    private static TestReceiver receiver;
    private static TestAccount account;
    private static JsonNode doc;
    private static final Map<String, String> IDS = new HashMap<>();
    /**
     * A second tenant for the boundary values: some of them are valid and change what they touch (an
     * endpoint limit of 0, an empty description), which must not change what the other attacks meet.
     */
    private static TestAccount edgeAccount;
    private static final Map<String, String> EDGE_IDS = new HashMap<>();
    /** The boundary values' random strings come from this seed (-Dchatwire.test.seed to vary it). */
    private static final long SEED = Long.getLong("chatwire.test.seed", 20261125L);
    private static int requests;
    /** One connection for the thousands of row counts (a new PostgreSQL connection each time is slow). */
    private static java.sql.Connection jdbc;

    @BeforeAll
    static void start() throws Exception {
        // Wrong tokens are sent by the hundred: the throttle on failed authentication would soon turn
        // them all into 429s (AbuseLimitsTest covers it). The ingest rate is off for the same reason.
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_AUTH_FAILURE_LIMIT", "0", "CHATWIRE_INGEST_RATE", "0"));
        receiver = TestReceiver.start();
        account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        IDS.put("accountId", account.id());
        IDS.put("chatbotId", chatbot);
        IDS.put("endpointId", chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true));
        IDS.put("eventId", chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "hello")));
        IDS.put("keyId", chatwire.operator().post("/v1/accounts/" + account.id() + "/api-keys", "").text("id"));
        doc = JSON.readTree(send("GET", "/openapi.json", Map.of(), null).body());
        edgeAccount = chatwire.createAccount("standard");
        String edgeChatbot = chatwire.createChatbot(edgeAccount);
        EDGE_IDS.put("accountId", edgeAccount.id());
        EDGE_IDS.put("chatbotId", edgeChatbot);
        EDGE_IDS.put("endpointId", chatwire.createEndpoint(edgeAccount, edgeChatbot, receiver.url().toString(),
                "[\"chat\"]", true));
        EDGE_IDS.put("eventId", chatwire.postEvent(RunningChatwire.chatEvent(edgeChatbot, "edge")));
        EDGE_IDS.put("keyId", chatwire.operator().post("/v1/accounts/" + edgeAccount.id() + "/api-keys", "").text("id"));
        jdbc = chatwire.openJdbc();
        jdbc.setAutoCommit(true);
    }

    @AfterAll
    static void stop() {
        if (jdbc != null) {
            try {
                jdbc.close();
            } catch (java.sql.SQLException ignored) {
                // closing a read connection
            }
        }
        if (chatwire != null) {
            System.out.printf("hostile input: %d requests%n", requests);
            chatwire.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    // --- the routes -----------------------------------------------------------------------------

    /** A registered route: its method, path template, who may call it, and a valid body if it takes one. */
    record Route(String method, String template) {
        String key() {
            return method + " " + template;
        }

        String path(Map<String, String> params) {
            Matcher m = PARAM.matcher(template);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = params.getOrDefault(m.group(1), IDS.getOrDefault(m.group(1), "probe"));
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            return m.appendTail(sb).toString();
        }

        String path() {
            return path(Map.of());
        }

        List<String> params() {
            List<String> names = new ArrayList<>();
            Matcher m = PARAM.matcher(template);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        JsonNode operation() {
            return doc.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        }

        /** The token that may call it: the operator's, an account key, or none for a public route. */
        String token() {
            Set<String> schemes = new TreeSet<>();
            operation().path("security").forEach(req -> req.fieldNames().forEachRemaining(schemes::add));
            if (schemes.contains("operatorToken")) {
                return RunningChatwire.ADMIN_TOKEN;
            }
            if (schemes.contains("accountApiKey")) {
                return account.apiKey();
            }
            if (!operation().isMissingNode()) {
                return null;
            }
            // Not (yet) in openapi.json: ask the server. An account key on an operator route gets 403.
            return UNDOCUMENTED_ROLES.computeIfAbsent(key(), k -> send(method, path(), auth(account.apiKey()),
                    takesBody() ? "{}".getBytes(StandardCharsets.UTF_8) : null).statusCode() == 403
                    ? RunningChatwire.ADMIN_TOKEN : account.apiKey());
        }

        boolean takesBody() {
            return operation().has("requestBody") || BODIES.containsKey(key());
        }

        /** A body the route accepts, to be broken one part at a time. */
        String validBody() {
            return BODIES.getOrDefault(key(), ids -> "{}").apply(IDS);
        }
    }

    /** Valid bodies, built from a set of ids (the main tenant's, or the boundary tenant's). */
    private static final Map<String, Function<Map<String, String>, String>> BODIES = new LinkedHashMap<>();
    private static final Map<String, String> UNDOCUMENTED_ROLES = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        BODIES.put("POST /v1/accounts", ids -> "{\"name\":\"Hostile Inc\",\"plan\":\"standard\"}");
        BODIES.put("PATCH /v1/accounts/{accountId}", ids -> "{\"name\":\"Renamed\",\"plan\":\"standard\"}");
        BODIES.put("POST /v1/accounts/{accountId}/chatbots", ids -> "{\"name\":\"Platform bot\",\"id\":\"platform_bot_1\"}");
        BODIES.put("PUT /v1/chatbots/{chatbotId}/endpoint-limit", ids -> "{\"endpoint_limit\":3}");
        BODIES.put("POST /v1/events", ids -> RunningChatwire.chatEvent(ids.get("chatbotId"), "question"));
        BODIES.put("POST /v1/chatbots", ids -> "{\"name\":\"Bot\"}");
        BODIES.put("PATCH /v1/chatbots/{chatbotId}", ids -> "{\"name\":\"Bot 2\"}");
        BODIES.put("POST /v1/chatbots/{chatbotId}/endpoints", ids -> "{\"url\":\"" + receiver.url("/second")
                + "\",\"content_type\":\"application/json\",\"events\":[\"chat\"],\"description\":\"second\","
                + "\"enabled\":true}");
        BODIES.put("PATCH /v1/endpoints/{endpointId}", ids -> "{\"url\":\"" + receiver.url()
                + "\",\"content_type\":\"text/plain\",\"events\":[\"chat\"],\"description\":\"first\","
                + "\"enabled\":true}");
        BODIES.put("POST /v1/endpoints/{endpointId}/recover", ids -> "{\"since\":\"2026-01-01T00:00:00Z\"}");
        BODIES.put("POST /v1/events/{eventId}/resend", ids -> "{\"endpoint_id\":\"" + ids.get("endpointId") + "\"}");
        BODIES.put("POST /api/v2/add-webhook", ids -> "{\"url\":\"" + receiver.url() + "\",\"event\":\"chat\",\"chatbotId\":\""
                + ids.get("chatbotId") + "\"}");
        BODIES.put("POST /api/v2/delete-webhook", ids -> "{\"url\":\"" + receiver.url("/none") + "\",\"chatbotId\":\""
                + ids.get("chatbotId") + "\"}");
    }

    /** Fields whose strings are free text: hostile fragments there may be stored, as text. */
    private static boolean freeText(Route route, String path) {
        if (route.key().equals("POST /v1/events")) {
            return !path.equals("event") && !path.equals("chatbot_id");
        }
        return path.equals("name") || path.equals("description");
    }

    private static List<Route> routes() throws IOException {
        return OpenApiDocumentTest.registeredRoutes().stream()
                .map(r -> new Route(r.substring(0, r.indexOf(' ')), r.substring(r.indexOf(' ') + 1)))
                .toList();
    }

    // --- the attacks ----------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> malformedTruncatedAndOddJsonBodies() throws IOException {
        List<String> malformed = List.of("{", "}", "{\"name\":}", "{\"name\" \"x\"}", "{\"name\":\"x\",}",
                "{'name':'x'}", "{\"name\":\"x\"}{\"name\":\"y\"}", "{\"name\":\"x\",\"name\":\"y\"}", "", "   ",
                "null", "[]", "123", "\"text\"", "true", "{\"a\":NaN}", "{/*c*/\"name\":\"x\"}", "{\"name\":\"x\"",
                "{\"\u0000\":1}", "{\"name\":\"\\x41\"}", "{\"name\":\"a\nb\"}");
        return bodyRoutes().map(route -> DynamicContainer.dynamicContainer(route.key(), Stream.concat(
                malformed.stream().map(body -> dynamicTest("malformed " + show(body),
                        () -> refused(route, body, route.token()))),
                truncations(route.validBody()).stream().map(body -> dynamicTest("truncated to " + body.length(),
                        () -> refused(route, body, route.token()))))));
    }

    @TestFactory
    Stream<DynamicNode> wrongTypesHugeNumbersAndDeepNesting() throws IOException {
        List<JsonNode> wrong = List.of(JSON.valueToTree(123), JSON.valueToTree(-1.5), JSON.valueToTree(true),
                JSON.createArrayNode(), JSON.createObjectNode(), JSON.valueToTree("text"),
                JSON.createArrayNode().add(1).add("a"), JSON.createObjectNode().put("a", 1));
        List<String> huge = List.of("1e999999", "-1e999999", "9".repeat(400), "-" + "9".repeat(400),
                "123456789012345678901234567890.5e300000");
        return bodyRoutes().map(route -> {
            List<DynamicNode> tests = new ArrayList<>();
            JsonNode valid = parse(route.validBody());
            for (String path : valuePaths(valid, "")) {
                if (path.startsWith("lead.") && !path.equals("lead.uuid")) {
                    continue; // a lead's form fields are free-form by design
                }
                JsonNodeType type = at(valid, path).getNodeType();
                for (JsonNode w : wrong) {
                    if (w.getNodeType() != type) {
                        tests.add(dynamicTest(path + " = " + w, () -> refused(route, replaced(valid, path, w), route.token())));
                    }
                }
                for (String h : huge) {
                    String body = replaced(valid, path, JSON.valueToTree("__HUGE__")).replace("\"__HUGE__\"", h);
                    if (type == JsonNodeType.NUMBER && route.key().equals("POST /v1/events")) {
                        // An event's numbers are kept exactly as sent (1e400 stays 1e400): valid, if odd.
                        tests.add(dynamicTest(path + " = " + show(h) + " (kept as sent)",
                                () -> storedExactlyOrRefused(route, body, null)));
                    } else {
                        tests.add(dynamicTest(path + " = " + show(h), () -> refused(route, body, route.token())));
                    }
                }
                tests.add(dynamicTest(path + " nested 64 deep", () -> refused(route, replaced(valid, path,
                        JSON.valueToTree("__DEEP__")).replace("\"__DEEP__\"", "[".repeat(64) + "]".repeat(64)),
                        route.token())));
            }
            tests.add(dynamicTest("body nested 100000 deep", () -> refused(route, "[".repeat(100_000), route.token())));
            tests.add(dynamicTest("objects nested 50000 deep", () -> refused(route, "{\"a\":".repeat(50_000), route.token())));
            String hostileName = ((ObjectNode) valid.deepCopy()).put("'; DROP TABLE events;--", 1).toString();
            if (route.key().equals("POST /v1/events")) {
                // An event's unknown top-level field is accepted (CHATWIRE_STRICT_EVENTS is off) and kept
                // as sent; UnknownEventFieldsTest checks the strict mode's refusal.
                tests.add(dynamicTest("unknown field with a hostile name (kept as sent)",
                        () -> eventStoredExactly(route, hostileName)));
            } else {
                tests.add(dynamicTest("unknown field with a hostile name", () -> refused(route, hostileName,
                        route.token())));
            }
            return DynamicContainer.dynamicContainer(route.key(), tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> invalidUtf8() throws IOException {
        List<byte[]> sequences = List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, 0x28},
                new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0x80},
                new byte[] {(byte) 0xe2, (byte) 0x82});
        return bodyRoutes().map(route -> {
            List<DynamicNode> tests = new ArrayList<>();
            JsonNode valid = parse(route.validBody());
            List<String> strings = valuePaths(valid, "").stream()
                    .filter(p -> at(valid, p).isTextual()).toList();
            for (String path : strings) {
                for (byte[] bad : sequences) {
                    tests.add(dynamicTest(path + " with " + hex(bad), () -> {
                        String text = replaced(valid, path, JSON.valueToTree("a__BAD__b"));
                        refusedBytes(route, splice(text, "__BAD__", bad), route.token());
                    }));
                }
            }
            tests.add(dynamicTest("field name with 0xff", () -> refusedBytes(route,
                    splice("{\"__BAD__\":1}", "__BAD__", new byte[] {(byte) 0xff}), route.token())));
            return DynamicContainer.dynamicContainer(route.key(), tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> tenMegabyteBodies() throws IOException {
        return routes().stream().map(route -> DynamicContainer.dynamicContainer(route.key(), Stream.of(
                dynamicTest("declared 10 MB", () -> assertNothingStored(() -> checkRefusal(route.path(),
                        rawLarge(route, route.token(), false)))),
                dynamicTest("chunked 10 MB", () -> {
                    if (route.takesBody()) {
                        assertNothingStored(() -> checkRefusal(route.path(), rawLarge(route, route.token(), true)));
                    }
                }))));
    }

    @TestFactory
    Stream<DynamicNode> missingDoubledAndWrongCredentials() throws IOException {
        return routes().stream().filter(r -> r.token() != null).map(route -> {
            String body = route.takesBody() ? route.validBody() : null;
            String token = route.token();
            List<DynamicNode> tests = new ArrayList<>();
            tests.add(dynamicTest("no Authorization", () -> refused(route, body, Map.of())));
            tests.add(dynamicTest("doubled Authorization", () -> refused(route, body,
                    Map.of("Authorization", List.of("Bearer " + token, "Bearer " + token)))));
            for (String wrong : List.of("Bearer " + token + "x", "Bearer ", "Bearer", "Basic " + token, token,
                    "Bearer " + "'; DROP TABLE accounts;--", "Bearer <script>alert(1)</script>",
                    "Bearer " + "x".repeat(5000), "bearer\t" + token.substring(1))) {
                tests.add(dynamicTest("Authorization: " + show(wrong), () -> refused(route, body,
                        Map.of("Authorization", List.of(wrong)))));
            }
            String other = token.equals(RunningChatwire.ADMIN_TOKEN) ? account.apiKey() : RunningChatwire.ADMIN_TOKEN;
            tests.add(dynamicTest("the other kind of token", () -> refused(route, body,
                    Map.of("Authorization", List.of("Bearer " + other)))));
            return DynamicContainer.dynamicContainer(route.key(), tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> idempotencyKeys() throws IOException {
        Route ingest = new Route("POST", "/v1/events");
        String body = ingest.validBody();
        List<List<String>> bad = List.of(List.of("k-1", "k-2"), List.of("same", "same"), List.of(""),
                List.of("has space"), List.of("x".repeat(300)), List.of("'; DROP TABLE events;--"),
                List.of("tab\tinside"));
        return bad.stream().map(values -> dynamicTest("Idempotency-Key " + show(values.toString()), () -> refused(
                ingest, body, Map.of("Authorization", List.of("Bearer " + RunningChatwire.ADMIN_TOKEN),
                        "Idempotency-Key", values)))).map(t -> (DynamicNode) t);
    }

    @TestFactory
    Stream<DynamicNode> hostilePathParameters() throws IOException {
        List<String> values = new ArrayList<>(FRAGMENTS.stream().map(HostileInputTest::encode).toList());
        values.addAll(List.of("%FF%FE", "%C0%AF", "..%2F..%2Fopenapi.json", "%2e%2e", "%00", "x".repeat(3000)));
        return routes().stream().filter(r -> !r.params().isEmpty()).map(route -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String param : route.params()) {
                for (String v : values) {
                    tests.add(dynamicTest(param + " = " + show(v), () -> refused(route, route.path(Map.of(param, v)),
                            route.takesBody() ? route.validBody() : null, auth(route.token()))));
                }
            }
            return DynamicContainer.dynamicContainer(route.key(), tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> hostileQueryParameters() throws IOException {
        List<String> validated = List.of("limit", "since", "until", "status", "event", "outcome", "from", "to");
        List<String> filters = List.of("chatbot_id", "endpoint_id", "event_id", "cursor");
        return routes().stream().filter(r -> r.method().equals("GET") && r.token() != null).map(route -> {
            List<DynamicNode> tests = new ArrayList<>();
            for (String v : Stream.concat(FRAGMENTS.stream(), Stream.of("-1", "1e99", "99999999999999999999", "0"))
                    .toList()) {
                for (String name : validated) {
                    tests.add(dynamicTest(name + " = " + show(v), () -> acceptedOrRefused(route,
                            route.path() + "?" + name + "=" + encode(v), null, auth(route.token()))));
                }
                for (String name : filters) {
                    tests.add(dynamicTest(name + " = " + show(v), () -> acceptedOrRefused(route,
                            route.path() + "?" + name + "=" + encode(v), null, auth(route.token()))));
                }
            }
            return DynamicContainer.dynamicContainer(route.key(), tests);
        });
    }

    @TestFactory
    Stream<DynamicNode> unregisteredMethods() throws IOException {
        Map<String, Set<String>> methodsOfPath = new LinkedHashMap<>();
        for (Route r : routes()) {
            methodsOfPath.computeIfAbsent(r.template(), k -> new TreeSet<>()).add(r.method());
        }
        List<DynamicNode> tests = new ArrayList<>();
        methodsOfPath.forEach((template, registered) -> {
            for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND")) {
                if (!registered.contains(method)) {
                    Route route = new Route(method, template);
                    String token = new Route(registered.iterator().next(), template).token();
                    tests.add(dynamicTest(method + " " + template, () -> refused(route, route.path(),
                            METHODS.contains(method) && !method.equals("GET") ? "{}" : null, auth(token))));
                }
            }
        });
        return tests.stream();
    }

    /** SQL and script fragments in every string field: refused, or (free text only) stored exactly. */
    @TestFactory
    Stream<DynamicNode> sqlAndScriptFragmentsInEveryStringField() throws IOException {
        return bodyRoutes().map(route -> {
            List<DynamicNode> tests = new ArrayList<>();
            JsonNode valid = parse(route.validBody());
            for (String path : valuePaths(valid, "")) {
                if (!at(valid, path).isTextual()) {
                    continue;
                }
                for (String fragment : FRAGMENTS) {
                    String body = replaced(valid, path, JSON.valueToTree(fragment));
                    if (freeText(route, path)) {
                        tests.add(dynamicTest(path + " = " + show(fragment) + " (free text)",
                                () -> storedExactlyOrRefused(route, body, fragment)));
                    } else {
                        tests.add(dynamicTest(path + " = " + show(fragment), () -> refused(route, body, route.token())));
                    }
                }
            }
            return DynamicContainer.dynamicContainer(route.key(), tests);
        });
    }

    // --- boundary values, generated from the OpenAPI document ------------------------------------

    /**
     * Every parameter of every operation in {@code /openapi.json} — path, query and header parameters
     * and every request body property — at the boundary values its schema calls for
     * ({@link BoundaryCases}), one parameter at a time (the date parameters of a route also together),
     * as the second tenant. Never a 5xx: a 4xx in the JSON error shape with nothing stored, and a 400
     * names the parameter; or a 2xx with a JSON answer.
     */
    @TestFactory
    Stream<DynamicNode> boundaryValuesOfEveryDocumentedParameter() {
        BoundaryCases generator = new BoundaryCases(doc, SEED);
        return generator.operations().stream().map(op -> {
            JsonNode valid = Optional.ofNullable(BODIES.get(op.key())).map(b -> parse(b.apply(EDGE_IDS)))
                    .orElseGet(() -> generator.exampleBody(op));
            return DynamicContainer.dynamicContainer(op.key() + " (seed " + SEED + ")",
                    generator.of(op, op.bodySchema().map(s -> valid)).stream()
                            .map(c -> dynamicTest(c.label(), () -> boundary(op, c, valid))));
        });
    }

    private static void boundary(BoundaryCases.Operation op, BoundaryCases.Case c, JsonNode validBody) {
        Map<String, String> params = new HashMap<>(EDGE_IDS);
        List<String> query = new ArrayList<>();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String body = op.bodySchema().isPresent() ? validBody.toString() : null;
        switch (c.where()) {
            case PATH -> params.put(c.name(), c.value());
            case QUERY -> (c.together().isEmpty() ? List.of(c.name()) : c.together())
                    .forEach(name -> query.add(name + "=" + BoundaryCases.encoded(c.value())));
            case HEADER -> headers.add(Map.entry(c.name(), c.value()));
            case BODY -> body = BoundaryCases.replaced(validBody, c.name(), c.value());
        }
        if (op.security().contains("operatorToken")) {
            headers.add(Map.entry("Authorization", "Bearer " + RunningChatwire.ADMIN_TOKEN));
        } else if (op.security().contains("accountApiKey")) {
            headers.add(Map.entry("Authorization", "Bearer " + edgeAccount.apiKey()));
        }
        String path = new Route(op.method(), op.template()).path(params) + (query.isEmpty() ? "" : "?" + String.join("&", query));
        Map<String, Long> before = DatabaseDump.counts(jdbc, COUNTED);
        RawAnswer r = rawExchange(op.method(), path, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        String what = op.key() + " " + c.label() + " -> " + r.status() + " "
                + r.body().substring(0, Math.min(300, r.body().length()));
        assertThat(r.status()).as("never a 5xx: " + what).isLessThan(500);
        if (r.status() >= 400) {
            checkRefusal(path, r);
            assertThat(DatabaseDump.counts(jdbc, COUNTED)).as("rows after a refused request: " + what).isEqualTo(before);
            JsonNode error = parse(r.body());
            // A refusal by a route (not Jetty's own, before any route) says which parameter is wrong.
            if (r.status() == 400 && c.where() != BoundaryCases.Where.PATH
                    && !error.path("error").asText().equals("bad_request")) {
                String message = error.path("message").asText().toLowerCase(Locale.ROOT);
                assertThat(c.names()).as("names the parameter: " + what)
                        .anyMatch(name -> message.contains(name.toLowerCase(Locale.ROOT)));
            }
        } else if (r.status() != 204) {
            assertThat(r.contentType()).as(what).startsWith("application/json");
            parse(r.body());
        }
    }

    /** One request over a plain socket, sent byte for byte (headers in UTF-8, nothing checked on our side). */
    private static RawAnswer rawExchange(String method, String target, List<Map.Entry<String, String>> headers,
            byte[] body) {
        requests++;
        URI base = URI.create(chatwire.baseUrl());
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(30_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> h : headers) {
                out.writeBytes((h.getKey() + ": " + h.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (body != null) {
                out.writeBytes(("Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
            } else if (!method.equals("GET") && !method.equals("DELETE")) {
                out.writeBytes("Content-Length: 0\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.writeBytes(body);
            }
            try {
                s.getOutputStream().write(out.toByteArray());
                s.getOutputStream().flush();
            } catch (IOException stoppedReading) {
                // The server answered early and closed: what it said is read below.
            }
            return readAnswer(s.getInputStream(), method + " " + target);
        } catch (IOException e) {
            throw new AssertionError(method + " " + target + ": " + e, e);
        }
    }

    private static RawAnswer readAnswer(InputStream in, String what) throws IOException {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        assertThat(split).as("an HTTP answer to " + what + ": " + text).isPositive();
        String head = text.substring(0, split);
        String contentType = "";
        boolean chunked = false;
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                contentType = line.substring(13).strip();
            }
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = split + 4;
        if (chunked) {
            while (true) {
                int eol = text.indexOf("\r\n", at);
                int size = Integer.parseInt(text.substring(at, eol).split(";")[0].strip(), 16);
                if (size == 0) {
                    break;
                }
                body.write(all, eol + 2, size);
                at = eol + 2 + size + 2;
            }
        } else {
            body.write(all, at, all.length - at);
        }
        return new RawAnswer(Integer.parseInt(head.substring(9, 12)), contentType,
                body.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theTablesSurvive() {
        List<String> tables = DatabaseDump.tables(chatwire);
        assertThat(tables).contains(COUNTED);
        Map<String, Long> counts = DatabaseDump.counts(jdbc, COUNTED);
        assertThat(counts.get("events")).isPositive();
        assertThat(counts.get("accounts")).isPositive();
    }

    // --- checks ---------------------------------------------------------------------------------

    private static Stream<Route> bodyRoutes() throws IOException {
        return routes().stream().filter(Route::takesBody);
    }

    private static Map<String, List<String>> auth(String token) {
        return token == null ? Map.of() : Map.of("Authorization", List.of("Bearer " + token));
    }

    private static void refused(Route route, String body, String token) {
        refused(route, route.path(), body, auth(token));
    }

    private static void refused(Route route, String body, Map<String, List<String>> headers) {
        refused(route, route.path(), body, headers);
    }

    private static void refused(Route route, String path, String body, Map<String, List<String>> headers) {
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        assertNothingStored(() -> checkRefusal(path, send(route.method(), path, headers, bytes)));
    }

    private static void refusedBytes(Route route, byte[] body, String token) {
        assertNothingStored(() -> checkRefusal(route.path(), send(route.method(), route.path(), auth(token), body)));
    }

    /** For filters: a 2xx (the value simply matches nothing) or a JSON 4xx; never a 5xx. */
    private static void acceptedOrRefused(Route route, String path, String body, Map<String, List<String>> headers) {
        assertNothingStored(() -> {
            HttpResponse<String> r = send(route.method(), path, headers, body == null ? null
                    : body.getBytes(StandardCharsets.UTF_8));
            if (r.statusCode() >= 300) {
                checkRefusal(path, r);
            } else {
                assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
                parse(r.body());
            }
        });
    }

    /** Free text: either refused (JSON 4xx, nothing stored) or accepted and readable back exactly. */
    private static void storedExactlyOrRefused(Route route, String body, String fragment) {
        Map<String, Long> before = DatabaseDump.counts(jdbc, COUNTED);
        HttpResponse<String> r = send(route.method(), route.path(), auth(route.token()),
                body.getBytes(StandardCharsets.UTF_8));
        if (r.statusCode() >= 300) {
            checkRefusal(route.path(), r);
            assertThat(DatabaseDump.counts(jdbc, COUNTED)).as("rows after a refused request").isEqualTo(before);
            return;
        }
        JsonNode answer = parse(r.body());
        if (fragment == null) {
            return;
        }
        if (route.key().equals("POST /v1/events")) {
            // The event is stored exactly as sent: read it back and find the fragment in it.
            JsonNode stored = parse(send("GET", "/v1/events/" + answer.path("id").asText(), auth(account.apiKey()),
                    null).body());
            assertThat(containsText(stored, fragment) || stored.toString().contains(JSON.valueToTree(fragment).toString()
                    .replaceAll("^\"|\"$", ""))).as(stored.toString()).isTrue();
        } else {
            assertThat(containsText(answer, fragment)).as("the answer holds the text exactly: " + r.body()).isTrue();
        }
        // The fragment did nothing but be stored: the tables are all there.
        assertThat(DatabaseDump.tables(chatwire)).contains(COUNTED);
    }

    /** An event accepted and read back with its payload exactly as sent; the tables are all there. */
    private static void eventStoredExactly(Route route, String body) {
        HttpResponse<String> r = send(route.method(), route.path(), auth(route.token()),
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String stored = send("GET", "/v1/events/" + parse(r.body()).path("id").asText(), auth(account.apiKey()), null)
                .body();
        assertThat(stored).as("the payload is served raw, as sent").contains(body);
        assertThat(DatabaseDump.tables(chatwire)).contains(COUNTED);
    }

    private static void assertNothingStored(Runnable request) {
        Map<String, Long> before = DatabaseDump.counts(jdbc, COUNTED);
        request.run();
        assertThat(DatabaseDump.counts(jdbc, COUNTED)).as("rows after a refused request").isEqualTo(before);
    }

    private static void checkRefusal(String path, HttpResponse<String> r) {
        checkRefusal(path, r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    }

    private static void checkRefusal(String path, RawAnswer r) {
        checkRefusal(path, r.status(), r.contentType(), r.body());
    }

    private static void checkRefusal(String path, int status, String contentType, String body) {
        String what = status + " " + contentType + " " + body.substring(0, Math.min(300, body.length()));
        assertThat(status).as("a refusal (4xx): " + what).isBetween(400, 499);
        assertThat(contentType).as("JSON, not HTML: " + what).startsWith("application/json");
        assertThat(body.stripLeading()).as(what).doesNotStartWith("<");
        JsonNode json = parse(body);
        assertThat(json.isObject()).as(what).isTrue();
        if (path.startsWith("/api/v2/")) {
            assertThat(json.path("status").asText()).as(what).isEqualTo("error");
        } else {
            assertThat(json.path("error").asText()).as(what).isNotBlank();
        }
        assertThat(json.path("message").asText()).as(what).isNotBlank();
    }

    // --- JSON surgery ---------------------------------------------------------------------------

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text.substring(0, Math.min(300, text.length())), e);
        }
    }

    /** Dotted paths of every value in the document ({@code messages.0.content}), containers included. */
    private static List<String> valuePaths(JsonNode node, String prefix) {
        List<String> paths = new ArrayList<>();
        if (node.isObject()) {
            node.properties().forEach(e -> {
                String p = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                paths.add(p);
                if (p.split("\\.").length < 3) {
                    paths.addAll(valuePaths(e.getValue(), p));
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String p = prefix + "." + i;
                paths.add(p);
                paths.addAll(valuePaths(node.get(i), p));
            }
        }
        return paths;
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            n = n.isArray() ? n.get(Integer.parseInt(part)) : n.get(part);
        }
        return n;
    }

    private static String replaced(JsonNode root, String path, JsonNode value) {
        JsonNode copy = root.deepCopy();
        String[] parts = path.split("\\.");
        JsonNode parent = copy;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(parts[i])) : parent.get(parts[i]);
        }
        String last = parts[parts.length - 1];
        if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
        try {
            // Non-ASCII escaped, so that a lone surrogate reaches the server as sent.
            return ESCAPING.writeValueAsString(copy);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean containsText(JsonNode node, String text) {
        if (node.isTextual()) {
            return node.textValue().equals(text) || node.textValue().contains(text);
        }
        for (JsonNode child : node) {
            if (containsText(child, text)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> truncations(String body) {
        int n = body.length();
        return new TreeSet<>(List.of(1, n / 4, n / 2, 3 * n / 4, n - 2, n - 1)).stream()
                .filter(i -> i > 0 && i < n).map(i -> body.substring(0, i)).toList();
    }

    private static byte[] splice(String text, String marker, byte[] bytes) {
        int at = text.indexOf(marker);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text.substring(0, at).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        out.writeBytes(text.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    private static String encode(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String show(String s) {
        String t = s.length() > 40 ? s.substring(0, 37) + "...(" + s.length() + ")" : s;
        StringBuilder sb = new StringBuilder();
        t.codePoints().forEach(c -> sb.append(c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xdfff)
                ? String.format("\\u%04x", c) : Character.toString(c)));
        return sb.toString();
    }

    // --- HTTP -----------------------------------------------------------------------------------

    private static HttpResponse<String> send(String method, String path, Map<String, List<String>> headers,
            byte[] body) {
        requests++;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(chatwire.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        try {
            try {
                return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException staleConnection) {
                // A previous refusal closed a pooled connection (Connection: close) and the client reused
                // it before noticing; more than one pooled connection may be stale, so the second try
                // goes through a client of its own with a fresh connection.
                try (HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                    return fresh.send(b.build(), HttpResponse.BodyHandlers.ofString());
                }
            }
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    record RawAnswer(int status, String contentType, String body) {
    }

    /**
     * A 10 MB body over a plain socket (declared with Content-Length, or chunked with none), written
     * until the server has answered and stopped reading; then the answer is read.
     */
    private static RawAnswer rawLarge(Route route, String token, boolean chunked) {
        requests++;
        URI base = URI.create(chatwire.baseUrl());
        int size = 10 * 1024 * 1024;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            StringBuilder head = new StringBuilder(route.method() + " " + route.path() + " HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\nContent-Type: application/json\r\n");
            if (token != null) {
                head.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n").append("\r\n");
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            chunk[0] = '[';
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                for (int sent = 0; sent < size; sent += chunk.length) {
                    if (chunked) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.write(chunk);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    chunk[0] = ' ';
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            } catch (IOException stoppedReading) {
                // The server answered early and closed: what it said is read below.
            }
            return readAnswer(s.getInputStream(), route.key());
        } catch (IOException e) {
            throw new AssertionError(route.key() + ": " + e, e);
        }
    }
}
