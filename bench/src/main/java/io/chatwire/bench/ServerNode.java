package io.chatwire.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Chatwire server as a separate process, started the way ./chatwire serve starts it (same class
 * path and, unless CHATWIRE_JAVA_OPTS says otherwise, the same JVM options), with its output in a
 * log file. Knows its cold start (process start to the first /readyz 200) and reads its peak RSS
 * and CPU time from /proc.
 */
final class ServerNode implements AutoCloseable {
    /** Every server process started, so that none outlives the bench (see {@link Bench#main}). */
    static final java.util.Queue<Process> LIVE = new java.util.concurrent.ConcurrentLinkedQueue<>();

    static final String DEFAULT_JAVA_OPTS = "-Xmx256m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED";

    final String label;
    final int port;
    final Process process;
    final long coldStartMillis;
    final Path log;

    private ServerNode(String label, int port, Process process, long coldStartMillis, Path log) {
        this.label = label;
        this.port = port;
        this.process = process;
        this.coldStartMillis = coldStartMillis;
        this.log = log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts a node and waits for /readyz to answer 200 (at most 60 s).
     *
     * @param settings CHATWIRE_* variables; the port and admin token are added here
     */
    static ServerNode start(Bench.Context ctx, String label, Map<String, String> settings, List<String> extraJavaOpts)
            throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(ctx.javaHome().resolve("bin/java").toString());
        for (String opt : ctx.serverJavaOpts().trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                cmd.add(opt);
            }
        }
        cmd.addAll(extraJavaOpts);
        // The AOT cache bench/run.sh trains for these jars, as ./chatwire serve uses the one trained at
        // build time; without one (jars given some other way), the class-data-sharing archive the
        // first start of a run writes and the later ones map.
        Path aot = ctx.serverJars().resolve("chatwire.aot");
        if (Files.isRegularFile(aot)) {
            cmd.addAll(List.of("-XX:AOTCache=" + aot, "-Xlog:aot=off", "-Xlog:cds=off"));
        } else {
            cmd.add("-XX:SharedArchiveFile=" + ctx.serverJars().resolve("chatwire.jsa"));
            cmd.add("-XX:+AutoCreateSharedArchive");
        }
        cmd.add("-cp");
        cmd.add(ctx.serverJars().resolve("chatwire-server.jar") + ":" + ctx.serverJars().resolve("lib") + "/*");
        cmd.add("io.chatwire.server.Main");
        cmd.add("serve");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ctx.repo().toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CHATWIRE_"));
        env.put("CHATWIRE_HOST", "127.0.0.1");
        env.put("CHATWIRE_PORT", Integer.toString(port));
        env.put("CHATWIRE_ADMIN_TOKEN", ctx.operatorToken());
        env.put("CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8");
        env.put("CHATWIRE_SHUTDOWN_GRACE", "2s");
        // The per-account ingest limit (default 500/s) is a policy knob, not capacity: off unless asked.
        env.put("CHATWIRE_INGEST_RATE", ctx.ingestRate());
        env.putAll(settings);
        // BENCH_SERVER_SETTINGS="CHATWIRE_X=1 CHATWIRE_Y=2": extra server settings for experiments.
        for (String kv : System.getenv().getOrDefault("BENCH_SERVER_SETTINGS", "").trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.startsWith("CHATWIRE_")) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        Path log = ctx.logDir().resolve(label + ".log");
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        LIVE.add(p);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("server " + label + " exited with " + p.exitValue() + " before it was ready; see " + log);
            }
            if (ready(port)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("server " + label + " not ready within 60 s; see " + log);
            }
            Thread.sleep(5);
        }
        long cold = (System.nanoTime() - t0) / 1_000_000;
        return new ServerNode(label, port, p, cold, log);
    }

    private static boolean ready(int port) {
        try (Http11 c = new Http11("127.0.0.1", port)) {
            return c.send("GET", "/readyz", null, null).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    /** Peak resident set size so far, in KiB (VmHWM). */
    long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // process gone
        }
        return -1;
    }

    /** User plus system CPU time so far, in clock ticks. */
    long cpuTicks() {
        return cpuTicks(pid());
    }

    /** CPU ticks so far per thread kind (the thread's name, digits dropped), from /proc/<pid>/task. */
    Map<String, Long> threadTicks() {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid() + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "#").replaceAll("#(-#)*", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // thread ended meanwhile
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // process gone
        }
        return out;
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Lines at WARN or ERROR in the server's log so far. */
    long logWarnings() {
        try (java.util.stream.Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    boolean logMentions(String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
