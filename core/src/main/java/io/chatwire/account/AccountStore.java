package io.chatwire.account;

import io.chatwire.problem.Problem;
import io.chatwire.signing.SecretCipher;
import io.chatwire.signing.SecretSet;
import io.chatwire.signing.SigningSecret;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import io.chatwire.store.SecretsAtRest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Accounts, their API keys and the operator tokens. All SQL of those tables lives here. */
public final class AccountStore {
    public static final String API_KEY_PREFIX = "cwk_";
    public static final String OPERATOR_TOKEN_PREFIX = "cwop_";

    private static final String ACCOUNT_COLUMNS = """
            a.id, a.name, a.plan, a.status, a.signing_secret, a.previous_signing_secret, a.previous_secret_expires_at,
            a.created_at""";

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
    private static final String UPDATE_PLAN = "UPDATE accounts SET plan = ? WHERE id = ?";
    private static final String UPDATE_NAME = "UPDATE accounts SET name = ? WHERE id = ?";
    private static final String UPDATE_STATUS = "UPDATE accounts SET status = ? WHERE id = ?";
    private static final String ROTATE_SECRET = """
            UPDATE accounts SET previous_signing_secret = signing_secret, previous_secret_expires_at = ?,
                                signing_secret = ?
            WHERE id = ?
            """;
    private static final String KEYS_OF_ACCOUNT = """
            SELECT id, account_id, key_prefix, created_at, revoked_at FROM api_keys WHERE account_id = ? ORDER BY id
            """;
    private static final String REVOKE_KEY = """
            UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL
            """;
    private static final String KEY_EXISTS = "SELECT 1 FROM api_keys WHERE id = ? AND account_id = ?";
    private static final String OPERATOR_TOKEN_EXISTS = "SELECT 1 FROM operator_tokens WHERE token_hash = ?";
    private static final String ANY_OPERATOR_TOKEN = "SELECT 1 FROM operator_tokens LIMIT 1";
    private static final String INSERT_OPERATOR_TOKEN = """
            INSERT INTO operator_tokens (token_hash, created_at) VALUES (?, ?)
            ON CONFLICT (token_hash) DO NOTHING
            """;
    private static final String DELETE_OPERATOR_TOKENS = "DELETE FROM operator_tokens";
    private static final String SECRETS = """
            SELECT signing_secret, previous_signing_secret, previous_secret_expires_at FROM accounts WHERE id = ?
            """;

    private final Database db;
    private final Clock clock;

    public AccountStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Creates an account with a fresh API key and signing secret. */
    public NewAccount create(String name, Plan plan) {
        Account account = new Account(Ids.newId("acct"), name, plan, Account.Status.ACTIVE,
                SecretSet.of(SigningSecret.generate()), now());
        String apiKey = Tokens.generate(API_KEY_PREFIX);
        db.write(c -> {
            Jdbc.update(c, INSERT_ACCOUNT, account.id(), name, plan.wireName(),
                    db.cipher().seal(account.signingSecret().value(), SecretsAtRest.accountRow(account.id())),
                    account.createdAt().toEpochMilli());
            insertKey(c, Ids.newId("key"), account.id(), apiKey, account.createdAt());
            return null;
        });
        return new NewAccount(account, apiKey);
    }

    public Optional<Account> find(String accountId) {
        return db.read(c -> Jdbc.queryOne(c, BY_ID, rs -> account(rs, db.cipher()), accountId));
    }

    public Account get(String accountId) {
        return find(accountId).orElseThrow(() -> new Problem.NotFound("account", accountId));
    }

    public List<Account> list() {
        return db.read(c -> Jdbc.query(c, ALL, rs -> account(rs, db.cipher())));
    }

    /** The account a live API key belongs to; the lookup is by hash, so timing tells nothing. */
    public Optional<Account> findByApiKey(String apiKey) {
        return db.read(c -> Jdbc.queryOne(c, BY_API_KEY, rs -> account(rs, db.cipher()), Tokens.hash(apiKey)));
    }

    public Account changePlan(String accountId, Plan plan) {
        requireUpdated(db.write(c -> Jdbc.update(c, UPDATE_PLAN, plan.wireName(), accountId)), accountId);
        return get(accountId);
    }

    public Account rename(String accountId, String name) {
        requireUpdated(db.write(c -> Jdbc.update(c, UPDATE_NAME, name, accountId)), accountId);
        return get(accountId);
    }

    /**
     * Suspends or reinstates. While suspended, events are still accepted and stored with their
     * deliveries, but nothing is delivered; reinstating lets the held deliveries go out.
     */
    public Account setStatus(String accountId, Account.Status status) {
        requireUpdated(db.write(c -> Jdbc.update(c, UPDATE_STATUS, status.wireName(), accountId)), accountId);
        return get(accountId);
    }

