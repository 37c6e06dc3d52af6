package io.chatwire.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code chatwire listen} ({@code Main listen}) in a JVM of its own, as a developer runs it, with its
 * output in a file: a test can wait for its lines, send it SIGINT (Ctrl-C) or SIGKILL it.
 */
public final class ListenProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ListenProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code Main listen} with the arguments; does not wait for anything. */
    public static ListenProcess start(Path dir, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), "io.chatwire.server.Main", "listen"));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "listen-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("CHATWIRE_"));
            return new ListenProcess(pb.start(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Waits until the output holds the text at least {@code times} times. */
    public void awaitOutput(String text, int times, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (occurrences(output(), text) >= times) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError("chatwire listen did not print '" + text + "' " + times + " time(s) within "
                + timeout + "; alive=" + process.isAlive() + "; its output:\n" + output());
    }

    public void awaitOutput(String text, Duration timeout) {
        awaitOutput(text, 1, timeout);
    }

    private static int occurrences(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    /** Ctrl-C: SIGINT, as a terminal sends it. */
    public void interrupt() {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the process to end and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("chatwire listen still runs after " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: the listener vanishes without saying goodbye. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
