package io.chatwire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server-sent events client as a customer's code would write one: a GET with the bearer token and
 * optionally Last-Event-ID, the stream parsed (events and comments) on a thread of its own into lists
 * a test reads. A refused request (not 200) keeps its JSON body instead.
 */
public final class EventStreamClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One event: its {@code event:} name, {@code id:} and data parsed as JSON. */
    public record Event(String name, String id, JsonNode data) {
    }

    private final HttpResponse<InputStream> response;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final Optional<JsonNode> refusal;
    private volatile boolean ended;

    private EventStreamClient(HttpResponse<InputStream> response) throws IOException {
        this.response = response;
        if (response.statusCode() != 200) {
            try (InputStream in = response.body()) {
                refusal = Optional.of(JSON.readTree(in));
            }
            ended = true;
            return;
        }
        refusal = Optional.empty();
        Thread.ofVirtual().name("sse-test-reader").start(this::read);
    }

    /** Opens {@code path} (with its query) with the token and, if given, a Last-Event-ID. */
    public static EventStreamClient open(String baseUrl, String path, String token, Optional<String> lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token)
                .GET();
        lastEventId.ifPresent(id -> b.header("Last-Event-ID", id));
        try {
            return new EventStreamClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String name = "message";
            String id = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(name, id, JSON.readTree(data.toString())));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
                }
            }
        } catch (IOException closed) {
            // Closed by the test, or the server ended the stream.
        } finally {
            ended = true;
        }
    }

    public int status() {
        return response.statusCode();
    }

    public Optional<String> header(String name) {
        return response.headers().firstValue(name);
    }

    /** The JSON error of a refused request. */
    public JsonNode refusal() {
        return refusal.orElseThrow(() -> new IllegalStateException("the stream was not refused"));
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The data of the {@code attempt} events so far. */
    public List<JsonNode> attempts() {
        return events.stream().filter(e -> e.name().equals("attempt")).map(Event::data).toList();
    }

    public List<String> comments() {
        return List.copyOf(comments);
    }

    public boolean ended() {
        return ended;
    }

    /** The id of the last event received: what a reconnecting client sends as Last-Event-ID. */
    public Optional<String> lastEventId() {
        return events.isEmpty() ? Optional.empty() : Optional.ofNullable(events.getLast().id());
    }

    /** Hangs up, as a client that leaves does. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** Headers of the response, for assertions on the stream's framing. */
    public Map<String, List<String>> headers() {
        return response.headers().map();
    }
}
