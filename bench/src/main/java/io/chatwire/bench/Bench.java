package io.chatwire.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Runs the benchmark scenarios against Chatwire server processes and prints/writes the figures.
 * Usage: {@code bench/run.sh [ceiling] [s1] [s2] [s3] [s4] [s5]} (all when none is named); settings
 * come from BENCH_* environment variables (see bench/README.md).
 */
public final class Bench {
    /** What every scenario needs. */
    record Context(Path repo, Path javaHome, Path serverJars, String serverJavaOpts, String operatorToken,
            Path logDir, Path dataRoot, Receiver receiver, String stamp) {
        String ingestRate() {
            return env("BENCH_INGEST_RATE", "0");
        }
    }

    private final Context ctx;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final Map<String, Object> extras = new LinkedHashMap<>();
    private final List<String> oomLogs = new ArrayList<>();
    private double ceilingRps = Double.NaN;
    private long coldStartMs = -1;

    private Bench(Context ctx) {
        this.ctx = ctx;
    }

    // --- settings ------------------------------------------------------------------------------

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    private static int envInt(String key, int fallback) {
        return Integer.parseInt(env(key, Integer.toString(fallback)));
    }

    private static double envDouble(String key, double fallback) {
        return Double.parseDouble(env(key, Double.toString(fallback)));
    }

