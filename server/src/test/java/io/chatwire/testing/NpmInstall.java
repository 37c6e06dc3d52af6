package io.chatwire.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code npm ci} in a directory of {@code target/}, skipped while its lock file and Node's version are
 * those of the last install there: the node apps the tests run install once, not on every run.
 */
public final class NpmInstall {
    private static final String STAMP = "node_modules/.chatwire-installed";

    /** @param key what the install was made from (lock file and Node version); {@code took} is ZERO when reused */
    public record Outcome(String key, Duration took) {
    }

    private NpmInstall() {
    }

    public static Outcome ciWhenLockChanged(Path dir, String nodeVersion, Path log, Duration limit) throws IOException {
        String key = sha256(Files.readAllBytes(dir.resolve("package-lock.json")), nodeVersion);
        Path stamp = dir.resolve(STAMP);
        if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(key)) {
            return new Outcome(key, Duration.ZERO);
        }
        long t = System.nanoTime();
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("npm ci in " + dir + " did not finish within " + limit + ":\n" + tail(log));
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("npm ci in " + dir + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + dir + " failed with exit code " + p.exitValue()
                    + " (" + log + "):\n" + tail(log));
        }
        Files.writeString(stamp, key);
        return new Outcome(key, Duration.ofNanos(System.nanoTime() - t));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static String sha256(byte[] bytes, String extra) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes);
            digest.update(extra.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
