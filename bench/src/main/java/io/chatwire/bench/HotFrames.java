package io.chatwire.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording's execution samples: the top leaf frames (where the CPU is), and for
 * each sample the first Chatwire frame on its stack (which of Chatwire's code paths it was working for).
 */
final class HotFrames {
    private HotFrames() {
    }

    /**
     * @param byPackage leaf frames grouped by package (first three name segments)
     * @param nativeSqlite samples of threads inside sqlite-jdbc's native code (jdk.NativeMethodSample):
     *     JNI time that execution samples do not see
     */
    record Summary(long samples, Map<String, Long> topLeaf, Map<String, Long> topChatwire,
            Map<String, Long> byPackage, long nativeSqlite) {
    }

    static Summary of(Path jfr, int top) throws IOException {
        Map<String, Long> leaf = new HashMap<>();
        Map<String, Long> chatwire = new HashMap<>();
        Map<String, Long> packages = new HashMap<>();
        long samples = 0;
        long sqlite = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals("jdk.NativeMethodSample")) {
                RecordedStackTrace st = e.getStackTrace();
                if (st != null && !st.getFrames().isEmpty() && st.getFrames().getFirst().getMethod() != null
                        && st.getFrames().getFirst().getMethod().getType().getName().startsWith("org.sqlite.")) {
                    sqlite++;
                }
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = st.getFrames();
            leaf.merge(name(frames.getFirst()), 1L, Long::sum);
            packages.merge(pkg(frames.getFirst()), 1L, Long::sum);
            String owner = "(no Chatwire frame)";
            for (RecordedFrame f : frames) {
                if (f.getMethod() != null && f.getMethod().getType().getName().startsWith("io.chatwire.")) {
                    owner = name(f);
                    break;
                }
            }
            chatwire.merge(owner, 1L, Long::sum);
        }
        return new Summary(samples, topN(leaf, top), topN(chatwire, top), topN(packages, top), sqlite);
    }

    private static String pkg(RecordedFrame f) {
        if (f.getMethod() == null) {
            return "?";
        }
        String[] parts = f.getMethod().getType().getName().split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(3, parts.length - 1); i++) {
            sb.append(i == 0 ? "" : ".").append(parts[i]);
        }
        return sb.toString();
    }

    private static String name(RecordedFrame f) {
        if (f.getMethod() == null) {
            return "?";
        }
        String type = f.getMethod().getType().getName();
        return type + "." + f.getMethod().getName();
    }

    private static Map<String, Long> topN(Map<String, Long> counts, int n) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
