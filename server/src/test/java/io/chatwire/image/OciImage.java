package io.chatwire.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An OCI image tarball (the layout Jib's buildTar writes with format OCI: oci-layout, index.json,
 * blobs/sha256/...), unpacked: its config, its layers, and a root file system made of the layers
 * applied in order, the way a container runtime would.
 */
record OciImage(JsonNode config, List<Layer> layers, Path rootfs) {

    record Layer(String mediaType, long size) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Unpacks {@code tarball} under {@code workDir} (the layers with the system's tar, as root). */
    static OciImage unpack(Path tarball, Path workDir) throws IOException, InterruptedException {
        Path layout = Files.createDirectories(workDir.resolve("layout"));
        run(List.of("tar", "-xf", tarball.toString(), "-C", layout.toString()));
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(layout, index.path("manifests").path(0).path("digest").asText()).toFile());
        JsonNode config = JSON.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile());
        Path rootfs = Files.createDirectories(workDir.resolve("rootfs"));
        List<Layer> layers = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            layers.add(new Layer(layer.path("mediaType").asText(), layer.path("size").asLong()));
            // -p keeps the modes the layer gives (a runtime does; tar's umask would not).
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzpf", blob(layout, layer.path("digest").asText()).toString(), "-C", rootfs.toString()));
        }
        return new OciImage(config.path("config"), List.copyOf(layers), rootfs);
    }

    List<String> entrypoint() {
        List<String> args = new ArrayList<>();
        config.path("Entrypoint").forEach(a -> args.add(a.asText()));
        return args;
    }

    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode entry : config.path("Env")) {
            String[] kv = entry.asText().split("=", 2);
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    String user() {
        return config.path("User").asText();
    }

    Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        config.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    List<String> fieldNames(String field) {
        List<String> names = new ArrayList<>();
        config.path(field).fieldNames().forEachRemaining(names::add);
        return names;
    }

    long compressedSize() {
        return layers.stream().mapToLong(Layer::size).sum();
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish in 60 s: " + out);
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + out);
        }
    }
}
