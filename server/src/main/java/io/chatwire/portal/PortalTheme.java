package io.chatwire.portal;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The portal's look, chosen by the platform in the link's query: {@code brand} (a #rrggbb colour),
 * {@code logo} (an https: URL, or a data:image URL of at most 8 KiB: never http:, whose image any
 * network on the way could swap, nor script-bearing schemes), {@code header=hidden} and
 * {@code appearance=light|dark}. Kept in the clean URL the link redirects to; the page checks
 * them again, and the portal's CSP allows images only from itself, https: and data:.
 */
final class PortalTheme {
    static final int MAX_DATA_LOGO = 8 * 1024;
    private static final Pattern COLOUR = Pattern.compile("#[0-9A-Fa-f]{6}");
    private static final Pattern DATA_IMAGE = Pattern.compile("data:image/(png|jpeg|gif|webp|svg\\+xml);base64,[A-Za-z0-9+/=]+");
    private static final Map<String, Predicate<String>> PARAMETERS = new LinkedHashMap<>();

    static {
        PARAMETERS.put("brand", v -> COLOUR.matcher(v).matches());
        PARAMETERS.put("logo", PortalTheme::isLogo);
        PARAMETERS.put("header", v -> v.equals("hidden") || v.equals("shown"));
        PARAMETERS.put("appearance", v -> v.equals("light") || v.equals("dark"));
    }

    private PortalTheme() {
    }

    static boolean isLogo(String v) {
        if (v.startsWith("data:")) {
            return v.length() <= MAX_DATA_LOGO && DATA_IMAGE.matcher(v).matches();
        }
        return v.length() <= 2048 && v.startsWith("https://") && v.length() > 8
                && v.chars().noneMatch(ch -> ch <= ' ' || ch == '"' || ch == '\'' || ch == '<' || ch == '>' || ch == '\\');
    }

    /** The valid theme parameters of the request, as a query string ("" for none, else "?..."). */
    static String query(Context ctx) {
        StringBuilder q = new StringBuilder();
        PARAMETERS.forEach((name, valid) -> {
            String v = ctx.queryParam(name);
            if (v != null && valid.test(v)) {
                q.append(q.isEmpty() ? '?' : '&').append(name).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }
}
