package io.chatwire.endpoint;

import io.chatwire.account.Plan;
import io.chatwire.event.EventType;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The endpoints table. Limits and plan rules are checked in the same transaction as the insert. */
public final class EndpointStore {
    private static final String COLUMNS =
            "id, account_id, chatbot_id, url, event_types, description, enabled, created_at, updated_at";
    private static final String INSERT = """
            INSERT INTO endpoints (id, account_id, chatbot_id, url, event_types, description, enabled, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String COUNT_OF_CHATBOT = "SELECT COUNT(*) FROM endpoints WHERE chatbot_id = ?";
    private static final String PLAN_OF_ACCOUNT = "SELECT plan FROM accounts WHERE id = ?";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM endpoints WHERE id = ?";
    private static final String OF_CHATBOT = "SELECT " + COLUMNS + " FROM endpoints WHERE chatbot_id = ? ORDER BY created_at, id";
    private static final String UPDATE = """
            UPDATE endpoints SET url = ?, event_types = ?, description = ?, enabled = ?, updated_at = ?
            WHERE id = ? AND account_id = ?
            """;
    private static final String DELETE = "DELETE FROM endpoints WHERE id = ? AND account_id = ?";

    private final Database db;
    private final Clock clock;

    public EndpointStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** What a new endpoint should be. */
    public record Spec(URI url, Set<EventType> eventTypes, String description, boolean enabled) {
    }

    /**
     * Registers an endpoint on one of the account's chatbots: 404 for a chatbot not the account's,
     * 403 on a plan without webhooks, 409 once the chatbot's limit is reached.
     */
    public Endpoint create(String accountId, String chatbotId, Spec spec) {
        Instant now = clock.instant();
        Endpoint endpoint = new Endpoint(Ids.newId("ep"), accountId, chatbotId, spec.url(), spec.eventTypes(),
                spec.description(), spec.enabled(), now, now);
        return db.write(c -> {
            Chatbot chatbot = ChatbotStore.find(c, chatbotId)
                    .filter(b -> b.accountId().equals(accountId))
                    .orElseThrow(() -> new Problem.NotFound("chatbot", chatbotId));
            Plan plan = Jdbc.queryOne(c, PLAN_OF_ACCOUNT, rs -> Plan.fromWire(rs.getString(1)), accountId)
                    .orElseThrow(() -> new Problem.NotFound("account", accountId));
            if (!plan.hasWebhooks()) {
                throw new Problem.Forbidden("plan_without_webhooks",
                        "the free plan has no webhooks: upgrade to standard or professional to register endpoints");
            }
            long count = Jdbc.queryOne(c, COUNT_OF_CHATBOT, rs -> rs.getLong(1), chatbotId).orElse(0L);
            int limit = chatbot.effectiveEndpointLimit();
            if (count >= limit) {
                throw new Problem.Conflict("endpoint_limit_reached", "chatbot " + chatbotId + " already has "
                        + count + " of " + limit + " endpoints: delete one first, or ask for a higher limit");
            }
            Jdbc.update(c, INSERT, endpoint.id(), accountId, chatbotId, spec.url().toString(),
                    EventType.toColumn(spec.eventTypes()), spec.description(), spec.enabled(),
                    now.toEpochMilli(), now.toEpochMilli());
            return endpoint;
        });
    }

    public List<Endpoint> listOfChatbot(String accountId, String chatbotId) {
        return db.read(c -> {
            ChatbotStore.find(c, chatbotId)
                    .filter(b -> b.accountId().equals(accountId))
                    .orElseThrow(() -> new Problem.NotFound("chatbot", chatbotId));
            return Jdbc.query(c, OF_CHATBOT, EndpointStore::endpoint, chatbotId);
        });
    }

    /** The account's endpoint, or 404 (also when it belongs to another account). */
    public Endpoint get(String accountId, String endpointId) {
        return db.read(c -> find(c, endpointId))
                .filter(e -> e.accountId().equals(accountId))
                .orElseThrow(() -> new Problem.NotFound("endpoint", endpointId));
    }

    /** Replaces the changeable fields of an endpoint. */
    public Endpoint update(String accountId, Endpoint changed) {
        Instant now = clock.instant();
        int rows = db.write(c -> Jdbc.update(c, UPDATE, changed.url().toString(),
                EventType.toColumn(changed.eventTypes()), changed.description(), changed.enabled(),
                now.toEpochMilli(), changed.id(), accountId));
        if (rows != 1) {
            throw new Problem.NotFound("endpoint", changed.id());
        }
        return get(accountId, changed.id());
    }

    public void delete(String accountId, String endpointId) {
        int rows = db.write(c -> Jdbc.update(c, DELETE, endpointId, accountId));
        if (rows != 1) {
            throw new Problem.NotFound("endpoint", endpointId);
        }
    }

    /** The chatbot's endpoints, read inside the caller's transaction (ingest fans out from these). */
    public static List<Endpoint> ofChatbot(Connection c, String chatbotId) throws SQLException {
        return Jdbc.query(c, OF_CHATBOT, EndpointStore::endpoint, chatbotId);
    }

    public static Optional<Endpoint> find(Connection c, String endpointId) throws SQLException {
        return Jdbc.queryOne(c, BY_ID, EndpointStore::endpoint, endpointId);
    }

    public static Optional<Chatbot> findChatbot(Connection c, String chatbotId) throws SQLException {
        return ChatbotStore.find(c, chatbotId);
    }

    static Endpoint endpoint(ResultSet rs) throws SQLException {
        return new Endpoint(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("chatbot_id"),
                URI.create(rs.getString("url")),
                EventType.fromColumn(rs.getString("event_types")),
                rs.getString("description"),
                rs.getBoolean("enabled"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
