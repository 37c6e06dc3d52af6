package io.chatwire.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.chatwire.testing.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image the Maven profile {@code image} builds (server/target/chatwire-image.tar): what its config
 * declares, what its layers hold, and that its entrypoint starts Chatwire. There is no container
 * runtime here, so the test does what one does: applies the layers to a root file system, mounts
 * /proc and makes the standard /dev nodes in it, and runs the entrypoint chroot'ed as the image's user
 * with the image's environment.
 * Runs in {@code ./mvnw -Pimage -pl server -am verify} (failsafe), which .ci/run calls; needs root
 * (chroot, mount), as CI has.
 */
class ContainerImageIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The healthcheck command of deploy/compose.yaml, but for its URL. */
    private static final List<String> HEALTHCHECK = List.of("/opt/java/bin/java", "-Xshare:auto",
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", "/app/classes", "io.chatwire.probe.Probe");

    @TempDir
    static Path work;
    static OciImage image;

    @BeforeAll
    static void unpack() throws Exception {
        String tar = System.getProperty("chatwire.image.tar", "target/chatwire-image.tar");
        Path tarball = Path.of(tar);
        if (!Files.isRegularFile(tarball)) {
            fail("no image at " + tarball.toAbsolutePath() + ": build it with ./mvnw -Pimage -pl server -am verify");
        }
        if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
            fail("ContainerImageIT must run as root: it unpacks the layers with their owners, mounts /proc"
                    + " and chroots, as a container runtime does (CI runs as root)");
        }
        image = OciImage.unpack(tarball, work);
    }

    @Test
    void isAnOciImageOfGzippedLayersUnder100MegabytesWithNoShell() {
        assertThat(image.layers()).isNotEmpty()
                .allSatisfy(l -> assertThat(l.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip"));
        assertThat(image.compressedSize()).isLessThan(100L * 1024 * 1024);
        // Distroless: nothing to exec but the Java runtime.
        assertThat(image.rootfs().resolve("bin/sh")).doesNotExist();
        assertThat(image.rootfs().resolve("usr/bin")).doesNotExist();
    }

    @Test
    void runsAsTheNonRootUserItsPasswdFileNames() throws IOException {
        assertThat(image.user()).isEqualTo("65532:65532");
        assertThat(Files.readAllLines(image.rootfs().resolve("etc/passwd")))
                .contains("chatwire:x:65532:65532:chatwire:/data:/sbin/nologin");
    }

    @Test
    void entrypointIsTheImagesOwnJavaRunningChatwireServe() {
        List<String> entrypoint = image.entrypoint();
        assertThat(entrypoint).first().isEqualTo("/opt/java/bin/java");
        assertThat(entrypoint).endsWith("io.chatwire.server.Main", "serve");
        assertThat(Files.isExecutable(image.rootfs().resolve("opt/java/bin/java"))).isTrue();
        assertThat(image.rootfs().resolve("app/libs")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("javalin-"));
    }

    @Test
    void theImagesJavaTakesTheAotCacheTrainedAtBuildTimeForChatwiresOwnClasses() throws Exception {
        List<String> entrypoint = image.entrypoint();
        assertThat(entrypoint).contains("-XX:AOTCache=/app/chatwire.aot", "@/app/chatwire.classpath");
        assertThat(image.rootfs().resolve("app/chatwire.aot")).isNotEmptyFile();
        // The entrypoint's JVM, told to fail rather than run without the cache, loading the server's
        // main class (picocli's help: no server started) and logging where each class came from.
        List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + image.user(),
                image.rootfs().toString()));
        command.addAll(entrypoint.subList(0, entrypoint.size() - 2));
        command.addAll(List.of("-XX:AOTMode=on", "-Xlog:class+load=info", "io.chatwire.server.Main", "--version"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("aot.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(image.environment());
        Path proc = Files.createDirectories(image.rootfs().resolve("proc"));
        OciImage.run(List.of("mount", "-t", "proc", "proc", proc.toString()));
        Process p = builder.start();
        try {
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("finished").isTrue();
        } finally {
            p.destroyForcibly().waitFor();
            OciImage.run(List.of("umount", proc.toString()));
        }

        String log = Files.readString(work.resolve("aot.log"));
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains("io.chatwire.server.Main source: shared objects file");
    }

    @Test
    void exposesPort8080AndKeepsItsDataInTheVolumeAtData() {
        assertThat(image.fieldNames("ExposedPorts")).containsExactly("8080/tcp");
        assertThat(image.fieldNames("Volumes")).containsExactly("/data");
        assertThat(image.environment())
                .containsEntry("CHATWIRE_DATA_DIR", "/data/chatwire")
                .containsEntry("CHATWIRE_HOST", "0.0.0.0")
                .containsEntry("CHATWIRE_PORT", "8080");
    }

    @Test
    void carriesOpenContainersLabels() {
        assertThat(image.labels())
                .containsEntry("org.opencontainers.image.title", "Chatwire")
                .containsKeys("org.opencontainers.image.version", "org.opencontainers.image.description",
                        "org.opencontainers.image.base.name");
    }

    @Test
    void entrypointStartsChatwireAsItsUserAndReadyzAnswers200() throws Exception {
        Path rootfs = image.rootfs();
        Path proc = Files.createDirectories(rootfs.resolve("proc"));
        // The java launcher finds its libraries through /proc/self/exe ($ORIGIN), as in any container.
        OciImage.run(List.of("mount", "-t", "proc", "proc", proc.toString()));
        // And the devices every runtime gives a container: without /dev/urandom the JVM seeds its
        // SecureRandom by spinning threads, seconds of CPU for the server and for each probe.
        Path dev = Files.createDirectories(rootfs.resolve("dev"));
        for (String[] node : new String[][] {{"null", "3"}, {"zero", "5"}, {"random", "8"}, {"urandom", "9"}}) {
            OciImage.run(List.of("mknod", "-m", "666", dev.resolve(node[0]).toString(), "c", "1", node[1]));
        }
        int port = ServerProcess.freePort(); // as `docker run -e CHATWIRE_PORT=...`: 8080 may be taken here
        List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + image.user(), rootfs.toString()));
        command.addAll(image.entrypoint());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("server.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(image.environment());
        builder.environment().put("CHATWIRE_PORT", Integer.toString(port));
        Process server = builder.start();
        try {
            assertThat(awaitStatus(server, "http://127.0.0.1:" + port + "/readyz")).isEqualTo(200);
            assertThat(get("http://127.0.0.1:" + port + "/healthz").statusCode()).isEqualTo(200);
            // The health check a Compose file runs inside the container (deploy/compose.yaml) passes
            // against the running node and fails where nothing listens.
            assertThat(probe(rootfs, "http://127.0.0.1:" + port + "/readyz")).isZero();
            assertThat(probe(rootfs, "http://127.0.0.1:" + ServerProcess.freePort() + "/readyz")).isEqualTo(1);
            // The database went to the volume, into a directory of the image's user private to it,
            // so the server has nothing to warn about.
            Path dataDir = rootfs.resolve("data/chatwire");
            assertThat(Files.getAttribute(dataDir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(65532);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(dataDir)) {
                List<Path> data = files.filter(Files::isRegularFile).toList();
                assertThat(data).extracting(p -> p.getFileName().toString()).contains("chatwire.db");
                assertThat(data).allSatisfy(f -> {
                    assertThat(Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(65532);
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
                });
            }
            assertThat(log()).doesNotContain("open to other users");
        } finally {
            server.destroy();
            if (!server.waitFor(Duration.ofSeconds(20).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                server.destroyForcibly().waitFor();
            }
            OciImage.run(List.of("umount", proc.toString()));
        }
    }

    /** Runs {@link io.chatwire.probe.Probe} as deploy/compose.yaml's healthcheck does: inside the image, as its user. */
    private static int probe(Path rootfs, String url) throws Exception {
        List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + image.user(), rootfs.toString()));
        command.addAll(HEALTHCHECK);
        command.add(url);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("probe.log").toFile()));
        builder.environment().clear();
        builder.environment().putAll(image.environment());
        Process p = builder.start();
        if (!p.waitFor(Duration.ofSeconds(60).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return fail("the probe did not finish in 60 s");
        }
        return p.exitValue();
    }

    private int awaitStatus(Process server, String url) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                fail("the image's entrypoint exited " + server.exitValue() + ":\n" + log());
            }
            try {
                return get(url).statusCode();
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        return fail("no answer from " + url + " within " + START_TIMEOUT + ":\n" + log());
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    private static String log() throws IOException {
        Path log = work.resolve("server.log");
        return Files.exists(log) ? Files.readString(log) : "(no output)";
    }
}
