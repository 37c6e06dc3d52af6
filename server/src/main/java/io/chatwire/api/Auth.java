package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.account.AccountStore;
import io.chatwire.account.Tokens;
import io.chatwire.problem.Problem;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.Optional;

/**
 * Tells who is calling from {@code Authorization: Bearer <token>}: the operator (the platform's own
 * service token) or an account (its API key). Unknown and malformed tokens get the same answer, so
 * the API never tells whether an account exists.
 */
final class Auth {
    private final AccountStore accounts;
    private final Optional<String> adminToken;

    Auth(AccountStore accounts, Optional<String> adminToken) {
        this.accounts = accounts;
        this.adminToken = adminToken;
    }

    void requireOperator(Context ctx) {
        String token = bearer(ctx);
        if (isOperator(token)) {
            return;
        }
        if (token.startsWith(AccountStore.API_KEY_PREFIX) && accounts.findByApiKey(token).isPresent()) {
            throw new Problem.Forbidden("forbidden", "this route needs the operator token, not an account API key");
        }
        throw invalid();
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
        throw invalid();
    }

    private boolean isOperator(String token) {
        if (adminToken.isPresent() && Tokens.same(adminToken.get(), token)) {
            return true;
        }
        return token.startsWith(AccountStore.OPERATOR_TOKEN_PREFIX) && accounts.isOperatorToken(token);
    }

    private static String bearer(Context ctx) {
        var values = Collections.list(ctx.req().getHeaders("Authorization"));
        if (values.size() > 1) {
            throw new Problem.Invalid("doubled_header", "send the Authorization header once");
        }
        if (values.isEmpty()) {
            throw new Problem.Unauthorized("send Authorization: Bearer <token>");
        }
        String value = values.getFirst().strip();
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Problem.Unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        String token = value.substring(7).strip();
        if (token.isEmpty() || token.length() > 256) {
            throw invalid();
        }
        return token;
    }

    private static Problem invalid() {
        return new Problem.Unauthorized("the token is not valid");
    }
}
