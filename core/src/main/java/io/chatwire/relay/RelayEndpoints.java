package io.chatwire.relay;

import io.chatwire.account.Plan;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The relay endpoints of {@code chatwire listen} in the endpoints table: rows marked {@code relay},
 * with a {@code relay://} URL, outside the chatbot's endpoint limit, and removed when the listener
 * stops or has not been seen for the relay timeout.
 */
public final class RelayEndpoints {
    private static final String INSERT = """
            INSERT INTO endpoints (id, account_id, chatbot_id, url, content_type, event_types, description, enabled,
                                   relay, relay_seen_at, signs_as, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String PLAN_OF_ACCOUNT = "SELECT plan FROM accounts WHERE id = ?";
    private static final String TOUCH = "UPDATE endpoints SET relay_seen_at = ? WHERE id = ? AND relay";
    private static final String CONNECTED = """
            UPDATE endpoints SET relay_seen_at = ?, relay_node = ? WHERE id = ? AND relay
            """;
    /** Only while the row still names this node: the listener may be connected to another one already. */
    private static final String DISCONNECTED = """
            UPDATE endpoints SET relay_seen_at = ?, relay_node = NULL WHERE id = ? AND relay AND relay_node = ?
            """;
    private static final String DELETE = "DELETE FROM endpoints WHERE id = ? AND account_id = ? AND relay";
    private static final String STALE = "SELECT id FROM endpoints WHERE relay AND relay_seen_at < ?";
    private static final String DELETE_STALE = "DELETE FROM endpoints WHERE id = ? AND relay AND relay_seen_at < ?";

    private final Database db;
    private final Clock clock;
    private final String nodeId;

    /** @param nodeId this node: the one whose listeners' deliveries it claims (see the deliveries' claim) */
    public RelayEndpoints(Database db, Clock clock, String nodeId) {
        this.db = db;
        this.clock = clock;
        this.nodeId = nodeId;
    }

    /**
     * What a listener asks for.
     *
     * @param resume the relay endpoint of an earlier connection, taken up again if it still exists, so
     *     that deliveries waiting for it after a dropped connection or a server restart arrive
     * @param secretOf an endpoint of the account whose signing secret the relay endpoint signs with
     *     (its own secret if it has one, else the account's): test against the secret production uses
     */
    public record Request(String accountId, String chatbotId, Set<EventType> events, Optional<String> resume,
            Optional<String> secretOf) {
    }

    /**
     * The listener's relay endpoint: the resumed one, or a new one. 404 for a chatbot (or secretOf
     * endpoint) not the account's, 403 on a plan without webhooks.
     */
    public Endpoint open(Request r) {
        return db.write(c -> {
            EndpointStore.findChatbot(c, r.chatbotId()).filter(b -> b.accountId().equals(r.accountId()))
                    .orElseThrow(() -> new Problem.NotFound("chatbot", r.chatbotId()));
            Plan plan = Jdbc.queryOne(c, PLAN_OF_ACCOUNT, rs -> Plan.fromWire(rs.getString(1)), r.accountId())
                    .orElseThrow(() -> new Problem.NotFound("account", r.accountId()));
            if (!plan.hasWebhooks()) {
                throw new Problem.Forbidden("plan_without_webhooks",
                        "the free plan has no webhooks: upgrade to standard or professional to listen");
            }
            Optional<Endpoint> resumed = r.resume().flatMap(id -> find(c, id))
                    .filter(e -> e.isRelay() && e.accountId().equals(r.accountId())
                            && e.chatbotId().equals(r.chatbotId()));
            if (resumed.isPresent()) {
                Jdbc.update(c, TOUCH, clock.millis(), resumed.get().id());
                return resumed.get();
            }
            if (r.secretOf().isPresent()) {
                String source = r.secretOf().get();
                find(c, source).filter(e -> e.accountId().equals(r.accountId()) && !e.isRelay())
                        .orElseThrow(() -> new Problem.NotFound("endpoint", source));
            }
            String id = Ids.newId("ep");
            Instant now = clock.instant();
            Jdbc.update(c, INSERT, id, r.accountId(), r.chatbotId(), RelayUrl.of(id).toString(),
                    DeliveryContentType.FOR_NEW_ENDPOINTS.wireName(), EventType.toColumn(r.events()),
                    "chatwire listen", true, true, now.toEpochMilli(), r.secretOf(), now.toEpochMilli(),
                    now.toEpochMilli());
            if (r.secretOf().isPresent()) {
                // A copy the source's rotations renew (EndpointStore), so the listener signs as production.
                EndpointStore.copySecrets(c, db.cipher(), r.accountId(), r.secretOf().get(), id);
            }
            return find(c, id).orElseThrow();
        });
    }

    /**
     * The listeners of these endpoints are connected to this node now (kept up while they are): they
     * are seen, and their deliveries are this node's to claim.
     */
    public void connectedHere(Collection<String> endpointIds) {
        if (endpointIds.isEmpty()) {
            return;
        }
        long now = clock.millis();
        db.write(c -> {
            for (String id : endpointIds) {
                Jdbc.update(c, CONNECTED, now, nodeId, id);
            }
            return null;
        });
    }

    /**
     * The endpoint's listener left this node without stopping: the relay timeout counts from now, and
     * any node may claim (and fail) its deliveries until it is back.
     */
    public void disconnectedHere(String endpointId) {
        db.write(c -> Jdbc.update(c, DISCONNECTED, clock.millis(), endpointId, nodeId));
    }

    /** The listener stopped (Ctrl-C): its endpoint goes now. */
    public boolean remove(String accountId, String endpointId) {
        return db.write(c -> Jdbc.update(c, DELETE, endpointId, accountId)) == 1;
    }

    /** Removes the relay endpoints whose listener has not been seen for {@code timeout}; returns how many. */
    public int removeUnseen(Duration timeout) {
        long before = clock.instant().minus(timeout).toEpochMilli();
        return db.write(c -> {
            int removed = 0;
            for (String id : Jdbc.query(c, STALE, rs -> rs.getString(1), before)) {
                removed += Jdbc.update(c, DELETE_STALE, id, before);
            }
            return removed;
        });
    }

    private static Optional<Endpoint> find(Connection c, String id) {
        try {
            return EndpointStore.find(c, id);
        } catch (SQLException e) {
            throw new io.chatwire.store.StoreUnavailableException("cannot read endpoint " + id, e);
        }
    }
}
