package io.chatwire.transform;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.Jsonata;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Runs endpoints' filters (at ingest) and transforms (just before signing), each compiled once and
 * kept by its text: an endpoint's new version has new text, so it is compiled anew, and endpoints
 * with the same expression share one program.
 *
 * <p>The transform's result convention (docs/transforms.md): its value is the body — a string is sent
 * as it is, anything else as JSON; no value (JSONata's undefined, e.g. a condition without an else)
 * drops the event for the endpoint; {@code $header(name, value)} adds a header to the request.
 */
public final class Shaper {
    /** Programs kept at most; past that the cache starts over (expressions are few and cheap to parse). */
    static final int MAX_CACHED = 10_000;
    static final int MAX_HEADERS = 20;
    static final int MAX_HEADER_VALUE = 1024;
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
    /** Headers Chatwire sets itself: a transform may not replace or add to them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "host",
            "user-agent", "connection", "transfer-encoding", "expect", "upgrade", "te", "trailer");
    private static final Set<String> RESERVED_PREFIXES = Set.of("webhook-", "x-chat-data-", "x-chatwire-");
    private static final ThreadLocal<Map<String, String>> HEADERS = new ThreadLocal<>();

    static {
        // The engine's first run loads and initialises its classes, which takes longer than a filter
        // may run: done once here, so that no customer's first event pays for it with a timeout.
        if (compileFresh(Role.TRANSFORM, "($header('X-Warm', $string(a.b < 1)); {'c': $join(d.e, ',') & $pad('', 2)})")
                instanceof Program.Compiled.Ok ok) {
            transform(ok.program(), "{\"a\":{\"b\":0.5},\"d\":{\"e\":[\"x\"]}}");
        }
    }

    private final ConcurrentHashMap<String, Program.Compiled> programs = new ConcurrentHashMap<>();
    private final Counter filteredOut;
    private final Counter dropped;
    private final Counter failed;

    public Shaper(MeterRegistry metrics) {
        this.filteredOut = Counter.builder("chatwire.transform.filtered")
                .description("Events an endpoint's filter kept from it (no delivery was made)").register(metrics);
        this.dropped = Counter.builder("chatwire.transform.dropped")
                .description("Deliveries an endpoint's transform dropped (nothing was sent)").register(metrics);
        this.failed = Counter.builder("chatwire.transform.failed")
                .description("Attempts failed because a filter or transform threw, ran too long or made an invalid body")
                .register(metrics);
    }

    /** A shaper whose counts go nowhere (tests, tools). */
    public static Shaper unmetered() {
        return new Shaper(new SimpleMeterRegistry());
    }

    /** Compiles an expression to check it (saving an endpoint, previewing): refused with where. */
    public static Program.Compiled check(Role role, String source) {
        return compileFresh(role, source);
    }

    /** The filter's verdict on an event's payload. */
    public Verdict admits(Shaping shaping, String payloadJson) {
        Verdict verdict = verdict(shaping, payloadJson);
        if (verdict instanceof Verdict.Reject) {
            filteredOut.increment();
        }
        return verdict;
    }

    private Verdict verdict(Shaping shaping, String payloadJson) {
        if (shaping.filter().isEmpty()) {
            return new Verdict.Admit();
        }
        return switch (program(Role.FILTER, shaping.filter().get())) {
            case Program.Compiled.Refused r -> new Verdict.Broken("filter: " + r.message(), r.position());
            case Program.Compiled.Ok ok -> verdictOf(ok.program().runOnJson(payloadJson));
        };
    }

    /** The filter's verdict from one run of it: JSONata's truthiness, errors kept with their place. */
    public static Verdict verdictOf(Program.Run run) {
        return switch (run) {
            case Program.Run.Failed f -> new Verdict.Broken("filter: " + f.message()
                    + f.position().map(p -> " at " + p).orElse(""), f.position());
            case Program.Run.Value v -> v.value().isPresent() && Jsonata.boolize(v.value().get())
                    ? new Verdict.Admit() : new Verdict.Reject();
        };
    }

    /**
     * The body and extra headers to sign and send for an event. A filter that failed at ingest fails
     * here again (it is deterministic), so its message reaches the attempt log; its verdict was given
     * at ingest and is not asked again.
     */
    public Shaped bodyFor(Shaping shaping, String payloadJson) {
        Shaped shaped = shape(shaping, payloadJson);
        switch (shaped) {
            case Shaped.Drop d -> dropped.increment();
            case Shaped.Broken b -> failed.increment();
            case Shaped.Send s -> {
            }
        }
        return shaped;
    }

    private Shaped shape(Shaping shaping, String payloadJson) {
        if (shaping.filter().isPresent() && verdict(shaping, payloadJson) instanceof Verdict.Broken b) {
            return new Shaped.Broken(b.message(), b.position());
        }
        if (shaping.transform().isEmpty()) {
            return new Shaped.Send(payloadJson.getBytes(StandardCharsets.UTF_8), Map.of());
        }
        return switch (program(Role.TRANSFORM, shaping.transform().get())) {
            case Program.Compiled.Refused r -> new Shaped.Broken("transform: " + r.message(), r.position());
            case Program.Compiled.Ok ok -> transform(ok.program(), payloadJson);
        };
    }

    /** Runs a transform, collecting the headers it sets with {@code $header}. */
    public static Shaped transform(Program program, String payloadJson) {
        Map<String, String> headers = new LinkedHashMap<>();
        HEADERS.set(headers);
        Program.Run run;
        try {
            run = program.runOnJson(payloadJson);
        } finally {
            HEADERS.remove();
        }
        return switch (run) {
            case Program.Run.Failed f -> new Shaped.Broken("transform: " + f.message()
                    + f.position().map(p -> " at " + p).orElse(""), f.position());
            case Program.Run.Value v when v.value().isEmpty() ->
                    new Shaped.Drop("the transform gave no value, so nothing was sent");
            case Program.Run.Value v -> body(v.value().get(), headers);
        };
    }

    private static Shaped body(Object value, Map<String, String> headers) {
        if (value instanceof Jsonata.JFunction || value.getClass().getName().startsWith("com.dashjoin.jsonata.Parser")) {
            return new Shaped.Broken("transform: the result is a function, not a body", Optional.empty());
        }
        String text = Functions.string(value, false);
        if (text == null) {
            return new Shaped.Drop("the transform gave no value, so nothing was sent");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Program.MAX_STRING) {
            return new Shaped.Broken("transform: the body is larger than " + Program.MAX_STRING + " bytes",
                    Optional.empty());
        }
        return new Shaped.Send(bytes, Map.copyOf(headers));
    }

    private Program.Compiled program(Role role, String source) {
        String key = role.name() + ':' + source;
        Program.Compiled cached = programs.get(key);
        if (cached != null) {
            return cached;
        }
        if (programs.size() >= MAX_CACHED) {
            programs.clear();
        }
        return programs.computeIfAbsent(key, k -> compileFresh(role, source));
    }

    /** Programs compiled so far and kept (for tests of compile-once). */
    int cachedPrograms() {
        return programs.size();
    }

    private static Program.Compiled compileFresh(Role role, String source) {
        Program.Compiled compiled = Program.compile(role, source);
        if (compiled instanceof Program.Compiled.Ok ok && role == Role.TRANSFORM) {
            ok.program().define("header", Shaper::setHeader);
        }
        return compiled;
    }

    /** {@code $header(name, value)}: adds a header to the request; gives nothing back. */
    private static Object setHeader(Object name, Object value) {
        Map<String, String> headers = HEADERS.get();
        if (!(name instanceof String n) || !HEADER_NAME.matcher(n).matches()) {
            throw new com.dashjoin.jsonata.JException("$header: the name must be a header name (letters, digits, -)",
                    -1);
        }
        String lower = n.toLowerCase(Locale.ROOT);
        if (RESERVED_HEADERS.contains(lower) || RESERVED_PREFIXES.stream().anyMatch(lower::startsWith)) {
            throw new com.dashjoin.jsonata.JException("$header: " + n + " is set by Chatwire and cannot be changed",
                    -1);
        }
        String v = value instanceof String s ? s : Functions.string(value, false);
        if (v == null || v.length() > MAX_HEADER_VALUE || v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new com.dashjoin.jsonata.JException("$header: the value of " + n + " must be text of at most "
                    + MAX_HEADER_VALUE + " characters without line breaks", -1);
        }
        if (headers == null) {
            return null; // Compiled for a check only.
        }
        if (!headers.containsKey(n) && headers.size() >= MAX_HEADERS) {
            throw new com.dashjoin.jsonata.JException("$header: at most " + MAX_HEADERS + " headers", -1);
        }
        headers.put(n, v);
        return null;
    }
}
