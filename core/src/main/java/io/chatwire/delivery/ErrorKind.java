package io.chatwire.delivery;

import java.util.Locale;

/** Why an attempt did not succeed, as recorded in the attempt log. */
public enum ErrorKind {
    /** No answer within the total timeout. */
    TIMEOUT,
    /** The connection could not be opened (refused, unreachable, connect timeout). */
    CONNECT,
    /** The host name did not resolve. */
    DNS,
    /** The TLS handshake failed (certificate, protocol). */
    TLS,
    /** The receiver answered, but not with 2xx. */
    HTTP_STATUS,
    /** The receiver answered with a redirect; Chatwire does not follow them. */
    REDIRECT,
    /** The connection broke while sending or reading. */
    IO,
    /** The URL's host is (or resolved to) an address Chatwire may not connect to. */
    BLOCKED_TARGET,
    /** The endpoint was disabled before the attempt. */
    ENDPOINT_DISABLED,
    /** The account moved to the free plan after the event; recoverable after an upgrade. */
    PLAN_WITHOUT_WEBHOOKS,
    /** The endpoint was deleted before the attempt. */
    ENDPOINT_DELETED,
    /** A relay endpoint ({@code chatwire listen}) had no listener connected to this node. */
    RELAY_UNAVAILABLE,
    /**
     * The endpoint's filter or transform threw, ran too long or made an invalid body: nothing was
     * sent. Not retried (the same event gives the same result); fix the expression and resend.
     */
    TRANSFORM;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
