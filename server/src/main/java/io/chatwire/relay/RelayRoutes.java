package io.chatwire.relay;

import io.chatwire.account.Account;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/chatbots/{id}/listen} upgraded to a WebSocket: the connection {@code chatwire
 * listen} opens. Authenticated (the account's API key, 404 for a chatbot of another account) before
 * the upgrade, so a refusal is an ordinary HTTP answer in the JSON error shape.
 */
public final class RelayRoutes {
    private static final Logger log = LoggerFactory.getLogger(RelayRoutes.class);
    public static final String PATH = "/v1/chatbots/{id}/listen";
    private static final String ENDPOINT = "chatwire.relay.endpoint";
    private static final String CONNECTION = "chatwire.relay.connection";
    private static final String STOPPED = "chatwire.relay.stopped";

    private final RelayEndpoints endpoints;
    private final RelayListeners listeners;

    public RelayRoutes(RelayEndpoints endpoints, RelayListeners listeners) {
        this.endpoints = endpoints;
        this.listeners = listeners;
    }

    /** @param accountOf the caller's account from its API key, or a {@link Problem} (401, 403, 429) */
    public void register(RoutesConfig r, Function<Context, Account> accountOf) {
        r.wsBeforeUpgrade(PATH, ctx -> {
            Account account = accountOf.apply(ctx);
            Endpoint endpoint = endpoints.open(new RelayEndpoints.Request(account.id(), ctx.pathParam("id"),
                    events(ctx.queryParam("events")), nonBlank(ctx.queryParam("resume")),
                    nonBlank(ctx.queryParam("secret_of"))));
            ctx.attribute(ENDPOINT, endpoint);
        });
        r.ws(PATH, ws -> {
            ws.onConnect(ctx -> {
                Endpoint endpoint = ctx.attribute(ENDPOINT);
                Object lock = new Object();
                RelayListeners.Connection connection = frame -> {
                    synchronized (lock) { // one frame at a time on the session
                        ctx.send(frame);
                    }
                };
                ctx.attribute(CONNECTION, connection);
                // Pings keep idle proxies and Jetty's idle timeout from dropping a quiet listener.
                ctx.enableAutomaticPings(15, TimeUnit.SECONDS);
                listeners.attach(endpoint.id(), connection);
                endpoints.connectedHere(List.of(endpoint.id()));
                connection.send(RelayProtocol.ready(new RelayProtocol.Ready(endpoint.id(), endpoint.chatbotId(),
                        endpoint.eventTypes().stream().map(EventType::wireName).sorted().toList())));
                log.info("listener connected for relay endpoint {} of chatbot {}", endpoint.id(), endpoint.chatbotId());
            });
            ws.onMessage(ctx -> {
                Endpoint endpoint = ctx.attribute(ENDPOINT);
                Optional<RelayProtocol.Message> message = RelayProtocol.read(ctx.message());
                if (message.isEmpty()) {
                    return;
                }
                switch (message.get().type()) {
                    case "answer" -> message.get().asAnswer().ifPresent(
                            a -> listeners.answer(endpoint.id(), message.get().text("id"), a));
                    case "stop" -> {
                        ctx.attribute(STOPPED, true);
                        listeners.detach(endpoint.id(), ctx.attribute(CONNECTION));
                        endpoints.remove(endpoint.accountId(), endpoint.id());
                        log.info("listener stopped; relay endpoint {} removed", endpoint.id());
                        ctx.closeSession(1000, "stopped");
                    }
                    default -> {
                    }
                }
            });
            ws.onClose(ctx -> gone(ctx));
            ws.onError(ctx -> gone(ctx));
        });
    }

    /** The connection ended: the endpoint stays (deliveries wait for a reconnect) until the timeout. */
    private void gone(WsContext ctx) {
        Endpoint endpoint = ctx.attribute(ENDPOINT);
        RelayListeners.Connection connection = ctx.attribute(CONNECTION);
        if (endpoint == null || connection == null) {
            return;
        }
        listeners.detach(endpoint.id(), connection);
        if (!Boolean.TRUE.equals(ctx.attribute(STOPPED))) {
            try {
                endpoints.disconnectedHere(endpoint.id());
            } catch (RuntimeException e) {
                log.debug("could not note the listener's departure: {}", e.toString());
            }
        }
    }

    private static Set<EventType> events(String raw) {
        if (raw == null || raw.isBlank()) {
            return EnumSet.allOf(EventType.class);
        }
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        for (String name : raw.split(",")) {
            types.add(EventType.fromWire("events", name.strip()));
        }
        return types;
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }
}
