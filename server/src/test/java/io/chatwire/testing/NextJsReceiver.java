package io.chatwire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Next.js receiver of {@code receivers/chat-data-nextjs/} running for real: copied into
 * {@code server/target/nextjs-receiver/} (the source tree stays clean), installed with {@code npm ci},
 * built with {@code next build} and served by {@code next start} on a free loopback port. The route
 * appends one JSON line per request it answered with 200, 400 or 403 to a file; {@link #log()} reads it.
 *
 * <p>Node.js and npm must be on the PATH: without them this fails with a message saying so (it never
 * skips). The copy's {@code node_modules} is kept while the lock file and Node's version are the same,
 * and its build while the app's files are the same, so that a rerun does not install and build again.
 */
public final class NextJsReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1: the JDK's default HTTP/2 asks for an h2c upgrade, and Node hands upgrade requests to
    // upgrade handlers, not to the route, so they would hang.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path SOURCE = MODULE.resolve("../receivers/chat-data-nextjs").normalize();
    private static final Path APP = MODULE.resolve("target/nextjs-receiver");
    private static final Path LOGS = MODULE.resolve("target/nextjs-receiver-logs");
    private static final List<String> NOT_COPIED = List.of("node_modules", ".next");
    private static final String BUILT_STAMP = ".next/.chatwire-built";

    /** How long each step took; {@code Duration.ZERO} for a step that was reused from an earlier run. */
    public record Timings(Duration npmCi, Duration build, Duration start) {
    }

    private final Process process;
    private final int port;
    private final Path receivedLog;
    private final Path serverLog;
    private final Thread stopAtExit;
    private Timings timings;

    private NextJsReceiver(Process process, int port, Path receivedLog, Path serverLog) {
        this.process = process;
        this.port = port;
        this.receivedLog = receivedLog;
        this.serverLog = serverLog;
        this.stopAtExit = new Thread(this::stopProcessTree, "stop-nextjs-receiver");
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /** Installs and builds the app when needed, starts it with this signing secret, and waits until it answers. */
    public static NextJsReceiver start(String signingSecret) {
        String nodeVersion = requireNodeAndNpm();
        try {
            Files.createDirectories(LOGS);
            copyApp();
            Map<String, String> env = Map.of("NEXT_TELEMETRY_DISABLED", "1");

            NpmInstall.Outcome install = NpmInstall.ciWhenLockChanged(APP, nodeVersion, LOGS.resolve("npm-ci.log"),
                    Duration.ofMinutes(10));
            Duration npmCi = install.took();
            String installKey = install.key();

            Duration build = Duration.ZERO;
            String buildKey = installKey + sourcesHash();
            if (!buildKey.equals(readStamp(APP.resolve(BUILT_STAMP)))) {
                deleteTree(APP.resolve(".next"));
                long t = System.nanoTime();
                run("next build", List.of("node", nextBin(), "build"), env, Duration.ofMinutes(10));
                build = since(t);
                Files.writeString(APP.resolve(BUILT_STAMP), buildKey);
            }

            long t = System.nanoTime();
            int port = freePort();
            Path received = LOGS.resolve("received-" + port + ".jsonl");
            Files.deleteIfExists(received);
            Path serverLog = LOGS.resolve("next-start.log");
            ProcessBuilder pb = new ProcessBuilder(
                            "node", nextBin(), "start", "-p", String.valueOf(port), "-H", "127.0.0.1")
                    .directory(APP.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(serverLog.toFile());
            pb.environment().putAll(env);
            pb.environment().put("SIGNING_SECRET", signingSecret);
            pb.environment().put("RECEIVED_LOG", received.toAbsolutePath().toString());
            NextJsReceiver receiver = new NextJsReceiver(pb.start(), port, received, serverLog);
            try {
                receiver.awaitAnswering(Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                receiver.close();
                throw e;
            }
            receiver.timings = new Timings(npmCi, build, since(t));
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The webhook route, {@code pages/api/webhook.js}. */
    public URI webhookUrl() {
        return URI.create("http://127.0.0.1:" + port + "/api/webhook");
    }

    public Timings timings() {
        return timings;
    }

    /** Every line the route has recorded so far: {topic, webhook_id, body_type, status, reason | event, chatbot_id}. */
    public List<JsonNode> log() {
        if (!Files.exists(receivedLog)) {
            return List.of();
        }
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(receivedLog, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines recorded for requests with this {@code webhook-id} header. */
    public List<JsonNode> logOf(String webhookId) {
        return log().stream().filter(l -> webhookId.equals(l.path("webhook_id").asText(null))).toList();
    }

    /** The last lines of what {@code next start} printed, for failure messages. */
    public String serverOutput() {
        return tail(serverLog);
    }

    @Override
    public void close() {
        stopProcessTree();
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway, and finds nothing left to stop.
        }
    }

    private void stopProcessTree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                p.destroyForcibly();
            }
        }
    }

    private void awaitAnswering(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(webhookUrl()).timeout(Duration.ofSeconds(5)).GET().build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("next start exited with " + process.exitValue() + ":\n"
                        + tail(serverLog));
            }
            try {
                // The route answers anything but POST with 405: it is built and served.
                if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 405) {
                    return;
                }
            } catch (ConnectException notListeningYet) {
                // Still starting.
            } catch (IOException e) {
                // Listening but not ready; try again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for next start", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("next start did not answer on " + webhookUrl() + " within " + limit
                        + ":\n" + tail(serverLog));
            }
            Waits.sleep(Duration.ofMillis(200));
        }
    }

    /** Fails, never skips, without Node.js 18.18+ and npm; returns {@code node --version}. */
    public static String requireNodeAndNpm() {
        String hint = "the Next.js receiver test needs Node.js 18.18 or newer and npm on the PATH"
                + " (Debian: apt-get install -y nodejs npm)";
        String node = versionOf("node", hint);
        versionOf("npm", hint);
        String[] parts = node.replaceFirst("^v", "").split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        if (major < 18 || major == 18 && minor < 18) {
            throw new IllegalStateException(hint + "; found node " + node);
        }
        return node;
    }

    private static String versionOf(String command, String hint) {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(hint + "; '" + command + " --version' failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(hint + "; '" + command + "' was not found: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Replaces the copy's files with the source's, keeping its node_modules and .next. */
    private static void copyApp() throws IOException {
        if (!Files.isRegularFile(SOURCE.resolve("package-lock.json"))) {
            throw new IllegalStateException("the Next.js receiver is not at " + SOURCE);
        }
        Files.createDirectories(APP);
        try (Stream<Path> old = Files.list(APP)) {
            for (Path p : old.toList()) {
                if (!NOT_COPIED.contains(p.getFileName().toString())) {
                    deleteTree(p);
                }
            }
        }
        for (Path file : sourceFiles()) {
            Path to = APP.resolve(SOURCE.relativize(file).toString());
            Files.createDirectories(to.getParent());
            Files.copy(file, to);
        }
    }

    private static List<Path> sourceFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCE)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !NOT_COPIED.contains(SOURCE.relativize(p).getName(0).toString()))
                    .sorted()
                    .toList();
        }
    }

    private static String sourcesHash() throws IOException {
        MessageDigest digest = sha256();
        for (Path file : sourceFiles()) {
            digest.update(SOURCE.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(Files.readAllBytes(file));
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readStamp(Path stamp) throws IOException {
        return Files.isRegularFile(stamp) ? Files.readString(stamp) : "";
    }

    private static String nextBin() {
        return APP.resolve("node_modules/next/dist/bin/next").toAbsolutePath().toString();
    }

    /** Runs a step in the app's directory, its output to a log file; fails with that output if the step does. */
    private static void run(String step, List<String> command, Map<String, String> env, Duration limit)
            throws IOException {
        Path log = LOGS.resolve(step.replace(' ', '-') + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(APP.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(step + " did not finish within " + limit + ":\n" + tail(log));
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(step + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(step + " failed with exit code " + p.exitValue() + " (" + log + "):\n"
                    + tail(log));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
