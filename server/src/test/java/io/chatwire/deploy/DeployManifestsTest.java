package io.chatwire.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.NextJsReceiver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yaml and deploy/kubernetes/*.yaml cannot be run here (no Docker, no Kubernetes), so
 * they are checked against their schemas: deploy/validate/validate.mjs (the Compose spec's JSON
 * schema, the Kubernetes API models), installed with {@code npm ci} into target/deploy-validate so
 * that the source tree stays clean. Needs Node.js and npm (fails, never skips, without them).
 */
class DeployManifestsTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path DEPLOY = MODULE.resolve("../deploy").normalize();
    private static final Path VALIDATOR = MODULE.resolve("target/deploy-validate");

    @TempDir
    Path broken;

    @BeforeAll
    static void install() throws Exception {
        NextJsReceiver.requireNodeAndNpm();
        Files.createDirectories(VALIDATOR);
        byte[] lock = Files.readAllBytes(DEPLOY.resolve("validate/package-lock.json"));
        Path installedLock = VALIDATOR.resolve("node_modules/.chatwire-lock");
        for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
            Files.copy(DEPLOY.resolve("validate").resolve(file), VALIDATOR.resolve(file),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // npm ci only when the lock file changed since the last install here.
        if (!Files.exists(installedLock) || !java.util.Arrays.equals(Files.readAllBytes(installedLock), lock)) {
            Result ci = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5));
            assertThat(ci.exit()).as("npm ci in %s:\n%s", VALIDATOR, ci.output()).isZero();
            Files.write(installedLock, lock);
        }
    }

    @Test
    void composeFileAndKubernetesManifestsMatchTheirSchemas() throws Exception {
        List<String> files = new ArrayList<>(List.of(DEPLOY.resolve("compose.yaml").toString()));
        try (Stream<Path> manifests = Files.list(DEPLOY.resolve("kubernetes"))) {
            manifests.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> files.add(p.toString()));
        }
        assertThat(files).hasSize(5);
        Result result = validate(files);
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("ok: 5 documents valid");
    }

    @Test
    void aKubernetesManifestWithAWrongTypeIsRejected() throws Exception {
        Path deployment = broken.resolve("deployment.yaml");
        Files.writeString(deployment, Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"))
                .replace("containerPort: 8080", "containerPort: eighty"));
        Result result = validate(List.of(deployment.toString()));
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("containerPort must be integer");
    }

    @Test
    void aComposeFileWithAWrongTypeIsRejected() throws Exception {
        Path compose = broken.resolve("compose.yaml");
        Files.writeString(compose, Files.readString(DEPLOY.resolve("compose.yaml"))
                .replace("read_only: true", "read_only: yes-please"));
        Result result = validate(List.of(compose.toString()));
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("read_only must be boolean");
    }

    private record Result(int exit, String output) {
    }

    private static Result validate(List<String> files) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
        command.addAll(files);
        return run(command, Duration.ofSeconds(60));
    }

    private static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(VALIDATOR.toFile()).redirectErrorStream(true).start();
        // Read while it runs: a full pipe would stall the process.
        var output = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(output);
            } catch (IOException ignored) {
                // the process went away; what was read is reported
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout);
        }
        reader.join(Duration.ofSeconds(5));
        return new Result(p.exitValue(), output.toString(StandardCharsets.UTF_8));
    }
}
