package io.chatwire.relay;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client side of {@code chatwire listen}: one outbound WebSocket to the server, which relays the
 * chatbot's deliveries over it; each is posted to the local URL with the same body and headers (so
 * the signatures verify as in production) and the local answer goes back to be logged as the
 * attempt. A dropped connection is opened again, taking up the same relay endpoint, so deliveries
 * that waited meanwhile arrive; stopping (Ctrl-C) removes the endpoint.
 */
public final class ListenClient {
    /** Headers the JDK's HTTP client sets itself and refuses from the caller. */
    private static final Set<String> SET_BY_CLIENT = Set.of("content-length", "host", "connection", "expect",
            "upgrade");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    /** What to listen to and where to forward it. */
    public record Options(URI server, String apiKey, String chatbotId, URI forwardTo, Optional<String> events,
            Optional<String> secretOf, Duration localTimeout) {
    }

    /** Why listening ended. */
    public sealed interface Ending {
        /** Stopped by the user; the relay endpoint was removed. */
        record Stopped() implements Ending {
        }

        /** The server refused the listener (bad key, not the account's chatbot, ...): retrying cannot help. */
        record Refused(int status, String message) implements Ending {
        }
    }

    private final Options options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private volatile boolean stopping;
    private volatile Optional<String> endpointId = Optional.empty();
    private final AtomicReference<Session> current = new AtomicReference<>();

