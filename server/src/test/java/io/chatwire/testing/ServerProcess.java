package io.chatwire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Chatwire server in a JVM of its own ({@code Main serve}, configured through CHATWIRE_*
 * environment variables), so a test can SIGKILL it and start it again on the same data directory
 * and port. Its stdout and stderr go to a file in the data directory.
 */
public final class ServerProcess implements AutoCloseable {
    /** 30 characters. */
    public static final String ADMIN_TOKEN = "crash-test-operator-token-0123";
    private static final String READY = "Chatwire listening on";
    /** Generous: on a busy two-core machine a JVM alone can take 20 s to come up. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path output;
    private final int port;
    private final String nodeId;
    private final ApiClient operator;

    private ServerProcess(Process process, Path output, int port, String nodeId) {
        this.process = process;
        this.output = output;
        this.port = port;
        this.nodeId = nodeId;
        this.operator = new ApiClient(baseUrl(), ADMIN_TOKEN);
    }

    /** A port free right now (a small race with other processes is accepted). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings the crash tests run with: short lease, timeouts and retries. */
    public static Map<String, String> defaultSettings() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CHATWIRE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("CHATWIRE_RETRY_SCHEDULE", "0s,200ms,500ms,1s,1s,1s,1s,1s");
        env.put("CHATWIRE_LEASE", "3s");
        env.put("CHATWIRE_REQUEST_TIMEOUT", "2s");
        env.put("CHATWIRE_POLL_INTERVAL", "200ms");
        // Test receivers listen on loopback, which the network guard refuses by default.
        env.put("CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8");
        // The crash and cluster bursts measure loss under load, not the per-account ingest limit
        // (AbuseLimitsTest covers that): every 429 would count as a refused well-formed event.
        env.put("CHATWIRE_INGEST_RATE", "0");
        return env;
    }

    /** Starts {@code Main serve} and waits until it says it is listening. */
    public static ServerProcess start(Path dataDir, int port, String nodeId) {
        return start(dataDir, port, nodeId, Map.of());
    }

    public static ServerProcess start(Path dataDir, int port, String nodeId, Map<String, String> extraSettings) {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), "io.chatwire.server.Main", "serve"));
        Path output = dataDir.resolve("server-" + nodeId + ".log");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CHATWIRE_"));
        env.putAll(defaultSettings());
        env.put("CHATWIRE_PORT", Integer.toString(port));
        env.put("CHATWIRE_DATA_DIR", dataDir.toString());
        env.put("CHATWIRE_NODE_ID", nodeId);
        env.putAll(extraSettings);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        ServerProcess server = new ServerProcess(process, output, port, nodeId);
        server.awaitReady();
        return server;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (readOutput().contains(READY)) {
                return;
            }
            if (!process.isAlive()) {
                int code = process.exitValue();
                throw new AssertionError("server " + nodeId + " exited with " + code
                        + (code > 128 ? " (signal " + (code - 128) + ", sent from outside this test)" : "")
                        + " before it was ready; its output:\n" + outputTail(60));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException(e);
            }
        }
        kill();
        throw new AssertionError("server " + nodeId + " did not say '" + READY + "' within " + START_TIMEOUT
                + "; its output:\n" + outputTail(60));
    }

    public int port() {
        return port;
    }

    public String nodeId() {
        return nodeId;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public ApiClient operator() {
        return operator;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL (no shutdown hook runs, no lease is given back), and waits until the process is gone. */
    public void kill() {
        if (!process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server " + nodeId + " (pid " + process.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Path outputFile() {
        return output;
    }

    /** The last lines the process wrote, for assertion messages. */
    public String outputTail(int lines) {
        String[] all = readOutput().split("\n");
        int from = Math.max(0, all.length - lines);
        return "--- last " + (all.length - from) + " lines of " + output + " ---\n"
                + String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }

    private String readOutput() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        } catch (RuntimeException malformed) {
            try {
                return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read " + output + ": " + e + ")";
            }
        }
    }

    // ---- API set-up helpers, as RunningChatwire has them for the in-JVM server ----

    /** An account made through the API, with its key and secret. */
    public record Account(String id, String apiKey, String signingSecret, ApiClient api) {
    }

    public Account createAccount(String plan) {
        ApiClient.Response r = operator.post("/v1/accounts", "{\"name\":\"Crash " + plan + "\",\"plan\":\"" + plan + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return new Account(r.text("id"), r.text("api_key"), r.text("signing_secret"),
                new ApiClient(baseUrl(), r.text("api_key")));
    }

    public String createChatbot(Account account) {
        ApiClient.Response r = account.api().post("/v1/chatbots", "{\"name\":\"Support bot\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    public String createEndpoint(Account account, String chatbotId, String url) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbotId + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":[\"chat\"],\"enabled\":true}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        kill();
    }
}
