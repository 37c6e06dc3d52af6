package io.chatwire.endpoint;

import io.chatwire.problem.Problem;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Checks a URL typed in by a customer before it is stored. */
public final class EndpointUrl {
    static final int MAX_LENGTH = 2048;

    private EndpointUrl() {
    }

    /** The URL as a URI, or a 400 naming what is wrong with it. */
    public static URI parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new Problem.Invalid("invalid_url", "url is required");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new Problem.Invalid("invalid_url", "url is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw new Problem.Invalid("invalid_url", "url is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Problem.Invalid("invalid_url", "url must use http or https (got '" + raw + "')");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new Problem.Invalid("invalid_url", "url must name a host");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            // URI accepts any number of digits; no such port can be dialled, so say so now, not at each attempt.
            throw new Problem.Invalid("invalid_url", "url's port must be 1 to 65535 (got " + uri.getPort() + ")");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Problem.Invalid("invalid_url", "url must not carry credentials (user:password@)");
        }
        if (uri.getRawFragment() != null) {
            throw new Problem.Invalid("invalid_url", "url must not have a #fragment");
        }
        return uri;
    }
}