    public ListenClient(Options options, PrintWriter out, PrintWriter err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** The signing secret the relayed deliveries carry (the endpoint's own, else the account's). */
    public static String signingSecret(URI server, String apiKey, Optional<String> secretOf) throws Exception {
        String path = secretOf.map(id -> "/v1/endpoints/" + enc(id) + "/secret").orElse("/v1/account/signing-secret");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.resolve(path))
                .header("Authorization", "Bearer " + apiKey).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the server answered " + r.statusCode() + ": " + r.body());
        }
        String secret = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("signing_secret")
                .asText("");
        if (secret.isEmpty()) {
            throw new IllegalStateException("the server's answer has no signing_secret");
        }
        return secret;
    }

    /** Listens until stopped or refused; reconnects after a lost connection. */
    public Ending run() throws InterruptedException {
        Duration pause = Duration.ofMillis(500);
        while (!stopping) {
            Session session = new Session();
            try {
                WebSocket ws = http.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + options.apiKey())
                        .connectTimeout(Duration.ofSeconds(10))
                        .buildAsync(listenUri(), session).join();
                session.socket = ws;
                current.set(session);
                if (stopping) {
                    session.stop();
                }
                session.closed.await();
                pause = Duration.ofMillis(500);
            } catch (CompletionException e) {
                if (e.getCause() instanceof WebSocketHandshakeException h) {
                    int status = h.getResponse().statusCode();
                    if (status == 400 || status == 401 || status == 403 || status == 404) {
                        return new Ending.Refused(status, refusal(status));
                    }
                }
                if (!stopping) {
                    line(err, "cannot reach " + options.server() + " (" + describe(e.getCause()) + "); trying again in "
                            + pause.toMillis() + " ms");
                }
            } finally {
                current.set(null);
            }
            if (stopping) {
                break;
            }
            if (session.wasReady) {
                line(err, "connection lost; reconnecting...");
            }
            Thread.sleep(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        }
        return new Ending.Stopped();
    }

    /** Ctrl-C: asks the server to remove the relay endpoint, and waits (briefly) for it to say done. */
    public void stop(Duration wait) {
        stopping = true;
        Session s = current.get();
        if (s != null) {
            s.stop();
            try {
                s.closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String refusal(int status) {
        return switch (status) {
            case 401 -> "the API key was not accepted (HTTP 401)";
            case 403 -> "this account cannot listen (HTTP 403: the free plan has no webhooks, or not an API key)";
            case 404 -> "chatbot " + options.chatbotId() + " (or the --secret-of endpoint) is not one of this"
                    + " account's (HTTP 404)";
            default -> "the server refused the request (HTTP " + status + "; check --events)";
        };
    }

    private URI listenUri() {
        URI s = options.server();
        String scheme = "https".equalsIgnoreCase(s.getScheme()) ? "wss" : "ws";
        StringBuilder q = new StringBuilder();
        options.events().ifPresent(e -> q.append("&events=").append(enc(e)));
        endpointId.ifPresent(id -> q.append("&resume=").append(enc(id)));
        options.secretOf().ifPresent(id -> q.append("&secret_of=").append(enc(id)));
        String base = s.toString().replaceAll("/+$", "").replaceFirst("^[A-Za-z]+://", scheme + "://");
        return URI.create(base + "/v1/chatbots/" + enc(options.chatbotId()) + "/listen"
                + (q.isEmpty() ? "" : "?" + q.substring(1)));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private static void line(PrintWriter w, String text) {
        synchronized (w) {
            w.println(text);
            w.flush();
        }
    }

    /** One connection: reads frames, forwards deliveries, writes answers one at a time. */
    private final class Session implements WebSocket.Listener {
        volatile WebSocket socket;
        volatile boolean wasReady;
        final CountDownLatch closed = new CountDownLatch(1);
        private final StringBuilder partial = new StringBuilder();
        private final Object sending = new Object();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                RelayProtocol.read(frame).ifPresent(m -> handle(ws, m));
            }
            ws.request(1);
            return null;
        }

        private void handle(WebSocket ws, RelayProtocol.Message m) {
            switch (m.type()) {
                case "ready" -> {
                    RelayProtocol.Ready ready = m.asReady();
                    boolean resumed = endpointId.map(ready.endpointId()::equals).orElse(false);
                    endpointId = Optional.of(ready.endpointId());
                    wasReady = true;
                    line(out, (resumed ? "Reconnected" : "Ready") + ": relaying chatbot " + ready.chatbotId()
                            + " (" + String.join(", ", ready.events()) + ") to " + options.forwardTo()
                            + " through relay endpoint " + ready.endpointId() + ". Ctrl-C to stop.");
                }
                case "delivery" -> {
                    RelayProtocol.Delivery d = m.asDelivery();
                    Thread.ofVirtual().name("chatwire-listen-forward").start(() -> forward(ws, d));
                }
                default -> {
                }
            }
        }

        private void forward(WebSocket ws, RelayProtocol.Delivery d) {
            RelayAnswer answer = post(d);
            send(ws, RelayProtocol.answer(d.id(), answer));
            String result = switch (answer) {
                case RelayAnswer.Answered a -> "-> " + a.status() + "  " + a.latency().toMillis() + " ms";
                case RelayAnswer.NotAnswered n -> "-> failed  " + n.latency().toMillis() + " ms  (" + n.message() + ")";
            };
            line(out, String.format(Locale.ROOT, "%s  %-22s %s  %s", LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
                    .format(TIME), d.event(), d.eventId(), result));
        }

        private RelayAnswer post(RelayProtocol.Delivery d) {
            HttpRequest.Builder request = HttpRequest.newBuilder(options.forwardTo()).timeout(options.localTimeout())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(d.body().getBytes(StandardCharsets.UTF_8)));
            d.headers().forEach((name, value) -> {
                if (!SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
                    request.header(name, value);
                }
            });
            request.header("user-agent", "Chatwire/0.1 (chatwire listen)");
            long start = System.nanoTime();
            try {
                HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                Duration latency = Duration.ofNanos(System.nanoTime() - start);
                byte[] body = r.body();
                String excerpt = new String(body, 0, Math.min(body.length, RelayProtocol.MAX_ANSWER_BODY),
                        StandardCharsets.UTF_8);
                return new RelayAnswer.Answered(r.statusCode(), latency, excerpt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new RelayAnswer.NotAnswered("interrupted", Duration.ofNanos(System.nanoTime() - start));
            } catch (Exception e) {
                return new RelayAnswer.NotAnswered(options.forwardTo() + ": " + describe(e),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }

        /** The JDK's WebSocket takes one send at a time. */
        private void send(WebSocket ws, String frame) {
            synchronized (sending) {
                try {
                    ws.sendText(frame, true).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // The connection is going; the server counts the attempt as failed and retries it.
                }
            }
        }

        void stop() {
            WebSocket ws = socket;
            if (ws != null) {
                send(ws, RelayProtocol.stop());
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.countDown();
        }
    }
}
