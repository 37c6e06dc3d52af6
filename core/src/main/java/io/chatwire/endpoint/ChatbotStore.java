package io.chatwire.endpoint;

import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The chatbots table. Every read by an account is scoped to that account. */
public final class ChatbotStore {
    /** The most endpoints the operator may allow one chatbot. */
    public static final int MAX_ENDPOINT_LIMIT = 1000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final String INSERT = """
            INSERT INTO chatbots (id, account_id, name, endpoint_limit, created_at)
            VALUES (?, ?, ?, NULL, ?)
            """;
    private static final String COLUMNS = "id, account_id, name, endpoint_limit, created_at";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM chatbots WHERE id = ?";
    private static final String RENAME = "UPDATE chatbots SET name = ? WHERE id = ? AND account_id = ?";
    private static final String SET_LIMIT = "UPDATE chatbots SET endpoint_limit = ? WHERE id = ?";
    private static final String DELETE_ENDPOINTS = "DELETE FROM endpoints WHERE chatbot_id = ? AND account_id = ?";
    private static final String DELETE = "DELETE FROM chatbots WHERE id = ? AND account_id = ?";
    private static final String OF_ACCOUNT = "SELECT " + COLUMNS + " FROM chatbots WHERE account_id = ? ORDER BY created_at, id";

    private final Database db;
    private final Clock clock;

    public ChatbotStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Creates a chatbot. The platform may bring its own id (the one its events will carry in
     * {@code chatbot_id}); without one, Chatwire makes one.
     */
    public Chatbot create(String accountId, Optional<String> requestedId, String name) {
        String id = requestedId.orElseGet(() -> Ids.newId("bot"));
        if (!ID.matcher(id).matches()) {
            throw new Problem.Invalid("invalid_chatbot_id", "id must be 1 to 64 letters, digits, '_' or '-'");
        }
        Chatbot chatbot = new Chatbot(id, accountId, name, Optional.empty(), clock.instant());
        return db.write(c -> {
            if (Jdbc.queryOne(c, BY_ID, rs -> true, id).isPresent()) {
                throw new Problem.Conflict("chatbot_exists", "a chatbot with id " + id + " already exists");
            }
            Jdbc.update(c, INSERT, id, accountId, name, chatbot.createdAt().toEpochMilli());
            return chatbot;
        });
    }

    public List<Chatbot> list(String accountId) {
        return db.read(c -> Jdbc.query(c, OF_ACCOUNT, ChatbotStore::chatbot, accountId));
    }

    /** The account's chatbot, or 404 (also when it belongs to another account). */
    public Chatbot get(String accountId, String chatbotId) {
        return db.read(c -> find(c, chatbotId))
                .filter(b -> b.accountId().equals(accountId))
                .orElseThrow(() -> new Problem.NotFound("chatbot", chatbotId));
    }

    public Chatbot rename(String accountId, String chatbotId, String name) {
        if (db.write(c -> Jdbc.update(c, RENAME, name, chatbotId, accountId)) != 1) {
            throw new Problem.NotFound("chatbot", chatbotId);
        }
        return get(accountId, chatbotId);
    }

    /**
     * Deletes the chatbot and its endpoints. Its events stay in the log; deliveries still pending to
     * its endpoints end as failed ({@code endpoint_deleted}) at their next attempt.
     */
    public void delete(String accountId, String chatbotId) {
        int rows = db.write(c -> {
            Jdbc.update(c, DELETE_ENDPOINTS, chatbotId, accountId);
            return Jdbc.update(c, DELETE, chatbotId, accountId);
        });
        if (rows != 1) {
            throw new Problem.NotFound("chatbot", chatbotId);
        }
    }

    /**
     * The operator's override of the endpoint limit ("more than 3 on request"); empty restores the
     * default. The request is held to 0 to {@link #MAX_ENDPOINT_LIMIT} where it is read (the API's
     * {@code Parameter} path); another value here is a bug of the caller.
     */
    public Chatbot setEndpointLimit(String chatbotId, Optional<Integer> limit) {
        limit.ifPresent(n -> {
            if (n < 0 || n > MAX_ENDPOINT_LIMIT) {
                throw new IllegalArgumentException("endpoint limit " + n + " is outside 0 to " + MAX_ENDPOINT_LIMIT);
            }
        });
        if (db.write(c -> Jdbc.update(c, SET_LIMIT, limit, chatbotId)) != 1) {
            throw new Problem.NotFound("chatbot", chatbotId);
        }
        return db.read(c -> find(c, chatbotId)).orElseThrow();
    }

    /** Any account's chatbot: for the platform's own calls, which are not scoped to one account. */
    static Optional<Chatbot> find(Connection c, String chatbotId) throws SQLException {
        return Jdbc.queryOne(c, BY_ID, ChatbotStore::chatbot, chatbotId);
    }

    static Chatbot chatbot(ResultSet rs) throws SQLException {
        return new Chatbot(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("name"),
                Jdbc.optionalInt(rs, "endpoint_limit"),
                Instant.ofEpochMilli(rs.getLong("created_at")));
    }
}
