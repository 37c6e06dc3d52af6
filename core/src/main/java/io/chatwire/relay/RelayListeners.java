package io.chatwire.relay;

import io.chatwire.delivery.AttemptResult;
import io.chatwire.delivery.DeliveryTransport;
import io.chatwire.delivery.ErrorKind;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.signing.WebhookSigner;
import io.chatwire.store.Ids;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The listeners connected to this node, by relay endpoint, and the transport that carries a relay
 * endpoint's attempts over its listener's connection. With no listener connected here the attempt
 * fails ({@code relay_unavailable}) and follows the retry schedule like any failed attempt.
 */
public final class RelayListeners implements DeliveryTransport {
    /** One connected listener: sends a text frame to it (the caller serialises nothing). */
    public interface Connection {
        void send(String frame) throws Exception;
    }

    private record Pending(String endpointId, CompletableFuture<RelayAnswer> answer) {
    }

    private final Duration timeout;
    private final ConcurrentHashMap<String, Connection> connected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

    /** @param timeout how long a listener has to report the local answer (the request timeout) */
    public RelayListeners(Duration timeout) {
        this.timeout = timeout;
    }

    /** The listener of the endpoint is connected here now; replaces an earlier connection of it. */
    public void attach(String endpointId, Connection connection) {
        connected.put(endpointId, connection);
    }

    /** The connection is gone: its attempts in flight fail now rather than at their timeout. */
    public void detach(String endpointId, Connection connection) {
        if (connected.remove(endpointId, connection)) {
            pending.entrySet().removeIf(e -> {
                if (e.getValue().endpointId().equals(endpointId)) {
                    e.getValue().answer().complete(new RelayAnswer.NotAnswered("the listener disconnected", Duration.ZERO));
                    return true;
                }
                return false;
            });
        }
    }

    /** Endpoint ids with a listener connected to this node. */
    /** Whether the endpoint's listener is connected to this node. */
    public boolean isConnected(String endpointId) {
        return connected.containsKey(endpointId);
    }

    public Set<String> endpointIds() {
        return Set.copyOf(connected.keySet());
    }

    /** A listener's report for one delivery; ignored unless it is for a delivery sent to that endpoint. */
    public void answer(String endpointId, String deliveryId, RelayAnswer answer) {
        Pending p = pending.get(deliveryId);
        if (p != null && p.endpointId().equals(endpointId)) {
            p.answer().complete(answer);
        }
    }

    @Override
    public AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers, byte[] body) {
        long start = System.nanoTime();
        Optional<String> endpointId = RelayUrl.endpointId(url);
        Connection connection = endpointId.map(connected::get).orElse(null);
        if (connection == null) {
            return new AttemptResult.NotAnswered(ErrorKind.RELAY_UNAVAILABLE,
                    "no chatwire listen connected for this relay endpoint", Duration.ZERO);
        }
        String id = Ids.newId("rly");
        Pending p = new Pending(endpointId.get(), new CompletableFuture<>());
        pending.put(id, p);
        try {
            Map<String, String> sent = new LinkedHashMap<>(headers);
            sent.put("content-type", contentType.headerValue());
            connection.send(RelayProtocol.delivery(new RelayProtocol.Delivery(id,
                    headers.getOrDefault(WebhookSigner.TOPIC, ""),
                    headers.getOrDefault(WebhookSigner.WEBHOOK_ID, ""), sent,
                    new String(body, StandardCharsets.UTF_8))));
            RelayAnswer answer = p.answer().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return switch (answer) {
                // The local receiver's own latency: what the developer tunes, not the relay's hops.
                case RelayAnswer.Answered a -> new AttemptResult.Answered(a.status(), a.latency(), a.body(),
                        Optional.empty());
                case RelayAnswer.NotAnswered n -> new AttemptResult.NotAnswered(ErrorKind.CONNECT,
                        "relayed by chatwire listen: " + n.message(), n.latency());
            };
        } catch (TimeoutException e) {
            return new AttemptResult.NotAnswered(ErrorKind.TIMEOUT, "no answer from the listener within " + timeout,
                    since(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AttemptResult.NotAnswered(ErrorKind.IO, "interrupted (shutting down)", since(start));
        } catch (Exception e) {
            // The frame could not be sent: the connection is going away.
            return new AttemptResult.NotAnswered(ErrorKind.RELAY_UNAVAILABLE,
                    "the listener's connection broke: " + e.getClass().getSimpleName(), since(start));
        } finally {
            pending.remove(id);
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * The transport the dispatcher uses: relay URLs go over the listeners' connections, every other
     * URL to {@code dialling} (the HTTP deliverer, which never sees a relay URL).
     */
    public DeliveryTransport routing(DeliveryTransport dialling) {
        return new DeliveryTransport() {
            @Override
            public AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers,
                    byte[] body) {
                return post(url, contentType, headers, body, Optional.empty());
            }

            @Override
            public AttemptResult post(URI url, DeliveryContentType contentType, Map<String, String> headers,
                    byte[] body, Optional<Duration> timeout) {
                return RelayUrl.endpointId(url).isPresent()
                        ? RelayListeners.this.post(url, contentType, headers, body)
                        : dialling.post(url, contentType, headers, body, timeout);
            }
        };
    }
}
