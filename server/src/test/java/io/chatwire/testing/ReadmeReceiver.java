package io.chatwire.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One of the README's receivers ({@link ReadmeSnippets}) running for real: its code blocks written
 * into {@code server/target/readme-receivers/<kind>/} exactly as the README prints them, started with
 * {@code SIGNING_SECRET} and {@code PORT} in its environment on a free loopback port. Each receiver
 * prints one line per verified request, {@code verified <event> <webhook-id or -> by <header>}.
 *
 * <p>The tools must be there: Node.js 18.18+ with npm for Express (its dependencies come from
 * {@code receivers/node-express/}'s lock file by {@code npm ci}, kept while the lock file and Node's
 * version are the same), Python 3.10+ for the standard-library receiver, and a Python with Flask
 * ({@code apt-get install -y python3-flask}) for the Flask one. Without them this fails with a message
 * saying so; it never skips.
 */
public final class ReadmeReceiver implements AutoCloseable {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path WORK = MODULE.resolve("target/readme-receivers");
    private static final Path EXPRESS_PACKAGE = MODULE.resolve("../receivers/node-express").normalize();

    /** The receivers of the README's "Receiving in Node and Python", each with its code blocks as files. */
    public enum Kind {
        EXPRESS(Map.of("express", "server.js"), "server.js"),
        PYTHON_STDLIB(Map.of("python-verify", "webhook_verify.py", "python-stdlib", "receiver_stdlib.py"),
                "receiver_stdlib.py"),
        FLASK(Map.of("python-verify", "webhook_verify.py", "python-flask", "receiver_flask.py"), "receiver_flask.py");

        private final Map<String, String> fileOfBlock;
        private final String main;

        Kind(Map<String, String> fileOfBlock, String main) {
            this.fileOfBlock = fileOfBlock;
            this.main = main;
        }

        Path dir() {
            return WORK.resolve(name().toLowerCase().replace('_', '-'));
        }
    }

    // Debian's first: CI installs Flask there, and a version manager's python3 shim costs a second a start.
    private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");
    private static Optional<String> python = Optional.empty();
    private static Optional<String> flaskPython = Optional.empty();
    private static Duration npmCi = Duration.ZERO;

    private final Process process;
    private final int port;
    private final Path stdout;
    private final Path stderr;

    private ReadmeReceiver(Process process, int port, Path stdout, Path stderr) {
        this.process = process;
        this.port = port;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Writes the kind's README blocks, installs what it needs, starts it and waits until it listens. */
    public static ReadmeReceiver start(Kind kind, String signingSecret) {
        try {
            List<String> interpreter = prepare(kind);
            int port = freePort();
            Path stdout = kind.dir().resolve("stdout-" + port + ".log");
            Path stderr = kind.dir().resolve("stderr-" + port + ".log");
            List<String> command = new ArrayList<>(interpreter);
            command.add(kind.main);
            ProcessBuilder pb = new ProcessBuilder(command).directory(kind.dir().toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            pb.environment().put("SIGNING_SECRET", signingSecret);
            pb.environment().put("PORT", String.valueOf(port));
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            ReadmeReceiver receiver = new ReadmeReceiver(pb.start(), port, stdout, stderr);
            try {
                receiver.awaitListening(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                receiver.close();
                throw e;
            }
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long the last {@code npm ci} took ({@code ZERO} when node_modules was reused). */
    public static Duration npmCiTime() {
        return npmCi;
    }

    /** Where the README's receivers take deliveries: every one serves {@code POST /webhooks}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/webhooks");
    }

    /** The {@code verified ...} lines printed so far. */
    public List<String> verifiedLines() {
        return readLines(stdout).stream().filter(l -> l.startsWith("verified ")).toList();
    }

    /** What it printed, for failure messages. */
    public String output() {
        return "stdout:\n" + String.join("\n", readLines(stdout)) + "\nstderr:\n" + String.join("\n", readLines(stderr));
    }

    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                p.destroyForcibly();
            }
        }
    }

    /** Writes the blocks and installs dependencies; returns the command that runs a file of this kind. */
    private static synchronized List<String> prepare(Kind kind) throws IOException {
        Files.createDirectories(kind.dir());
        for (var block : kind.fileOfBlock.entrySet()) {
            Files.writeString(kind.dir().resolve(block.getValue()), ReadmeSnippets.named(block.getKey()),
                    StandardCharsets.UTF_8);
        }
        return switch (kind) {
            case EXPRESS -> {
                String node = requireNode();
                installExpressDependencies(node);
                yield List.of("node");
            }
            case PYTHON_STDLIB -> List.of(python());
            case FLASK -> List.of(flaskPython());
        };
    }

    private static void installExpressDependencies(String nodeVersion) throws IOException {
        Path dir = Kind.EXPRESS.dir();
        for (String file : List.of("package.json", "package-lock.json")) {
            Files.copy(EXPRESS_PACKAGE.resolve(file), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        npmCi = NpmInstall.ciWhenLockChanged(dir, nodeVersion, dir.resolve("npm-ci.log"), Duration.ofMinutes(5)).took();
    }

    private static String requireNode() {
        try {
            return NextJsReceiver.requireNodeAndNpm();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("the README's Express receiver needs Node.js 18.18 or newer and npm"
                    + " (Debian: apt-get install -y nodejs npm): " + e.getMessage(), e);
        }
    }

    /** The first of Debian's python3 and the PATH's python3 that can import Flask. */
    private static synchronized String flaskPython() {
        if (flaskPython.isPresent()) {
            return flaskPython.get();
        }
        List<String> tried = new ArrayList<>();
        for (String python : PYTHONS) {
            String out = run(List.of(python, "-c", "import sys, flask, importlib.metadata as m;"
                    + " print(sys.version_info >= (3, 10), m.version('flask'))"));
            if (out.startsWith("True ")) {
                flaskPython = Optional.of(python);
                return python;
            }
            tried.add(python + ": " + out.strip());
        }
        throw new IllegalStateException("the README's Flask receiver needs Python 3.10+ with Flask"
                + " (Debian: apt-get install -y python3-flask); tried " + tried);
    }

    /** The first of Debian's python3 and the PATH's python3 that is 3.10 or newer (Debian's first: no shim to start). */
    private static synchronized String python() {
        if (python.isPresent()) {
            return python.get();
        }
        List<String> tried = new ArrayList<>();
        for (String candidate : PYTHONS) {
            String out = run(List.of(candidate, "-c", "import sys; print(sys.version_info >= (3, 10), sys.version)"));
            if (out.startsWith("True ")) {
                python = Optional.of(candidate);
                return candidate;
            }
            tried.add(candidate + ": " + out.strip());
        }
        throw new IllegalStateException("the README's standard-library receiver needs Python 3.10 or newer"
                + " (Debian: apt-get install -y python3); tried " + tried);
    }

    /** A command's output, or why it could not run. */
    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String failure = awaitExit(p, Duration.ofSeconds(30));
            return failure == null ? out : failure + ": " + out;
        } catch (IOException e) {
            return "not found (" + e.getMessage() + ")";
        }
    }

    /** null when the process exited with 0 in time, else what went wrong. */
    private static String awaitExit(Process p, Duration limit) {
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return "did not finish within " + limit;
            }
            return p.exitValue() == 0 ? null : "failed with exit code " + p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "was interrupted";
        }
    }

    private void awaitListening(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the README receiver exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                // Still starting.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the README receiver did not listen on port " + port + " within "
                        + limit + ":\n" + output());
            }
            Waits.sleep(Duration.ofMillis(100));
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
