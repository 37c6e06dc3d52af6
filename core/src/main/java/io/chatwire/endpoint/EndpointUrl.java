package io.chatwire.endpoint;

import io.chatwire.problem.Problem;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a URL typed in by a customer before it is stored. */
public final class EndpointUrl {
    static final int MAX_LENGTH = 2048;
    private static final Pattern PORT_AT_END = Pattern.compile(":([0-9]{6,})$");

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
            // java.net.URI reads a port too large for an int as no host at all: say what is wrong.
            Matcher port = PORT_AT_END.matcher(uri.getRawAuthority() == null ? "" : uri.getRawAuthority());
            if (port.find()) {
                throw portRefusal(port.group(1));
            }
            throw new Problem.Invalid("invalid_url", "url must name a host");
        }
        // Port 0 cannot be dialled, and no port is above 65535.
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw portRefusal(Integer.toString(uri.getPort()));
        }
        if (uri.getRawUserInfo() != null) {
            throw new Problem.Invalid("invalid_url", "url must not carry credentials (user:password@)");
        }
        if (uri.getRawFragment() != null) {
            throw new Problem.Invalid("invalid_url", "url must not have a #fragment");
        }
        return uri;
    }

    private static Problem.Invalid portRefusal(String port) {
        return new Problem.Invalid("invalid_url", "url port must be 1-65535 (got " + port + ")");
    }
}
