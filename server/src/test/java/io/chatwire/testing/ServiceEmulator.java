package io.chatwire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;

/**
 * The common part of a chat service's webhook emulator on loopback: takes POSTs, checks them against
 * the service's contract (its subclass), paces them like the service's rate limit, and keeps what it
 * accepted. Tests can queue answers that the next requests get instead (the service's error bodies).
 */
public abstract sealed class ServiceEmulator implements AutoCloseable permits SlackEmulator, DiscordEmulator {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A request the emulator got, whatever it answered. */
    public record Request(Instant at, String path, String contentType, String body, int answeredStatus) {
    }

    /** An answer the emulator gives; {@code headers} besides the content type. */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<JsonNode> accepted = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Answer> queued = new ConcurrentLinkedDeque<>();
    private volatile Duration minInterval = Duration.ZERO;
    private Instant lastAccepted = Instant.EPOCH;

    ServiceEmulator() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The service's checks: a refusal as the service would answer it, or empty when the message is fine. */
    abstract java.util.Optional<Answer> refusal(String path, String contentType, JsonNode message);

    /** The service's answer to an accepted message. */
    abstract Answer success(String query);

    /** The service's answer when the rate limit is hit, {@code wait} before the next message may come. */
    abstract Answer rateLimited(Duration wait);

    /** Accepts at most one message per {@code interval}; those in between get the service's 429. */
    public void limitTo(Duration interval) {
        this.minInterval = interval;
    }

    /** The next requests get these answers, in order, before the emulator works normally again. */
    void queue(Answer answer) {
        queued.add(answer);
    }

    /** Forgets what was received and any pacing or queued answers. */
    public void reset() {
        requests.clear();
        accepted.clear();
        queued.clear();
        minInterval = Duration.ZERO;
        synchronized (this) {
            lastAccepted = Instant.EPOCH;
        }
    }

    /** The messages the service took, in order, as JSON. */
    public List<JsonNode> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
        String path = exchange.getRequestURI().getRawPath();
        Answer answer = decide(path, exchange.getRequestURI().getRawQuery(), contentType, body);
        requests.add(new Request(Instant.now(), path, contentType, body, answer.status()));
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        if (!answer.contentType().isEmpty()) {
            exchange.getResponseHeaders().add("Content-Type", answer.contentType());
        }
        exchange.sendResponseHeaders(answer.status(), answer.status() == 204 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (answer.status() != 204) {
                out.write(bytes);
            }
        }
    }

    private Answer decide(String path, String query, String contentType, String body) {
        Answer forced = queued.poll();
        if (forced != null) {
            return forced;
        }
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (IOException e) {
            message = null;
        }
        java.util.Optional<Answer> refused = refusal(path, contentType, message);
        if (refused.isPresent()) {
            return refused.get();
        }
        synchronized (this) {
            Instant now = Instant.now();
            Duration since = Duration.between(lastAccepted, now);
            if (since.compareTo(minInterval) < 0) {
                return rateLimited(minInterval.minus(since));
            }
            lastAccepted = now;
            accepted.add(message);
        }
        return success(query == null ? "" : query);
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** The length as the services count it at most: UTF-16 units (what JavaScript's length says). */
    static int length(JsonNode text) {
        return text == null || !text.isTextual() ? 0 : text.textValue().length();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
