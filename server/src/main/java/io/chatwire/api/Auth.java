package io.chatwire.api;

import io.chatwire.abuse.AuthThrottle;
import io.chatwire.abuse.ClientAddresses;
import io.chatwire.account.Account;
import io.chatwire.account.AccountStore;
import io.chatwire.problem.Problem;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Tells who is calling from {@code Authorization: Bearer <token>}: the operator (the platform's own
 * service token) or an account (its API key). Unknown and malformed tokens get the same answer, so
 * the API never tells whether an account exists.
 *
 * <p>A valid token is always served. Only a refused one is reported to the {@link AuthThrottle}, by
 * the client's address ({@link ClientAddresses}); past the free failures it is answered 429 instead
 * of 401, with the same body whatever the token was, so the throttle costs only those who fail.
 */
final class Auth {
    private static final String CHATBOT_SCOPE = "chatwire.chatbotScope";
    private final AccountStore accounts;
    /** The configured operator token's SHA-256, compared in constant time with the presented token's. */
    private final Optional<byte[]> adminTokenHash;
    private final AuthThrottle throttle;
    private final ClientAddresses addresses;
    private final Counter unauthorized;
    private final Counter throttled;
    private final Optional<PortalAccess> portal;

    Auth(AccountStore accounts, Optional<String> adminToken, AuthThrottle throttle, ClientAddresses addresses,
            MeterRegistry metrics) {
        this(accounts, adminToken, throttle, addresses, metrics, Optional.empty());
    }

    Auth(AccountStore accounts, Optional<String> adminToken, AuthThrottle throttle, ClientAddresses addresses,
            MeterRegistry metrics, Optional<PortalAccess> portal) {
        this.portal = portal;
        this.accounts = accounts;
        this.adminTokenHash = adminToken.map(Auth::sha256);
        this.throttle = throttle;
        this.addresses = addresses;
        this.unauthorized = failures(metrics, "unauthorized");
        this.throttled = failures(metrics, "throttled");
    }

    private static Counter failures(MeterRegistry metrics, String answer) {
        return Counter.builder("chatwire.auth.failures").tag("answer", answer)
                .description("Refused tokens, by answer: 401, or 429 past CHATWIRE_AUTH_FAILURE_LIMIT")
                .register(metrics);
    }

    void requireOperator(Context ctx) {
        if (onPortalPath(ctx)) {
            throw new Problem.Forbidden("not_for_portal_sessions", "operator routes are not open to portal sessions");
        }
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
        if (onPortalPath(ctx)) {
            PortalAccess.Caller caller = portal.orElseThrow().caller(ctx);
            ctx.attribute(CHATBOT_SCOPE, caller.chatbotId());
            return caller.account();
        }
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

    /**
     * The one chatbot the caller may see, when it is a portal session for one chatbot (for the few
     * listings that filter instead of refusing). Read after {@link #requireAccount}.
     */
    Optional<String> chatbotScope(Context ctx) {
        Optional<String> scope = ctx.attribute(CHATBOT_SCOPE);
        return scope == null ? Optional.empty() : scope;
    }

    private boolean onPortalPath(Context ctx) {
        return portal.isPresent() && portal.get().onPortalPath(ctx);
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
        var client = addresses.resolve(ctx.req().getRemoteAddr(), headers(ctx, "X-Forwarded-For"),
                headers(ctx, "Forwarded"));
        return switch (throttle.failed(client)) {
            case AuthThrottle.Verdict.Unthrottled u -> {
                unauthorized.increment();
                yield new Problem.Unauthorized(message);
            }
            case AuthThrottle.Verdict.Throttled t -> {
                throttled.increment();
                yield new Problem.TooManyRequests("too_many_failed_authentications", "too many invalid tokens from"
                        + " this address: check yours, and retry after the Retry-After header's seconds", t.retryAfter());
            }
        };
    }

    private static List<String> headers(Context ctx, String name) {
        return Collections.list(ctx.req().getHeaders(name));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
