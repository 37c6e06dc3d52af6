package io.chatwire.portal;

import io.chatwire.api.PortalAccess;
import io.chatwire.problem.Problem;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The portal's look, chosen by the operator when asking for the link, or by the platform in the
 * link's query: {@code brand} (a #rrggbb colour),
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
                q.append(q.isEmpty() ? '?' : '&').append(parameter(name, v));
            }
        });
        return q.toString();
    }

    /**
     * The operator's theme for a link, as parameters to append to it ("&..." or ""). Unlike a query
     * typed by hand, which is ignored where wrong, a wrong value here is refused, naming the field.
     */
    static String query(PortalAccess.Theme theme) {
        StringBuilder q = new StringBuilder();
        theme.brandColor().ifPresent(v -> q.append('&').append(checked("brand", "brand_color", v,
                "a colour such as #204080")));
        theme.logoUrl().ifPresent(v -> q.append('&').append(checked("logo", "logo_url", v,
                "an https: URL, or a data:image/(png|jpeg|gif|webp|svg+xml);base64 URL of at most 8 KiB")));
        if (theme.hideHeader()) {
            q.append('&').append(parameter("header", "hidden"));
        }
        theme.appearance().ifPresent(v -> q.append('&').append(checked("appearance", "appearance", v,
                "light or dark")));
        return q.toString();
    }

    private static String checked(String name, String field, String value, String expected) {
        if (!PARAMETERS.get(name).test(value)) {
            throw new Problem.Invalid("invalid_field", field + " must be " + expected);
        }
        return parameter(name, value);
    }

    private static String parameter(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
