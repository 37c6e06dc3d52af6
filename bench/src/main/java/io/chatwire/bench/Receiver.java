package io.chatwire.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.chatwire.verify.WebhookVerificationException;
import io.chatwire.verify.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * The webhook receiver: JDK HttpServer on virtual threads, listening on 127.0.0.1 and on further
 * loopback addresses (127.0.1.x for healthy endpoints spread over many hosts, 127.0.2.x for hanging
 * ones), all on one port. Every request's signature is checked with chatwire-verify.
 *
 * <p>Paths say what to do: {@code /h/<acct>/...} answer 204 at once, {@code /bk/<acct>/...} likewise
 * but count as backlog, {@code /hang/<acct>/...} sleep for {@link #hangMillis} first (longer than the
 * server's request timeout), {@code /ceiling/<acct>/...} is for wrk (verified and counted only).
 */
final class Receiver implements AutoCloseable {
    final int port;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<HttpServer> servers = new ArrayList<>();
    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final Map<String, WebhookVerifier> verifiers = new ConcurrentHashMap<>();
    final LongAdder signatureFailures = new LongAdder();
    final LongAdder unknownAccount = new LongAdder();
    final LongAdder ceilingHits = new LongAdder();
    volatile long hangMillis = 20_000;
    volatile Recording recording = new Recording("idle");

    Receiver(int port) throws IOException {
        this.port = port;
        bind("127.0.0.1");
    }

    /** Also listens on this loopback address (same port); a no-op if already bound. */
    synchronized void bind(String loopbackAddress) throws IOException {
        if (!loopbackAddress.startsWith("127.") || !bound.add(loopbackAddress)) {
            return;
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(loopbackAddress), port), 4096);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        servers.add(server);
    }

    void addAccount(String tag, String signingSecret) {
        verifiers.put(tag, WebhookVerifier.forSecret(signingSecret));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = exchange.getRequestURI().getRawPath();
            int a = path.indexOf('/', 1);
            int b = a < 0 ? -1 : path.indexOf('/', a + 1);
            if (a < 0) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String kind = path.substring(1, a);
            String account = b < 0 ? path.substring(a + 1) : path.substring(a + 1, b);
            WebhookVerifier verifier = verifiers.get(account);
            if (verifier == null) {
                unknownAccount.increment();
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            try {
                verifier.verify(body, exchange.getRequestHeaders());
            } catch (WebhookVerificationException e) {
                signatureFailures.increment();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            long now = System.nanoTime();
            String eventId = exchange.getRequestHeaders().getFirst("webhook-id");
            switch (kind) {
                case "ceiling" -> ceilingHits.increment();
                case "h" -> recording.arrive(eventId, path, Recording.Kind.HEALTHY, now);
                case "ob" -> {
                    // An ordered endpoint whose blocked conversations always fail: their heads are
                    // retried and everything behind them is held.
                    if (new String(body, java.nio.charset.StandardCharsets.UTF_8).contains("\"conversation_id\": \"blocked-")) {
                        exchange.sendResponseHeaders(503, -1);
                        return;
                    }
                    recording.arrive(eventId, path, Recording.Kind.HEALTHY, now);
                }
                case "bk" -> recording.arrive(eventId, path, Recording.Kind.BACKLOG, now);
                case "hang" -> {
                    recording.arrive(eventId, path, Recording.Kind.HANG, now);
                    try {
                        Thread.sleep(hangMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> recording.arrive(eventId, path, Recording.Kind.OTHER, now);
            }
            exchange.sendResponseHeaders(204, -1);
        } catch (IOException e) {
            // The sender gave up (a hanging endpoint's attempt timed out); nothing to answer.
        }
    }

    @Override
    public void close() {
        servers.forEach(s -> s.stop(0));
        executor.shutdownNow();
    }
}
