package io.chatwire.api;

import io.chatwire.account.Account;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The seam through which the customer portal (io.chatwire.portal) plugs into the API: its own pages
 * and cookie routes, the links the operator asks for, and who a request on the portal's API path acts
 * for. Requests there carry the portal's session cookie, never a bearer token.
 */
public interface PortalAccess {

    /** What a portal session may act for: its account, and only one chatbot of it when given. */
    record Caller(Account account, Optional<String> chatbotId) {
    }

    /** The operator's request for a link. */
    record LinkRequest(String accountId, Duration ttl, boolean readOnly, Optional<String> chatbotId, Theme theme) {
    }

    /** The portal's look for this link (each part optional): checked, then carried in the link's query. */
    record Theme(Optional<String> brandColor, Optional<String> logoUrl, boolean hideHeader, Optional<String> appearance) {
    }

    record Link(String url, Instant expiresAt) {
    }

    /** Whether the request came in under the portal's API path. */
    boolean onPortalPath(Context ctx);

    /**
     * The caller of a request on the portal's API path, once its session, read-only flag, CSRF token
     * and chatbot scope allow this request; otherwise a Problem (401 for no live session).
     */
    Caller caller(Context ctx);

    /** Registers the portal's pages, assets and cookie routes. */
    void install(JavalinConfig config);

    /** A new one-time link (404 for an unknown account or a chatbot not the account's). */
    Link open(Context ctx, LinkRequest request);

    /** Ends every portal session of the account; answers how many were live. */
    int revokeAll(String accountId);
}
