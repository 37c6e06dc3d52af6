package io.chatwire.delivery;

import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.network.BlockedTargetException;
import io.chatwire.network.TargetGuard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Makes the HTTP POST of one attempt with Jetty's client: keep-alive connections pooled per
 * destination, redirects never followed, a connect timeout and a total timeout, and the answer's
 * body read only up to a cap (the first {@value #RECORDED_BODY_BYTES} bytes are kept for the log).
 */
public final class HttpDeliverer implements DeliveryTransport, AutoCloseable {
    static final int RECORDED_BODY_BYTES = 4096;

    private final HttpClient client;
    private final Duration totalTimeout;
    private final long maxResponseBytes;
    private final TargetGuard guard;

    /** {@code guard} decides which addresses may be dialled; see {@link TargetGuard}. */
    public record Settings(Duration connectTimeout, Duration totalTimeout, long maxResponseBytes, String userAgent,
            TargetGuard guard) {
    }

    public HttpDeliverer(Settings settings) {
        this.totalTimeout = settings.totalTimeout();
        this.maxResponseBytes = settings.maxResponseBytes();
        this.guard = settings.guard();
        this.client = new HttpClient();
        // Every connection's addresses come from the guard, checked at the moment of dialling.
        client.setSocketAddressResolver(guard.socketAddressResolver());
        client.setConnectTimeout(settings.connectTimeout().toMillis());
        client.setFollowRedirects(false);
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, settings.userAgent()));
        client.setMaxConnectionsPerDestination(64);
        client.setMaxRequestsQueuedPerDestination(100_000);
        client.setIdleTimeout(60_000);
        // Cookies from one customer's receiver must never travel to another's.
        client.setHttpCookieStore(new org.eclipse.jetty.http.HttpCookieStore.Empty());
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client", e);
        }
    }

    /**
     * Sends the body, labelled with the content type, and waits for the outcome; never throws for
     * anything the network does.
     */
    @Override
    public AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers, byte[] body) {
        return post(url, contentType, headers, body, Optional.empty());
    }

    @Override
    public AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers, byte[] body,
            Optional<Duration> endpointTimeout) {
        Duration totalTimeout = endpointTimeout.orElse(this.totalTimeout);
        long start = System.nanoTime();
        // Registration checked the scheme too; this catches a URL that got in some other way.
        Optional<String> badScheme = guard.schemeRefusal(url);
        if (badScheme.isPresent()) {
            return new AttemptResult.NotAnswered(ErrorKind.BLOCKED_TARGET, badScheme.get(), Duration.ZERO);
        }
        CapturingListener listener = new CapturingListener(maxResponseBytes);
        Request request = client.newRequest(url)
                .method(HttpMethod.POST)
                .timeout(totalTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> headers.forEach(h::put))
                .body(new BytesRequestContent(contentType.headerValue(), body));
        request.send(listener);
        Result result;
        try {
            // The request's own timeout fires first; this bound only guards against a lost callback.
            result = listener.done.get(totalTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            return new AttemptResult.NotAnswered(ErrorKind.IO, "interrupted (shutting down)", since(start));
        } catch (ExecutionException | TimeoutException e) {
            request.abort(e);
            return new AttemptResult.NotAnswered(ErrorKind.TIMEOUT, "no answer within " + totalTimeout, since(start));
        }
        Duration latency = since(start);
        Response response = result.getResponse();
        int status = response == null ? 0 : response.getStatus();
        if (status > 0 && (result.getFailure() == null || listener.headersReceived)) {
            // Headers arrived: the receiver answered, even if its body was cut or broke afterwards.
            return new AttemptResult.Answered(status, latency, listener.recordedBody(), retryAfter(response));
        }
        Throwable failure = result.getFailure();
        return new AttemptResult.NotAnswered(classify(failure), describe(failure), latency);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    static ErrorKind classify(Throwable failure) {
        // A refusal by the guard may come wrapped in whatever the client adds; it wins over the wrapper.
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BlockedTargetException) {
                return ErrorKind.BLOCKED_TARGET;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            switch (t) {
                case UnknownHostException e -> {
                    return ErrorKind.DNS;
                }
                case SSLException e -> {
                    return ErrorKind.TLS;
                }
                case ConnectException e -> {
                    return ErrorKind.CONNECT;
                }
                case NoRouteToHostException e -> {
                    return ErrorKind.CONNECT;
                }
                case SocketTimeoutException e -> {
                    return ErrorKind.CONNECT;
                }
                case TimeoutException e -> {
                    return ErrorKind.TIMEOUT;
                }
                default -> {
                }
            }
        }
        return ErrorKind.IO;
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "no response";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        String text = root.getClass().getSimpleName() + message;
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    static Optional<Duration> retryAfter(Response response) {
        if (response.getStatus() != 429 && response.getStatus() != 503) {
            return Optional.empty();
        }
        String value = response.getHeaders().get(HttpHeader.RETRY_AFTER);
        if (value == null) {
            // Discord (and others) may say it only as the seconds, with decimals, until the limit resets.
            return resetAfter(response.getHeaders().get("X-RateLimit-Reset-After"));
        }
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Optional.empty() : Optional.of(d);
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
    }

    private static Optional<Duration> resetAfter(String seconds) {
        try {
            double s = seconds == null ? -1 : Double.parseDouble(seconds.strip());
            return s >= 0 && s <= 86_400 ? Optional.of(Duration.ofMillis((long) Math.ceil(s * 1000))) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            return Optional.empty();
        }
    }

    /** Keeps the first bytes of the answer and cuts the exchange once the cap is passed. */
    private static final class CapturingListener implements Response.Listener {
        private final long cap;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<Result> done = new CompletableFuture<>();
        private long total;
        private volatile boolean headersReceived;

        CapturingListener(long cap) {
            this.cap = cap;
        }

        @Override
        public void onHeaders(Response response) {
            headersReceived = true;
        }

        @Override
        public void onContent(Response response, ByteBuffer content) {
            int n = content.remaining();
            total += n;
            int room = RECORDED_BODY_BYTES - kept.size();
            if (room > 0) {
                byte[] bytes = new byte[Math.min(room, n)];
                content.get(bytes);
                kept.writeBytes(bytes);
            }
            if (total > cap) {
                response.abort(new IOException("response body larger than " + cap + " bytes; cut"));
            }
        }

        @Override
        public void onComplete(Result result) {
            done.complete(result);
        }

        String recordedBody() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // Closing at shutdown; nothing left to do with the failure.
        }
    }
}
