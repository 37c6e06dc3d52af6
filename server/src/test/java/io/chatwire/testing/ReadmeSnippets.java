package io.chatwire.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code blocks of the root README.md that carry a marker, {@code <!-- receiver: NAME -->} on the
 * line before the opening fence. Tests run these blocks as written, so the README's receivers cannot
 * drift from what works.
 */
public final class ReadmeSnippets {
    public static final Path README = Path.of(System.getProperty("basedir", "."), "../README.md").normalize();
    // The marker, then the fenced block right after it (the fence may name a language).
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- receiver: ([a-z0-9-]+) -->\\n```[a-z]*\\n(.*?\\n)```\\n", Pattern.DOTALL);
    private static final Pattern MARKER = Pattern.compile("<!-- receiver: ([a-z0-9-]+) -->");

    private ReadmeSnippets() {
    }

    /** Every marked block by name; fails if a marker is not followed by a block or a name is used twice. */
    public static Map<String, String> all() {
        String readme;
        try {
            readme = Files.readString(README, StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + README, e);
        }
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            if (blocks.put(m.group(1), m.group(2)) != null) {
                throw new IllegalStateException(README + ": the marker <!-- receiver: " + m.group(1) + " --> is used twice");
            }
        }
        long markers = MARKER.matcher(readme).results().count();
        if (markers != blocks.size()) {
            throw new IllegalStateException(README + ": " + markers + " receiver markers but " + blocks.size()
                    + " are directly followed by a fenced code block");
        }
        return blocks;
    }

    /** The block marked {@code <!-- receiver: name -->}; fails with a clear message if there is none. */
    public static String named(String name) {
        String block = all().get(name);
        if (block == null) {
            throw new IllegalStateException(README + " has no code block marked <!-- receiver: " + name + " -->");
        }
        return block;
    }
}