    /** Replaces the signing secret; the old one keeps signing (Standard header) for the grace period. */
    public SecretSet rotateSecret(String accountId, Duration grace) {
        SigningSecret fresh = SigningSecret.generate();
        Instant expires = now().plus(grace);
        String sealed = db.cipher().seal(fresh.value(), SecretsAtRest.accountRow(accountId));
        requireUpdated(db.write(c -> Jdbc.update(c, ROTATE_SECRET, expires.toEpochMilli(), sealed, accountId)),
                accountId);
        return get(accountId).secrets();
    }

    public NewApiKey createApiKey(String accountId) {
        get(accountId);
        String secret = Tokens.generate(API_KEY_PREFIX);
        Instant now = now();
        String id = Ids.newId("key");
        db.write(c -> {
            insertKey(c, id, accountId, secret, now);
            return null;
        });
        return new NewApiKey(new ApiKey(id, accountId, prefixOf(secret), now, Optional.empty()), secret);
    }

    public List<ApiKey> apiKeys(String accountId) {
        get(accountId);
        return db.read(c -> Jdbc.query(c, KEYS_OF_ACCOUNT, rs -> new ApiKey(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("key_prefix"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Jdbc.optionalLong(rs, "revoked_at").map(Instant::ofEpochMilli)), accountId));
    }

    /** Revokes a key; revoking one already revoked changes nothing. */
    public void revokeApiKey(String accountId, String keyId) {
        db.write(c -> {
            if (Jdbc.queryOne(c, KEY_EXISTS, rs -> true, keyId, accountId).isEmpty()) {
                throw new Problem.NotFound("API key", keyId);
            }
            return Jdbc.update(c, REVOKE_KEY, now().toEpochMilli(), keyId, accountId);
        });
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

    /**
     * Makes {@code token} the only operator token, in one transaction: every earlier one stops working
     * at once, on running servers too, since each request looks its token up here.
     */
    public void replaceOperatorTokens(String token) {
        db.write(c -> {
            Jdbc.update(c, DELETE_OPERATOR_TOKENS);
            return Jdbc.update(c, INSERT_OPERATOR_TOKEN, Tokens.hash(token), now().toEpochMilli());
        });
    }

    /** The account's secrets, read (and decrypted with {@code cipher}) in the caller's transaction. */
    public static Optional<SecretSet> secrets(Connection c, SecretCipher cipher, String accountId) throws SQLException {
        return Jdbc.queryOne(c, SECRETS, rs -> secretSet(cipher, SecretsAtRest.accountRow(accountId), rs,
                "signing_secret", "previous_signing_secret", "previous_secret_expires_at"), accountId);
    }

    /** The account read in the caller's transaction, its secrets decrypted with {@code cipher}. */
    public static Optional<Account> find(Connection c, SecretCipher cipher, String accountId) throws SQLException {
        return Jdbc.queryOne(c, BY_ID, rs -> account(rs, cipher), accountId);
    }

    /**
     * Reads a current/previous/expiry triple of secret columns of one row, decrypting with
     * {@code cipher}; {@code row} is the associated data they were sealed with (see {@link SecretsAtRest}).
     */
    public static SecretSet secretSet(SecretCipher cipher, String row, ResultSet rs, String current, String previous,
            String expires) throws SQLException {
        return new SecretSet(
                new SigningSecret(cipher.open(rs.getString(current), row)),
                Optional.ofNullable(cipher.open(rs.getString(previous), row)).map(SigningSecret::new),
                Jdbc.optionalLong(rs, expires).map(Instant::ofEpochMilli));
    }

    private static void insertKey(Connection c, String id, String accountId, String secret, Instant at) throws SQLException {
        Jdbc.update(c, INSERT_API_KEY, id, accountId, Tokens.hash(secret), prefixOf(secret), at.toEpochMilli());
    }

    private static String prefixOf(String secret) {
        return secret.substring(0, API_KEY_PREFIX.length() + 4);
    }

    private static void requireUpdated(int rows, String accountId) {
        if (rows != 1) {
            throw new Problem.NotFound("account", accountId);
        }
    }

    static Account account(ResultSet rs, SecretCipher cipher) throws SQLException {
        return new Account(
                rs.getString("id"),
                rs.getString("name"),
                Plan.fromWire(rs.getString("plan")),
                Account.Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
                secretSet(cipher, SecretsAtRest.accountRow(rs.getString("id")), rs,
                        "signing_secret", "previous_signing_secret", "previous_secret_expires_at"),
                Instant.ofEpochMilli(rs.getLong("created_at")));
    }

    private Instant now() {
        return clock.instant();
    }
}
