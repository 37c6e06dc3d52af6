package io.chatwire.examples.history.receive;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.chatwire.examples.history.Http;
import io.chatwire.examples.history.event.EventReader;
import io.chatwire.examples.history.event.HistoryEvent;
import io.chatwire.examples.history.store.HistoryStore;
import io.chatwire.examples.history.store.Recorded;
import io.chatwire.verify.WebhookVerificationException;
import io.chatwire.verify.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /webhooks/chatwire}: verify the raw bytes, then read them, then store them once per
 * {@code webhook-id}. The content type is not looked at: Chatwire labels the same bytes
 * {@code text/plain; charset=utf-8} or {@code application/json} depending on the endpoint.
 */
public final class WebhookHandler implements HttpHandler {
    /** Chat events carry the whole history; a long conversation is still far below this. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final WebhookVerifier verifier;
    private final HistoryStore store;
    private final EventReader reader = new EventReader();

    public WebhookHandler(WebhookVerifier verifier, HistoryStore store) {
        this.verifier = verifier;
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(io.chatwire.examples.history.ChatHistoryApp.WEBHOOK_PATH)) {
                Http.error(exchange, 404, "not_found", "no such route");
                return;
            }
            if (!Http.onlyMethod(exchange, "POST")) {
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (body.length > MAX_BODY_BYTES) {
                Http.error(exchange, 413, "body_too_large", "a delivery may be at most " + MAX_BODY_BYTES + " bytes");
                return;
            }
            Map<String, java.util.List<String>> headers = exchange.getRequestHeaders();
            try {
                verifier.verify(body, headers);
            } catch (WebhookVerificationException e) {
                // The reason is safe to log and to answer: it never contains a secret or a signature.
                System.err.println("chat-history: refused a delivery: " + e.reason() + ": " + e.getMessage());
                Http.error(exchange, 401, "invalid_signature", e.getMessage());
                return;
            }
            HistoryEvent event;
            try {
                event = reader.read(body);
            } catch (EventReader.UnreadableEvent e) {
                Http.error(exchange, 400, "invalid_event", e.getMessage());
                return;
            }
            String deliveryId = deliveryId(exchange, body);
            Recorded recorded = store.record(deliveryId, event);
            var answer = Http.JSON.createObjectNode().put("delivery_id", deliveryId);
            switch (recorded) {
                case Recorded.Stored stored -> answer.put("stored", true).put("new_turns", stored.newTurns());
                case Recorded.Duplicate duplicate -> answer.put("stored", false).put("duplicate", true);
            }
            Http.json(exchange, 200, answer);
        } catch (RuntimeException e) {
            System.err.println("chat-history: storing a delivery failed: " + e);
            Http.error(exchange, 500, "internal_error", "the delivery could not be stored; it will be retried");
        }
    }

    /**
     * The Standard Webhooks {@code webhook-id} (Chatwire's event id, the same on every retry and
     * resend). A Chat Data style delivery has no id, so its body's hash stands in: identical bytes are
     * the same delivery.
     */
    private static String deliveryId(HttpExchange exchange, byte[] body) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst("webhook-id"))
                .filter(id -> !id.isBlank())
                .orElseGet(() -> "sha256:" + sha256(body));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
