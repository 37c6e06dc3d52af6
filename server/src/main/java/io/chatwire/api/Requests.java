package io.chatwire.api;

import io.chatwire.input.Parameter;
import io.chatwire.problem.Problem;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reading the parts of a request: the body under a cap, query parameters (times, dates and numbers
 * through {@link Parameter}, the one path that bounds them), single-valued headers.
 */
final class Requests {
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 200;
    /** Bodies up to this size are read and dropped before a 413; larger ones get the answer and a close. */
    static final long DRAIN_LIMIT = 4L * 1024 * 1024;

    private Requests() {
    }

    /**
     * The body, refused with 413 past {@code max} bytes: by its Content-Length before anything is read,
     * and while reading, for a chunked body that has none.
     */
    static byte[] body(Context ctx, long max) {
        if (ctx.attribute(Api.BODY_READ_AHEAD) instanceof byte[] read) {
            if (read.length > max) {
                throw new Problem.TooLarge("the body is larger than the limit of " + max + " bytes");
            }
            return read;
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            if (declared <= DRAIN_LIMIT) {
                // A client a little over the limit is usually still sending; reading (and dropping) its
                // body lets it read the 413 instead of seeing the connection cut mid-upload.
                drain(ctx);
            }
            throw new Problem.TooLarge("the body is " + declared + " bytes; the limit is " + max);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) {
                throw new Problem.TooLarge("the body is larger than the limit of " + max + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new Problem.Invalid("unreadable_body", "the body could not be read: " + e.getMessage());
        }
    }

    /**
     * Refuses text no identifier or name of ours contains, and that some databases cannot even store
     * (PostgreSQL refuses NUL in text): control characters other than tab and line breaks, and lone
     * UTF-16 surrogates (what invalid UTF-8 or a bare {@code \\uD800} escape decodes to).
     */
    static void requireCleanText(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
            boolean loneSurrogate = Character.isHighSurrogate(c)
                    ? i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(++i))
                    : Character.isLowSurrogate(c);
            if (control || loneSurrogate || c == '\uFFFD') {
                throw new Problem.Invalid("invalid_characters", what
                        + " contains control characters or invalid Unicode (e.g. from invalid UTF-8)");
            }
        }
    }

    /** The path and query parameters, percent-decoded, must be clean text (see {@link #requireCleanText}). */
    static void requireCleanUri(Context ctx) {
        try {
            String path = ctx.req().getRequestURI();
            if (path.indexOf('%') >= 0) {
                requireCleanText("the path", java.net.URLDecoder.decode(path.replace("+", "%2B"),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            String query = ctx.req().getQueryString();
            if (query != null) {
                for (String part : query.split("&")) {
                    int eq = part.indexOf('=');
                    String name = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq),
                            java.nio.charset.StandardCharsets.UTF_8);
                    requireCleanText("a query parameter's name", name);
                    if (eq >= 0) {
                        requireCleanText(name.length() <= 64 ? name : "a query parameter", java.net.URLDecoder.decode(
                                part.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IllegalArgumentException badPercentEncoding) {
            throw new Problem.Invalid("invalid_parameter", "the path or query has a malformed %-escape");
        }
    }

    private static void drain(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            in.skip(DRAIN_LIMIT);
        } catch (IOException ignored) {
            // The client went away; the 413 is answered anyway.
        }
    }

    /** A header that must appear at most once. */
    static Optional<String> singleHeader(Context ctx, String name) {
        List<String> values = Collections.list(ctx.req().getHeaders(name));
        if (values.size() > 1) {
            throw new Problem.Invalid("doubled_header", "send the " + name + " header once");
        }
        return values.stream().findFirst();
    }

    static int limit(Context ctx) {
        return query(ctx, "limit").map(v -> (int) Parameter.query("limit").wholeNumber(v, 1, MAX_PAGE))
                .orElse(DEFAULT_PAGE);
    }

    static Optional<String> query(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        if (v.length() > 256) {
            throw new Problem.Invalid("invalid_parameter", name + " is too long");
        }
        return Optional.of(v);
    }

    /** An ISO-8601 instant within {@link Parameter}'s bounds. */
    static Optional<Instant> instant(Context ctx, String name) {
        return query(ctx, name).map(Parameter.query(name)::instant);
    }

    /** An ISO-8601 date within {@link Parameter}'s bounds. */
    static Optional<LocalDate> date(Context ctx, String name) {
        return query(ctx, name).map(Parameter.query(name)::date);
    }

    /**
     * A page from rows fetched with {@code limit + 1}: the extra row only says that another page
     * follows, so a last page that happens to be full gets no cursor to an empty page.
     */
    static <T> Views.Page<T> page(List<T> rows, int limit, java.util.function.Function<T, String> id) {
        if (rows.size() <= limit) {
            return new Views.Page<>(rows, Optional.empty());
        }
        List<T> page = rows.subList(0, limit);
        return new Views.Page<>(page, Optional.of(id.apply(page.getLast())));
    }
}
