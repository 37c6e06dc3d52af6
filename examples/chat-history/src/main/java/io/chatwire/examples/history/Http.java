package io.chatwire.examples.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writing answers: JSON bodies, {@code {error, message}} problems and HTML pages. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    public static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    public static void error(HttpExchange exchange, int status, String error, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("error", error).put("message", message);
        json(exchange, status, body);
    }

    public static void html(HttpExchange exchange, int status, String page) throws IOException {
        // Everything on the page is escaped; the policy is the second line: no script runs, nothing
        // is loaded from elsewhere, only the page's own inline style applies.
        exchange.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        send(exchange, status, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
    }

    /** 405 with the one method the route answers. */
    public static boolean onlyMethod(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestMethod().equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        error(exchange, 405, "method_not_allowed", "use " + method);
        return false;
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }
}
