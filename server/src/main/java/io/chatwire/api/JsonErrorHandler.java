package io.chatwire.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals — a request Jetty turns away before any route sees it: headers past the cap
 * (431), a URI too long (414) or malformed (400), a bad HTTP version — answered in Chatwire's JSON
 * error shape instead of Jetty's HTML page, so that every client reads every refusal the same way.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        String path = request.getHttpURI() == null ? "" : request.getHttpURI().getPath();
        byte[] body = body(path == null ? "" : path, code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    static byte[] body(String path, int code) {
        String error = switch (code) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 505 -> "http_version_not_supported";
            default -> code >= 500 ? "internal_error" : "http_" + code;
        };
        String message = switch (code) {
            case 400 -> "the request is malformed (request line, URI encoding or headers)";
            case 413 -> "the body is larger than the server accepts";
            case 414 -> "the URI is longer than the server accepts";
            case 431 -> "the request headers are larger than the server accepts (16 KiB in all)";
            case 505 -> "use HTTP/1.1 or HTTP/2";
            default -> code >= 500 ? "something went wrong on our side" : "the request was refused (HTTP " + code + ")";
        };
        String json = path.startsWith(ChatDataRoutes.PREFIX)
                ? "{\"status\":\"error\",\"message\":\"" + message + "\"}"
                : "{\"error\":\"" + error + "\",\"message\":\"" + message + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
