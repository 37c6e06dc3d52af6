package io.chatwire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small JSON client for the Chatwire API, as a customer's code would call it. */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String token;

    public ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public ApiClient as(String otherToken) {
        return new ApiClient(baseUrl, otherToken);
    }

    /** A response: status, headers and the body parsed as JSON (or the raw text in "raw"). */
    public record Response(int status, JsonNode json, String raw, Map<String, java.util.List<String>> headers) {
        public String text(String field) {
            return json.path(field).asText();
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    public Response get(String path) {
        return send(request(path).GET().build());
    }

    public Response post(String path, String json, String... headers) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public Response postBytes(String path, byte[] body) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").build());
    }

    public Response patch(String path, String json) {
        return send(request(path).method("PATCH", HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").build());
    }

    public Response put(String path, String json) {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").build());
    }

    public Response delete(String path) {
        return send(request(path).DELETE().build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                json = JSON.missingNode();
            }
            return new Response(r.statusCode(), json, r.body(), r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException("request failed: " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
