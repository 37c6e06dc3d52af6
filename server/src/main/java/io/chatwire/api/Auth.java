package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.account.AccountStore;
import io.chatwire.problem.Problem;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Optional;

/**
 * Tells who is calling from {@code Authorization: Bearer <token>}: the operator (the platform's own
 * service token) or an account (its API key). Unknown and malformed tokens get the same answer, so
 * the API never tells whether an account exists.
 */
final class Auth {
    private final AccountStore accounts;
    /** The configured operator token's SHA-256, compared in constant time with the presented token's. */
    private final Optional<byte[]> adminTokenHash;
    private final AuthThrottle throttle;

    Auth(AccountStore accounts, Optional<String> adminToken) {
        this(accounts, adminToken, new AuthThrottle(0));
    }

    Auth(AccountStore accounts, Optional<String> adminToken, AuthThrottle throttle) {
        this.accounts = accounts;
        this.adminTokenHash = adminToken.map(Auth::sha256);
        this.throttle = throttle;
    }

    void requireOperator(Context ctx) {
        String token = bearer(ctx);
        if (isOperator(token)) {
            return;
        }
        if (token.startsWith(AccountStore.API_KEY_PREFIX) && accounts.findByApiKey(token).isPresent()) {
            throw new Problem.Forbidden("forbidden", "this route needs the operator token, not an account API key");
        }
        throw invalid(ctx);
    }

    Account requireAccount(Context ctx) {
        String token = bearer(ctx);
        Optional<Account> account = token.startsWith(AccountStore.API_KEY_PREFIX)
                ? accounts.findByApiKey(token) : Optional.empty();
        if (account.isPresent()) {
            return account.get();
        }
        if (isOperator(token)) {
            throw new Problem.Forbidden("forbidden", "this route needs an account API key, not the operator token");
        }
        throw invalid(ctx);
    }

    private boolean isOperator(String token) {
        // Hashes of equal length compared in constant time: the timing says nothing about the token,
        // not even its length. (Stored tokens and API keys are looked up by hash, which tells nothing either.)
        if (adminTokenHash.isPresent() && MessageDigest.isEqual(adminTokenHash.get(), sha256(token))) {
            return true;
        }
        return token.startsWith(AccountStore.OPERATOR_TOKEN_PREFIX) && accounts.isOperatorToken(token);
    }

    private String bearer(Context ctx) {
        var values = Collections.list(ctx.req().getHeaders("Authorization"));
        if (values.size() > 1) {
            throw new Problem.Invalid("doubled_header", "send the Authorization header once");
        }
        if (values.isEmpty()) {
            throw new Problem.Unauthorized("send Authorization: Bearer <token>");
        }
        Optional<java.time.Duration> blocked = throttle.blocked(ctx.ip());
        if (blocked.isPresent()) {
            throw new Problem.TooManyRequests("too_many_failed_authentications",
                    "too many failed authentications from this address; try again later", blocked.get());
        }
        String value = values.getFirst().strip();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw invalid(ctx, "the Authorization header must be 'Bearer <token>'");
        }
        String token = value.substring(7).strip();
        if (token.isEmpty() || token.length() > 256) {
            throw invalid(ctx);
        }
        return token;
    }

    /** A refused token: counted against the caller's address; the message never names the token. */
    private Problem invalid(Context ctx) {
        return invalid(ctx, "the token is not valid");
    }

    private Problem invalid(Context ctx, String message) {
        throttle.failed(ctx.ip());
        return new Problem.Unauthorized(message);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