    private static final int SECONDS = envInt("BENCH_SECONDS", 20);
    private static final int CONNECTIONS = envInt("BENCH_CONNECTIONS", 64);
    private static final double RATE = envDouble("BENCH_RATE", 1000);
    private static final int DRAIN_SECONDS = envInt("BENCH_DRAIN_SECONDS", 30);
    private static final double HANG_RATE = envDouble("BENCH_HANG_RATE", 200);
    private static final int HANG_SECONDS = envInt("BENCH_HANG_SECONDS", 20);
    private static final String REQUEST_TIMEOUT = env("BENCH_REQUEST_TIMEOUT", "5s");
    private static final int BACKLOG = envInt("BENCH_BACKLOG", 1_000_000);
    private static final double BACKLOG_RATE = envDouble("BENCH_BACKLOG_RATE", 200);
    private static final int BACKLOG_SECONDS = envInt("BENCH_BACKLOG_SECONDS", 30);
    private static final int PG_SECONDS = envInt("BENCH_PG_SECONDS", 15);
    private static final String PG_URL = env("BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final int WRK_SECONDS = envInt("BENCH_WRK_SECONDS", 10);
    private static final int WRK_CONNECTIONS = envInt("BENCH_WRK_CONNECTIONS", 64);
    private static final int WARMUP_SECONDS = envInt("BENCH_WARMUP_SECONDS", 8);
    private static final String JFR_SCENARIO = env("BENCH_JFR", "");
    private static final int ORDERED_CONVERSATIONS = envInt("BENCH_CONVERSATIONS", 1000);
    /** How the phase being run spreads its events over conversations (s6 orders by conversation). */
    private LoadGen.Conversations conversations = LoadGen.Conversations.EACH_ITS_OWN;

    // --- main ----------------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        List<String> scenarios = args.length == 0 ? List.of("ceiling", "s1", "s2", "s3", "s4", "s5", "s6") : List.of(args);
        for (String s : scenarios) {
            if (!List.of("ceiling", "s1", "s2", "s3", "s4", "s5", "s6").contains(s)) {
                System.err.println("unknown scenario " + s + " (want ceiling, s1, s2, s3, s4, s5, s6)");
                System.exit(2);
            }
        }
        Path repo = Path.of(env("BENCH_REPO", ".")).toAbsolutePath().normalize();
        Path javaHome = Path.of(env("JAVA_HOME", System.getProperty("java.home")));
        String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path results = repo.resolve("bench/results");
        Path logDir = results.resolve(stamp);
        Path dataRoot = Files.createTempDirectory("chatwire-bench-" + stamp + "-");
        String token = "cwop_bench_" + Long.toHexString(new SecureRandom().nextLong()) + "0000";
        long started = System.nanoTime();
        // run.sh copies the server's jars here, so that a rebuild of server/target during the run
        // (others work in the same tree) cannot change what is measured halfway.
        Path serverJars = Path.of(env("BENCH_SERVER_JARS", repo.resolve("server/target").toString()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ServerNode.LIVE.forEach(p -> {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            });
            String cleanup = env("BENCH_CLEANUP_DIR", "");
            if (cleanup.contains("/bench/target/run-")) {
                deleteTree(Path.of(cleanup)); // run.sh's private copy of the jars
            }
        }));
        try (Receiver receiver = new Receiver(ServerNode.freePort())) {
            Context ctx = new Context(repo, javaHome, serverJars, env("CHATWIRE_JAVA_OPTS", ServerNode.DEFAULT_JAVA_OPTS), token,
                    logDir, dataRoot, receiver, stamp);
            Bench bench = new Bench(ctx);
            say("receiver on 127.0.0.1:" + receiver.port + "; logs in " + logDir + "; data in " + dataRoot);
            for (String s : scenarios) {
                long t = System.nanoTime();
                switch (s) {
                    case "ceiling" -> bench.ceiling();
                    case "s1" -> bench.s1();
                    case "s2" -> bench.s2();
                    case "s3" -> bench.s3();
                    case "s4" -> bench.s4();
                    case "s5" -> bench.s5();
                    case "s6" -> bench.s6();
                    default -> throw new IllegalStateException(s);
                }
                say(s + " took " + (System.nanoTime() - t) / 1_000_000_000 + " s");
            }
            bench.extras.put("total_seconds", (System.nanoTime() - started) / 1_000_000_000);
            bench.extras.put("receiver_signature_failures", receiver.signatureFailures.sum());
            bench.report(results.resolve(stamp + ".json"));
        } finally {
            if (env("BENCH_KEEP_DATA", "").isEmpty()) {
                deleteTree(dataRoot);
            }
        }
    }

    private static void say(String line) {
        System.out.println("[bench " + DateTimeFormatter.ofPattern("HH:mm:ss").format(ZonedDateTime.now()) + "] " + line);
        System.out.flush();
    }

    // --- the raw ceiling -----------------------------------------------------------------------

    /** wrk against the receiver with a validly signed ~700-byte body: the most the receiver can take. */
    private void ceiling() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        ctx.receiver().addAccount("ceil", secret);
        byte[] body = LoadGen.chatEvent("ceilingbot", 0);
        String id = "evt_ceiling";
        // Signed a little ahead so that it stays inside the 5-minute tolerance for the whole run.
        long ts = System.currentTimeMillis() / 1000 + 60;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
        String sig = Base64.getEncoder().encodeToString(mac.doFinal(body));
        String lua = """
                wrk.method = "POST"
                wrk.body = [==[%s]==]
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["x-chat-data-topic"] = "chat"
                wrk.headers["webhook-id"] = "%s"
                wrk.headers["webhook-timestamp"] = "%d"
                wrk.headers["webhook-signature"] = "v1,%s"
                """.formatted(new String(body, StandardCharsets.UTF_8), id, ts, sig);
        Files.createDirectories(ctx.logDir());
        Path script = ctx.logDir().resolve("ceiling.lua");
        Files.writeString(script, lua);
        long before = ctx.receiver().ceilingHits.sum();
        long failuresBefore = ctx.receiver().signatureFailures.sum();
        String url = "http://127.0.0.1:" + ctx.receiver().port + "/ceiling/ceil/x";
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + WRK_CONNECTIONS, "-d" + WRK_SECONDS + "s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(WRK_SECONDS + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        Files.writeString(ctx.logDir().resolve("ceiling-wrk.txt"), out);
        Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new IOException("wrk printed no Requests/sec:\n" + out);
        }
        ceilingRps = Double.parseDouble(m.group(1));
        long verified = ctx.receiver().ceilingHits.sum() - before;
        long failed = ctx.receiver().signatureFailures.sum() - failuresBefore;
        Matcher p99 = Pattern.compile("99%\\s+(\\S+)").matcher(out);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("wrk_requests_per_sec", ceilingRps);
        c.put("wrk_p99", p99.find() ? p99.group(1) : null);
        c.put("connections", WRK_CONNECTIONS);
        c.put("seconds", WRK_SECONDS);
        c.put("verified", verified);
        c.put("signature_failures", failed);
        c.put("body_bytes", body.length);
        extras.put("ceiling", c);
        say(String.format(Locale.ROOT, "ceiling: wrk %.0f req/s against the receiver (%d verified, %d failed)",
                ceilingRps, verified, failed));
    }

    // --- scenarios -----------------------------------------------------------------------------

    private List<String> jfrOpts(String scenario, String label) {
        if (!JFR_SCENARIO.equals(scenario)) {
            return List.of();
        }
        Path file = ctx.logDir().resolve(label + ".jfr");
        return List.of("-XX:StartFlightRecording=filename=" + file + ",settings=profile,dumponexit=true");
    }

    private ServerNode start(String scenario, String label, Map<String, String> settings) throws Exception {
        ServerNode node = ServerNode.start(ctx, label, settings, jfrOpts(scenario, label));
        say("started " + label + " (pid " + node.pid() + ", port " + node.port + ") cold start " + node.coldStartMillis + " ms");
        return node;
    }

    private void stop(ServerNode node, String scenario) throws IOException {
        node.close();
        if (node.logMentions("OutOfMemoryError")) {
            oomLogs.add(node.log.toString());
        }
        if (JFR_SCENARIO.equals(scenario)) {
            Path jfr = ctx.logDir().resolve(node.label + ".jfr");
            if (Files.exists(jfr)) {
                HotFrames.Summary s = HotFrames.of(jfr, 15);
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("file", jfr.toString());
                j.put("samples", s.samples());
                j.put("top_leaf_frames", s.topLeaf());
                j.put("top_chatwire_frames", s.topChatwire());
                j.put("leaf_packages", s.byPackage());
                j.put("native_sqlite_samples", s.nativeSqlite());
                extras.put("jfr_" + node.label, j);
                say("JFR " + jfr + ": " + s.samples() + " samples");
                say("  top leaf frames:");
                s.topLeaf().forEach((k, v) -> say(String.format(Locale.ROOT, "    %5.1f%%  %s", 100.0 * v / s.samples(), k)));
                say("  leaf frames by package:");
                s.byPackage().forEach((k, v) -> say(String.format(Locale.ROOT, "    %5.1f%%  %s", 100.0 * v / s.samples(), k)));
                say("  native samples inside sqlite-jdbc: " + s.nativeSqlite());
                say("  first Chatwire frame on the stack:");
                s.topChatwire().forEach((k, v) -> say(String.format(Locale.ROOT, "    %5.1f%%  %s", 100.0 * v / s.samples(), k)));
            }
        }
    }

    private Map<String, String> sqlite(String name) {
        return Map.of("CHATWIRE_DATA_DIR", ctx.dataRoot().resolve(name).toString());
    }

    private String url(String host, String kind, String account, String bot, int k) {
        return "http://" + host + ":" + ctx.receiver().port + "/" + kind + "/" + account + "/" + bot + "/" + k;
    }

    private List<Setup.EndpointSpec> three(String host, String kind, String account, String bot) {
        List<Setup.EndpointSpec> l = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            l.add(new Setup.EndpointSpec(url(host, kind, account, bot, k), kind.equals("hang")));
        }
        return l;
    }

    /** 1 chatbot, 3 healthy endpoints: as fast as possible, then a fixed rate. */
    private void s1() throws Exception {
        ServerNode node = start("s1", "s1", sqlite("s1"));
        coldStartMs = node.coldStartMillis;
        try {
            Setup.Created c = Setup.create(ctx.receiver(), node.port, ctx.operatorToken(), "s1", 1, 1,
                    i -> three("127.0.0.1", "h", "s1a0", "s1bot" + i));
            List<ServerNode> nodes = List.of(node);
            warmup(nodes, c.bots());
            phase("s1", "s1 afap", nodes, c.bots(), CONNECTIONS, 0, SECONDS, null);
            phase("s1", "s1 " + (int) RATE + "/s", nodes, c.bots(), CONNECTIONS, RATE, SECONDS, null);
        } finally {
            stop(node, "s1");
        }
    }

    /**
     * 1 chatbot, 3 endpoints ordered by conversation, events of 1,000 conversations in turn: as fast as
     * possible, then 1,000 events/s with 1 % of the conversations blocked behind a head that always fails.
     */
    private void s6() throws Exception {
        ServerNode node = start("s6", "s6", sqlite("s6"));
        try {
            Setup.Created c = Setup.create(ctx.receiver(), node.port, ctx.operatorToken(), "s6", 1, 1,
                    i -> three("127.0.0.1", "ob", "s6a0", "s6bot" + i), ",\"ordering\":\"conversation\"");
            List<ServerNode> nodes = List.of(node);
            warmup(nodes, c.bots());
            conversations = new LoadGen.Conversations(ORDERED_CONVERSATIONS, 0);
            phase("s6", "s6 ordered afap", nodes, c.bots(), CONNECTIONS, 0, SECONDS, null);
            conversations = new LoadGen.Conversations(ORDERED_CONVERSATIONS, 100);
            phase("s6", "s6 ordered " + (int) RATE + "/s, 1% blocked", nodes, c.bots(), CONNECTIONS, RATE, SECONDS, null);
        } finally {
            conversations = LoadGen.Conversations.EACH_ITS_OWN;
            stop(node, "s6");
        }
    }

    /** 1,000 chatbots × 3 healthy endpoints (10 accounts), spread over 100 receiver hosts. */
    private void s2() throws Exception {
        ServerNode node = start("s2", "s2", sqlite("s2"));
        try {
            Setup.Created c = Setup.create(ctx.receiver(), node.port, ctx.operatorToken(), "s2", 10, 100,
                    i -> three("127.0.1." + (i % 100 + 1), "h", "s2a" + (i / 100), "s2bot" + i));
            List<ServerNode> nodes = List.of(node);
            warmup(nodes, c.bots());
            phase("s2", "s2 afap", nodes, c.bots(), CONNECTIONS, 0, SECONDS, null);
            phase("s2", "s2 " + (int) RATE + "/s", nodes, c.bots(), CONNECTIONS, RATE, SECONDS, null);
        } finally {
            stop(node, "s2");
        }
    }

    /** 1,000 chatbots × 3 endpoints; the endpoints of every other chatbot (1,500) hang past the timeout. */
    private void s3() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(sqlite("s3"));
        settings.put("CHATWIRE_REQUEST_TIMEOUT", REQUEST_TIMEOUT);
        ServerNode node = start("s3", "s3", settings);
        long timeoutMs = parseMillis(REQUEST_TIMEOUT);
        ctx.receiver().hangMillis = timeoutMs + 1_000;
        try {
            Setup.Created c = Setup.create(ctx.receiver(), node.port, ctx.operatorToken(), "s3", 10, 100,
                    i -> i % 2 == 1
                            ? three("127.0.2." + ((i / 2) % 100 + 1), "hang", "s3a" + (i / 100), "s3bot" + i)
                            : three("127.0.1." + ((i / 2) % 100 + 1), "h", "s3a" + (i / 100), "s3bot" + i));
            warmup(List.of(node), c.bots().stream().filter(b -> b.healthyEndpoints() > 0).toList());
            phase("s3", "s3 " + (int) HANG_RATE + "/s, 1500 hang", List.of(node), c.bots(), CONNECTIONS, HANG_RATE,
                    HANG_SECONDS, null);
        } finally {
            stop(node, "s3");
        }
    }

    /** A backlog of due retries written into the SQLite file, then new events while it drains. */
    private void s4() throws Exception {
        Map<String, String> settings = sqlite("s4");
        ServerNode setupNode = start("s4", "s4-setup", settings);
        Setup.Created c;
        try {
            c = Setup.create(ctx.receiver(), setupNode.port, ctx.operatorToken(), "s4", 1, 2,
                    // Backlog endpoints on their own host: a recovered receiver, not the live ones.
                    i -> i == 0 ? three("127.0.3.1", "bk", "s4a0", "s4bot0") : three("127.0.0.1", "h", "s4a0", "s4bot1"));
        } finally {
            stop(setupNode, "s4");
        }
        Path file = ctx.dataRoot().resolve("s4/chatwire.db");
        Backlog.Inserted ins = Backlog.insert(file, c.accounts().getFirst().id(), c.bots().getFirst().id(),
                c.endpointIds().subList(0, 3), BACKLOG);
        say(String.format(Locale.ROOT, "s4: inserted %,d events and %,d due deliveries in %,d ms (%,d MB file)",
                ins.events(), ins.deliveries(), ins.millis(), Files.size(file) >> 20));
        Recording rec = new Recording("s4");
        ctx.receiver().recording = rec;
        ServerNode node = start("s4", "s4", settings);
        try {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("backlog_inserted", ins.deliveries());
            extra.put("backlog_insert_ms", ins.millis());
            extra.put("cold_start_with_backlog_ms", node.coldStartMillis);
            phase("s4", "s4 backlog+" + (int) BACKLOG_RATE + "/s", List.of(node), c.bots().subList(1, 2), CONNECTIONS,
                    BACKLOG_RATE, BACKLOG_SECONDS, rec, extra);
        } finally {
            stop(node, "s4");
        }
    }

    /** PostgreSQL: 1, 2 and 3 nodes sharing a schema, posts spread over the nodes. */
    private void s5() throws Exception {
        for (int n : new int[] {1, 2, 3}) {
            String schema = "bench_" + ctx.stamp().replace("-", "_") + "_" + n;
            Map<String, String> settings = new LinkedHashMap<>(sqlite("s5-" + n));
            settings.put("CHATWIRE_DB_URL", PG_URL);
            settings.put("CHATWIRE_DB_SCHEMA", schema);
            List<ServerNode> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    Map<String, String> s = new LinkedHashMap<>(settings);
                    s.put("CHATWIRE_NODE_ID", "pg" + n + "-node" + i);
                    nodes.add(start("s5", "s5-pg" + n + "-node" + i, s));
                }
                Setup.Created c = Setup.create(ctx.receiver(), nodes.getFirst().port, ctx.operatorToken(), "s5n" + n, 1, 1,
                        i -> three("127.0.0.1", "h", "s5n" + n + "a0", "s5n" + n + "bot" + i));
                warmup(nodes, c.bots());
                phase("s5", "s5 pg " + n + " node" + (n > 1 ? "s" : "") + " afap", nodes, c.bots(), CONNECTIONS, 0,
                        PG_SECONDS, null);
                phase("s5", "s5 pg " + n + " node" + (n > 1 ? "s" : "") + " " + (int) RATE + "/s", nodes, c.bots(),
                        CONNECTIONS, RATE, PG_SECONDS, null);
            } finally {
                for (ServerNode node : nodes) {
                    stop(node, "s5");
                }
                if (env("BENCH_KEEP_DATA", "").isEmpty()) {
                    dropSchema(schema);
                }
            }
        }
    }

    private static void dropSchema(String schema) {
        try (Connection c = DriverManager.getConnection(PG_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (Exception e) {
            say("could not drop schema " + schema + ": " + e);
        }
    }

    // --- one phase -----------------------------------------------------------------------------

    /** A few seconds of unrecorded load at the fixed rate so that the JIT has compiled the hot paths. */
    private void warmup(List<ServerNode> nodes, List<LoadGen.Bot> healthyBots) throws Exception {
        if (WARMUP_SECONDS <= 0) {
            return;
        }
        Recording rec = new Recording("warmup");
        ctx.receiver().recording = rec;
        List<LoadGen.Node> targets = nodes.stream().map(n -> new LoadGen.Node("127.0.0.1", n.port)).toList();
        LoadGen.run(rec, targets, ctx.operatorToken(), healthyBots, CONNECTIONS, RATE, WARMUP_SECONDS * 1000L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(DRAIN_SECONDS, 10));
        while (rec.healthyArrivals.sum() < rec.expectedHealthy.sum() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        ctx.receiver().recording = new Recording("idle");
        if (rec.postErrors.sum() > 0) {
            say("warm-up: " + rec.postErrors.sum() + " posts failed; statuses " + rec.statuses);
        }
    }

    private void phase(String scenario, String name, List<ServerNode> nodes, List<LoadGen.Bot> bots, int connections,
            double rate, int seconds, Recording given) throws Exception {
        phase(scenario, name, nodes, bots, connections, rate, seconds, given, Map.of());
    }

    private void phase(String scenario, String name, List<ServerNode> nodes, List<LoadGen.Bot> bots, int connections,
            double rate, int seconds, Recording given, Map<String, Object> extra) throws Exception {
        Recording rec = given != null ? given : new Recording(name);
        ctx.receiver().recording = rec;
        long serverTicks0 = nodes.stream().mapToLong(ServerNode::cpuTicks).sum();
        Map<String, Long> threads0 = nodes.getFirst().threadTicks();
        long benchTicks0 = ServerNode.cpuTicks(ProcessHandle.current().pid());
        long backlog0 = rec.backlogArrivals.sum();
        String loadBefore = loadavg();
        say(name + ": " + (rate > 0 ? "posting " + (int) rate + " events/s" : "posting as fast as possible") + " for "
                + seconds + " s over " + connections + " connections to " + nodes.size() + " node(s)");
        List<LoadGen.Node> targets = nodes.stream().map(n -> new LoadGen.Node("127.0.0.1", n.port)).toList();
        LoadGen.run(rec, targets, ctx.operatorToken(), bots, connections, rate, seconds * 1000L, conversations);
        long backlogAtLoadEnd = rec.backlogArrivals.sum();
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (rec.healthyArrivals.sum() < rec.expectedHealthy.sum() && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
        }
        long end = System.nanoTime();
        long serverTicks1 = nodes.stream().mapToLong(ServerNode::cpuTicks).sum();
        Map<String, Long> threads1 = nodes.getFirst().threadTicks();
        long benchTicks1 = ServerNode.cpuTicks(ProcessHandle.current().pid());
        Recording.Analysis a = rec.analyse();
        long[] post = rec.postLatencyNanos();
        double loadSeconds = (rec.loadEndNanos - rec.loadStartNanos) / 1e9;
        long accepted = rec.accepted.size();
        double deliverySeconds = a.lastHealthyArrivalNanos() > 0
                ? (a.lastHealthyArrivalNanos() - rec.loadStartNanos) / 1e9 : Double.NaN;
        double deliveriesPerSec = a.uniqueHealthy() / deliverySeconds;
        double tick = 1000.0 / envInt("BENCH_CLK_TCK", 100);
        double serverCpuMs = (serverTicks1 - serverTicks0) * tick;
        long backlogDuringLoad = backlogAtLoadEnd - backlog0;
        // Attempts that reached the receiver in the window: healthy, hanging and backlog alike.
        long allDeliveries = a.uniqueHealthy() + a.hangAttempts() + (rec.backlogArrivals.sum() - backlog0);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", scenario);
        r.put("phase", name);
        r.put("nodes", nodes.size());
        r.put("chatbots", bots.size());
        r.put("mode", rate > 0 ? "fixed " + (int) rate + "/s" : "as fast as possible");
        r.put("connections", connections);
        r.put("load_seconds", loadSeconds);
        r.put("accepted", accepted);
        r.put("accepted_per_sec", accepted / loadSeconds);
        r.put("accepted_vs_ceiling", accepted / loadSeconds / ceilingRps);
        r.put("post_errors", rec.postErrors.sum());
        r.put("statuses", rec.statuses.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().sum())));
        r.put("post_p50_ms", pct(post, 50));
        r.put("post_p99_ms", pct(post, 99));
        r.put("expected_deliveries", rec.expectedHealthy.sum());
        r.put("deliveries", a.uniqueHealthy());
        r.put("missing_after_drain", rec.expectedHealthy.sum() - a.uniqueHealthy());
        r.put("duplicates", a.duplicates());
        r.put("deliveries_per_sec", deliveriesPerSec);
        r.put("deliveries_vs_ceiling", deliveriesPerSec / ceilingRps);
        r.put("latency_p50_ms", pct(a.healthyLatencyNanos(), 50));
        r.put("latency_p99_ms", pct(a.healthyLatencyNanos(), 99));
        r.put("latency_p999_ms", pct(a.healthyLatencyNanos(), 99.9));
        r.put("latency_max_ms", pct(a.healthyLatencyNanos(), 100));
        r.put("arrived_before_202", a.earlyArrivals());
        r.put("hang_attempts_arrived", a.hangAttempts());
        r.put("server_log_warnings", nodes.stream().mapToLong(ServerNode::logWarnings).sum());
        if (given != null) {
            r.put("backlog_delivered_during_load", backlogDuringLoad);
            r.put("backlog_per_sec_during_load", backlogDuringLoad / loadSeconds);
            r.put("backlog_delivered_total", rec.backlogArrivals.sum());
        }
        r.put("peak_rss_mib", nodes.stream().mapToLong(ServerNode::peakRssKib).max().orElse(-1) / 1024.0);
        r.put("server_cpu_seconds", serverCpuMs / 1000);
        r.put("server_cpu_ms_per_1000_attempts", allDeliveries > 0 ? serverCpuMs * 1000 / allDeliveries : Double.NaN);
        // Where the first node's CPU went, by thread kind (threads that ended during the phase are missed).
        Map<String, Object> byThread = new LinkedHashMap<>();
        threads1.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - threads0.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> byThread.put(e.getKey(), e.getValue() * tick / 1000));
        r.put("server_cpu_seconds_by_thread", byThread);
        r.put("bench_cpu_seconds", (benchTicks1 - benchTicks0) * tick / 1000);
        r.put("wall_seconds", (end - rec.loadStartNanos) / 1e9);
        r.put("cold_start_ms", nodes.getFirst().coldStartMillis);
        List<String> exited = nodes.stream().filter(n -> !n.process.isAlive())
                .map(n -> n.label + " (exit " + n.process.exitValue() + ")").toList();
        if (!exited.isEmpty()) {
            say("server process(es) gone during " + name + ": " + exited + " — killed from outside? see their logs");
        }
        r.put("servers_exited", exited);
        r.put("loadavg_before", loadBefore);
        r.put("loadavg_after", loadavg());
        r.putAll(extra);
        rows.add(r);
        say(String.format(Locale.ROOT,
                "%s: accepted %,d (%.0f/s, %d errors), delivered %,d/%,d (%.0f/s), latency p50 %.1f p99 %.1f max %.1f ms,"
                        + " rss %.0f MiB, cpu %.0f ms/1k%s",
                name, accepted, accepted / loadSeconds, rec.postErrors.sum(), a.uniqueHealthy(),
                rec.expectedHealthy.sum(), deliveriesPerSec, pct(a.healthyLatencyNanos(), 50),
                pct(a.healthyLatencyNanos(), 99), pct(a.healthyLatencyNanos(), 100), (double) r.get("peak_rss_mib"),
                (double) r.get("server_cpu_ms_per_1000_attempts"),
                given != null ? String.format(Locale.ROOT, ", backlog %,d during load (%.0f/s)", backlogDuringLoad,
                        backlogDuringLoad / loadSeconds) : ""));
        ctx.receiver().recording = new Recording("idle");
    }

    private static double pct(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
    }

    private static long parseMillis(String d) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(d.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("BENCH_REQUEST_TIMEOUT: want e.g. 5s, got " + d);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            default -> n * 60_000;
        };
    }

    // --- report --------------------------------------------------------------------------------

    private void report(Path jsonFile) throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("nproc", Runtime.getRuntime().availableProcessors());
        machine.put("mem_total", firstLine("/proc/meminfo", "MemTotal:"));
        machine.put("cpu", firstLine("/proc/cpuinfo", "model name").replaceFirst("^:\\s*", ""));
        machine.put("kernel", System.getProperty("os.version"));
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("date", ZonedDateTime.now().toString());
        machine.put("loadavg_at_end", loadavg());
        machine.put("server_java_opts", ctx.serverJavaOpts());

        System.out.println();
        String fmt = "%-26s %6s %7s %6s %7s %7s %8s %8s %7s %5s %6s  %s%n";
        System.out.printf(Locale.ROOT, fmt, "phase", "acc/s", "dlv/s", "xceil", "p50 ms", "p99 ms", "max ms",
                "post p99", "RSS MiB", "cold", "cpu/1k", "notes");
        for (Map<String, Object> r : rows) {
            List<String> notes = new ArrayList<>();
            if (((Number) r.get("post_errors")).longValue() > 0) {
                notes.add("post errors " + r.get("post_errors") + " " + r.get("statuses"));
            }
            if (((Number) r.get("missing_after_drain")).longValue() != 0) {
                notes.add("missing " + r.get("missing_after_drain"));
            }
            if (((Number) r.get("duplicates")).longValue() > 0) {
                notes.add("dupes " + r.get("duplicates"));
            }
            if (((Number) r.get("hang_attempts_arrived")).longValue() > 0) {
                notes.add("hang attempts " + r.get("hang_attempts_arrived"));
            }
            if (!((List<?>) r.get("servers_exited")).isEmpty()) {
                notes.add("SERVER EXITED " + r.get("servers_exited"));
            }
            if (r.containsKey("backlog_per_sec_during_load")) {
                notes.add("backlog " + f0(r.get("backlog_per_sec_during_load")) + "/s");
            }
            System.out.printf(Locale.ROOT, fmt, r.get("phase"), f0(r.get("accepted_per_sec")),
                    f0(r.get("deliveries_per_sec")), f2(r.get("deliveries_vs_ceiling")), f1(r.get("latency_p50_ms")),
                    f1(r.get("latency_p99_ms")), f1(r.get("latency_max_ms")), f1(r.get("post_p99_ms")),
                    f0(r.get("peak_rss_mib")), r.get("cold_start_ms"), f0(r.get("server_cpu_ms_per_1000_attempts")),
                    String.join("; ", notes));
        }
        System.out.printf(Locale.ROOT, "receiver ceiling (wrk): %s req/s%n", f0(ceilingRps));

        List<Map<String, Object>> targets = targets();
        System.out.println();
        for (Map<String, Object> t : targets) {
            System.out.printf(Locale.ROOT, "%-6s %-62s %s%n", t.get("status"), t.get("target"), t.get("measured"));
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", machine);
        out.put("settings", settings());
        out.put("ceiling_requests_per_sec", ceilingRps);
        out.put("cold_start_ms", coldStartMs);
        out.put("phases", rows);
        out.put("targets", targets);
        out.put("server_logs_with_out_of_memory", oomLogs);
        out.putAll(extras);
        Files.createDirectories(jsonFile.getParent());
        Files.writeString(jsonFile, Json.write(out));
        System.out.println("\nresults: " + jsonFile);
    }

    private static Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seconds", SECONDS);
        s.put("connections", CONNECTIONS);
        s.put("rate", RATE);
        s.put("drain_seconds", DRAIN_SECONDS);
        s.put("hang_rate", HANG_RATE);
        s.put("hang_seconds", HANG_SECONDS);
        s.put("request_timeout", REQUEST_TIMEOUT);
        s.put("backlog", BACKLOG);
        s.put("backlog_rate", BACKLOG_RATE);
        s.put("backlog_seconds", BACKLOG_SECONDS);
        s.put("pg_seconds", PG_SECONDS);
        s.put("wrk_seconds", WRK_SECONDS);
        s.put("wrk_connections", WRK_CONNECTIONS);
        s.put("jfr", JFR_SCENARIO);
        s.put("server_ingest_rate", env("BENCH_INGEST_RATE", "0"));
        s.put("server_settings", env("BENCH_SERVER_SETTINGS", ""));
        return s;
    }

    private List<Map<String, Object>> targets() {
        List<Map<String, Object>> t = new ArrayList<>();
        Map<String, Object> afap = row("s1 afap");
        Map<String, Object> fixed = row("s1 " + (int) RATE + "/s");
        Map<String, Object> hang = rows.stream().filter(r -> "s3".equals(r.get("scenario"))).findFirst().orElse(null);
        if (afap != null) {
            double acc = (double) afap.get("accepted_per_sec");
            double dlv = (double) afap.get("deliveries_per_sec");
            t.add(target("s1: >= 2,000 accepted events/s, 3 endpoints each (6,000 deliveries/s)",
                    acc >= 2000 && dlv >= 6000, String.format(Locale.ROOT, "%.0f events/s, %.0f deliveries/s", acc, dlv)));
            t.add(target("s1 aim: 10,000 deliveries/s", dlv >= 10_000, String.format(Locale.ROOT, "%.0f deliveries/s", dlv)));
        }
        if (fixed != null && RATE == 1000) {
            double p99 = (double) fixed.get("latency_p99_ms");
            double acc = (double) fixed.get("accepted_per_sec");
            t.add(target("s1: p99 acceptance-to-arrival < 50 ms at 1,000 events/s", p99 < 50 && acc >= 950,
                    String.format(Locale.ROOT, "p99 %.1f ms at %.0f events/s", p99, acc)));
        }
        Map<String, Object> ordered = row("s6 ordered afap");
        if (ordered != null && afap != null) {
            double ratio = (double) ordered.get("deliveries_per_sec") / (double) afap.get("deliveries_per_sec");
            t.add(target("s6: ordered deliveries/s >= 70 % of s1's in the same run", ratio >= 0.7,
                    String.format(Locale.ROOT, "%.0f deliveries/s, %.0f %% of s1", (double) ordered.get("deliveries_per_sec"),
                            100 * ratio)));
        }
        Map<String, Object> blocked = row("s6 ordered " + (int) RATE + "/s, 1% blocked");
        if (blocked != null && RATE == 1000) {
            double p99 = (double) blocked.get("latency_p99_ms");
            t.add(target("s6: p99 acceptance-to-arrival < 50 ms at 1,000 events/s with 1 % of conversations blocked",
                    p99 < 50, String.format(Locale.ROOT, "p99 %.1f ms at %.0f events/s", p99,
                            (double) blocked.get("accepted_per_sec"))));
        }
        if (hang != null) {
            double p99 = (double) hang.get("latency_p99_ms");
            t.add(target("s3: healthy p99 < 100 ms while 1,500 endpoints hang", p99 < 100,
                    String.format(Locale.ROOT, "p99 %.1f ms at %s", p99, hang.get("mode"))));
        }
        if (!rows.isEmpty()) {
            double rss = rows.stream().mapToDouble(r -> (double) r.get("peak_rss_mib")).max().orElse(0);
            boolean complete = rows.stream().allMatch(r -> ((Number) r.get("missing_after_drain")).longValue() == 0);
            t.add(target("heap <= 256 MiB: every phase ran with -Xmx256m, no OutOfMemoryError",
                    oomLogs.isEmpty() && ctx.serverJavaOpts().contains("-Xmx256m"),
                    String.format(Locale.ROOT, "peak RSS %.0f MiB; %s; all deliveries arrived: %s", rss,
                            oomLogs.isEmpty() ? "no OOM" : "OOM in " + oomLogs, complete)));
        }
        if (coldStartMs >= 0) {
            t.add(target("cold start (process start to /readyz 200) < 1.5 s", coldStartMs < 1500, coldStartMs + " ms"));
        }
        return t;
    }

    private Map<String, Object> row(String phase) {
        return rows.stream().filter(r -> phase.equals(r.get("phase"))).findFirst().orElse(null);
    }

    private static Map<String, Object> target(String text, boolean pass, String measured) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", text);
        m.put("status", pass ? "PASS" : "FAIL");
        m.put("measured", measured);
        return m;
    }

    private static String f0(Object v) {
        return v instanceof Double d && !d.isNaN() ? String.format(Locale.ROOT, "%.0f", d) : String.valueOf(v);
    }

    private static String f1(Object v) {
        return v instanceof Double d && !d.isNaN() ? String.format(Locale.ROOT, "%.1f", d) : String.valueOf(v);
    }

    private static String f2(Object v) {
        return v instanceof Double d && !d.isNaN() ? String.format(Locale.ROOT, "%.2f", d) : "-";
    }

    /** The 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "";
        }
    }

    private static String firstLine(String file, String prefix) {
        try (Stream<String> lines = Files.lines(Path.of(file))) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst().orElse("").replaceFirst("^" + prefix + "\\s*", "");
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
