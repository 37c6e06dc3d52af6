package io.chatwire.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A real HTTP receiver on loopback that records every request it gets (raw body bytes and headers)
 * and answers as the test tells it: a fixed status, a sequence of statuses, a delay, a redirect.
 */
public final class TestReceiver implements AutoCloseable {
    /** One request as received. Header names are lower-cased. */
    public record Received(Instant at, String path, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How to answer. */
    public record Answer(int status, String body, Duration delay, Map<String, String> headers) {
        public static Answer status(int status) {
            return new Answer(status, "", Duration.ZERO, Map.of());
        }

        public Answer withBody(String b) {
            return new Answer(status, b, delay, headers);
        }

        public Answer after(Duration d) {
            return new Answer(status, body, d, headers);
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, body, delay, h);
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Function<Integer, Answer>> behaviour =
            new AtomicReference<>(n -> Answer.status(200).withBody("ok"));

    private TestReceiver(HttpServer server) {
        this.server = server;
    }

    public static TestReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            TestReceiver receiver = new TestReceiver(server);
            server.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                Map<String, List<String>> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
                int n;
                synchronized (receiver.received) {
                    receiver.received.add(new Received(Instant.now(), exchange.getRequestURI().getPath(), headers, body));
                    n = receiver.received.size();
                }
                Answer answer = receiver.behaviour.get().apply(n);
                if (!answer.delay().isZero()) {
                    try {
                        Thread.sleep(answer.delay());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
                try {
                    exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
                    if (out.length > 0) {
                        try (OutputStream os = exchange.getResponseBody()) {
                            os.write(out);
                        }
                    }
                } catch (IOException clientGone) {
                    // The sender gave up (timeout); nothing to answer.
                } finally {
                    exchange.close();
                }
            });
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a test receiver", e);
        }
    }

    /** Answers every request the same way. */
    public TestReceiver answering(Answer answer) {
        behaviour.set(n -> answer);
        return this;
    }

    /** Answers the n-th request (1-based, over the receiver's life) as the function says. */
    public TestReceiver answering(Function<Integer, Answer> byRequestNumber) {
        behaviour.set(byRequestNumber);
        return this;
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public URI url() {
        return url("/hook");
    }

    public List<Received> received() {
        synchronized (received) {
            return Collections.unmodifiableList(new ArrayList<>(received));
        }
    }

    public int count() {
        return received.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
