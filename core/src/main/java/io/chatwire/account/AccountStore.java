package io.chatwire.account;

import io.chatwire.problem.Problem;
import io.chatwire.signing.SigningSecret;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Accounts, their API keys and the operator tokens. All SQL of those tables lives here. */
public final class AccountStore {
    public static final String API_KEY_PREFIX = "cwk_";
    public static final String OPERATOR_TOKEN_PREFIX = "cwop_";

    private static final String ACCOUNT_COLUMNS = "a.id, a.name, a.plan, a.signing_secret, a.created_at";

    private static final String INSERT_ACCOUNT = """
            INSERT INTO accounts (id, name, plan, signing_secret, created_at)
            VALUES (?, ?, ?, ?, ?)
            """;
    private static final String INSERT_API_KEY = """
            INSERT INTO api_keys (id, account_id, key_hash, key_prefix, created_at)
            VALUES (?, ?, ?, ?, ?)
            """;
    private static final String BY_ID = "SELECT " + ACCOUNT_COLUMNS + " FROM accounts a WHERE a.id = ?";
    private static final String ALL = "SELECT " + ACCOUNT_COLUMNS + " FROM accounts a ORDER BY a.id";
    private static final String BY_API_KEY = """
            SELECT %s FROM api_keys k JOIN accounts a ON a.id = k.account_id
            WHERE k.key_hash = ? AND k.revoked_at IS NULL
            """.formatted(ACCOUNT_COLUMNS);
    private static final String OPERATOR_TOKEN_EXISTS = "SELECT 1 FROM operator_tokens WHERE token_hash = ?";
    private static final String ANY_OPERATOR_TOKEN = "SELECT 1 FROM operator_tokens LIMIT 1";
    private static final String INSERT_OPERATOR_TOKEN = """
            INSERT INTO operator_tokens (token_hash, created_at) VALUES (?, ?)
            ON CONFLICT (token_hash) DO NOTHING
            """;

    private final Database db;
    private final Clock clock;

    public AccountStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Creates an account with a fresh API key and signing secret. */
    public NewAccount create(String name, Plan plan) {
        Account account = new Account(Ids.newId("acct"), name, plan, SigningSecret.generate(), now());
        String apiKey = Tokens.generate(API_KEY_PREFIX);
        db.write(c -> {
            Jdbc.update(c, INSERT_ACCOUNT, account.id(), name, plan.wireName(), account.signingSecret().value(),
                    account.createdAt().toEpochMilli());
            Jdbc.update(c, INSERT_API_KEY, Ids.newId("key"), account.id(), Tokens.hash(apiKey),
                    apiKey.substring(0, API_KEY_PREFIX.length() + 4), account.createdAt().toEpochMilli());
            return null;
        });
        return new NewAccount(account, apiKey);
    }

    public Optional<Account> find(String accountId) {
        return db.read(c -> Jdbc.queryOne(c, BY_ID, AccountStore::account, accountId));
    }

    public Account get(String accountId) {
        return find(accountId).orElseThrow(() -> new Problem.NotFound("account", accountId));
    }

    public List<Account> list() {
        return db.read(c -> Jdbc.query(c, ALL, AccountStore::account));
    }

    /** The account a live API key belongs to; the lookup is by hash, so timing tells nothing. */
    public Optional<Account> findByApiKey(String apiKey) {
        return db.read(c -> Jdbc.queryOne(c, BY_API_KEY, AccountStore::account, Tokens.hash(apiKey)));
    }

    public boolean isOperatorToken(String token) {
        return db.read(c -> Jdbc.queryOne(c, OPERATOR_TOKEN_EXISTS, rs -> true, Tokens.hash(token)).isPresent());
    }

    public boolean hasOperatorToken() {
        return db.read(c -> Jdbc.queryOne(c, ANY_OPERATOR_TOKEN, rs -> true).isPresent());
    }

    public void addOperatorToken(String token) {
        db.write(c -> Jdbc.update(c, INSERT_OPERATOR_TOKEN, Tokens.hash(token), now().toEpochMilli()));
    }

    /** The account's signing secret, read in the caller's transaction. */
    public static Optional<SigningSecret> signingSecret(java.sql.Connection c, String accountId) throws SQLException {
        return Jdbc.queryOne(c, "SELECT signing_secret FROM accounts WHERE id = ?",
                rs -> new SigningSecret(rs.getString(1)), accountId);
    }

    static Account account(ResultSet rs) throws SQLException {
        return new Account(
                rs.getString("id"),
                rs.getString("name"),
                Plan.fromWire(rs.getString("plan")),
                new SigningSecret(rs.getString("signing_secret")),
                Instant.ofEpochMilli(rs.getLong("created_at")));
    }

    private Instant now() {
        return clock.instant();
    }
}
