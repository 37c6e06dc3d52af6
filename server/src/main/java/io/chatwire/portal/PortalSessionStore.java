package io.chatwire.portal;

import io.chatwire.account.Tokens;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Portal sessions in the portal_sessions table. Neither the link's token nor the session cookie is
 * stored, only their SHA-256 (as for API keys: 250 random bits leave nothing to brute-force).
 */
final class PortalSessionStore {
    static final String LINK_TOKEN_PREFIX = "cwpl_";
    static final String SESSION_PREFIX = "cwps_";
    /** Ended and expired sessions are kept this long (for nothing but a late look), then dropped. */
    private static final Duration KEEP_ENDED = Duration.ofDays(1);

    private static final String ACCOUNT_EXISTS = "SELECT 1 FROM accounts WHERE id = ?";
    private static final String INSERT = """
            INSERT INTO portal_sessions (id, account_id, chatbot_id, read_only, token_hash, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String DROP_OLD = "DELETE FROM portal_sessions WHERE expires_at < ?";
    /** Spends the link: only one request can ever match, whatever races. */
    private static final String EXCHANGE = """
            UPDATE portal_sessions SET exchanged_at = ?, session_hash = ?
            WHERE token_hash = ? AND exchanged_at IS NULL AND ended_at IS NULL AND expires_at > ?
            """;
    private static final String BY_SESSION = """
            SELECT id, account_id, chatbot_id, read_only, expires_at FROM portal_sessions
            WHERE session_hash = ? AND ended_at IS NULL AND expires_at > ?
            """;
    private static final String END_ONE = "UPDATE portal_sessions SET ended_at = ? WHERE session_hash = ? AND ended_at IS NULL";
    private static final String END_ALL = """
            UPDATE portal_sessions SET ended_at = ?
            WHERE account_id = ? AND ended_at IS NULL AND expires_at > ?
            """;

    /** A link just made: the token goes into the url once, and is never stored. */
    record NewLink(String token, Instant expiresAt) {
    }

    /** What a link's first load gets: a session (with its cookie value), or nothing. */
    sealed interface Exchange {
        record Started(PortalSession session, String cookie) implements Exchange {
        }

        /** Spent, expired, revoked or never made: the answer does not say which. */
        record Refused() implements Exchange {
        }
    }

    private final Database db;
    private final Clock clock;

    PortalSessionStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** 404 for an unknown account, or a chatbot that is not the account's. */
    NewLink create(String accountId, Optional<String> chatbotId, boolean readOnly, Duration ttl) {
        String token = Tokens.generate(LINK_TOKEN_PREFIX);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        db.write(c -> {
            if (Jdbc.queryOne(c, ACCOUNT_EXISTS, rs -> true, accountId).isEmpty()) {
                throw new Problem.NotFound("account", accountId);
            }
            if (chatbotId.isPresent()) {
                EndpointStore.findChatbot(c, chatbotId.get()).filter(b -> b.accountId().equals(accountId))
                        .orElseThrow(() -> new Problem.NotFound("chatbot", chatbotId.get()));
            }
            Jdbc.update(c, DROP_OLD, now.minus(KEEP_ENDED).toEpochMilli());
            return Jdbc.update(c, INSERT, Ids.newId("ps"), accountId, chatbotId, readOnly, Tokens.hash(token),
                    now.toEpochMilli(), expiresAt.toEpochMilli());
        });
        return new NewLink(token, expiresAt);
    }

    Exchange exchange(String linkToken) {
        if (!linkToken.startsWith(LINK_TOKEN_PREFIX) || linkToken.length() > 256) {
            return new Exchange.Refused();
        }
        String cookie = Tokens.generate(SESSION_PREFIX);
        long now = clock.millis();
        return db.write(c -> {
            if (Jdbc.update(c, EXCHANGE, now, Tokens.hash(cookie), Tokens.hash(linkToken), now) != 1) {
                return new Exchange.Refused();
            }
            return Jdbc.queryOne(c, BY_SESSION, PortalSessionStore::session, Tokens.hash(cookie), now)
                    .<Exchange>map(s -> new Exchange.Started(s, cookie))
                    .orElseGet(Exchange.Refused::new);
        });
    }

    Optional<PortalSession> bySession(String cookie) {
        if (!cookie.startsWith(SESSION_PREFIX) || cookie.length() > 256) {
            return Optional.empty();
        }
        return db.read(c -> Jdbc.queryOne(c, BY_SESSION, PortalSessionStore::session, Tokens.hash(cookie),
                clock.millis()));
    }

    void end(String cookie) {
        db.write(c -> Jdbc.update(c, END_ONE, clock.millis(), Tokens.hash(cookie)));
    }

    /** Ends every live session of the account (and spends its unused links); returns how many. */
    int revokeAll(String accountId) {
        long now = clock.millis();
        return db.write(c -> {
            if (Jdbc.queryOne(c, ACCOUNT_EXISTS, rs -> true, accountId).isEmpty()) {
                throw new Problem.NotFound("account", accountId);
            }
            return Jdbc.update(c, END_ALL, now, accountId, now);
        });
    }

    private static PortalSession session(ResultSet rs) throws SQLException {
        return new PortalSession(rs.getString("id"), rs.getString("account_id"),
                Optional.ofNullable(rs.getString("chatbot_id")), rs.getBoolean("read_only"),
                Instant.ofEpochMilli(rs.getLong("expires_at")));
    }
}
