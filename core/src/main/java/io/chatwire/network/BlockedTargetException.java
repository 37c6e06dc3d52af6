package io.chatwire.network;

import java.io.IOException;
import java.net.InetAddress;

/**
 * A connection Chatwire refused to open because the address is not a public one (or not allowed).
 * An IOException so that the HTTP client treats it like any other failure to connect; the message
 * names the host, the address and the rule, and nothing else of the URL.
 */
public final class BlockedTargetException extends IOException {
    private final String rule;

    public BlockedTargetException(String rule, String host, InetAddress address) {
        super(host + " is " + TargetGuard.article(rule) + " " + rule + " address (" + address.getHostAddress()
                + "); set CHATWIRE_ALLOWED_TARGETS to allow it");
        this.rule = rule;
    }

    /** The rule that refused, e.g. "loopback". */
    public String rule() {
        return rule;
    }
}
