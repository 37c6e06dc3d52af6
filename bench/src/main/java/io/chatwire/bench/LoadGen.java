package io.chatwire.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Posts chat events to one or more Chatwire nodes over N keep-alive connections (one virtual thread
 * each; connection i talks to node i mod nodes): as fast as the server answers, or paced to a fixed
 * rate (event k is sent no earlier than start + k / rate). Events go round-robin over the chatbots.
 */
final class LoadGen {
    record Node(String host, int port) {
    }

    /** A chatbot to post for, and how many of its endpoints answer at once (the rest hang). */
    record Bot(String id, int healthyEndpoints) {
    }

    /**
     * Which conversation each event belongs to: a new one per event ({@link #EACH_ITS_OWN}), or one of
     * {@code count} in turn (for endpoints ordered by conversation), every {@code blockedEvery}-th of
     * them (0: none) named {@code blocked-…}, which the receiver's {@code /ob/} endpoints refuse.
     */
    record Conversations(int count, int blockedEvery) {
        static final Conversations EACH_ITS_OWN = new Conversations(0, 0);

        String of(long seq) {
            if (count == 0) {
                return String.format("dbf24043-83a6-47fb-%04x-%012x", (seq >>> 48) & 0xffff, seq & 0xffffffffffffL);
            }
            int c = (int) (seq % count);
            return (isBlocked(seq) ? "blocked-" : "conv-") + String.format("%06d", c);
        }

        boolean isBlocked(long seq) {
            return count > 0 && blockedEvery > 0 && (seq % count) % blockedEvery == 0;
        }
    }

    /** The body of a chat event like Chat Data's, about 700 bytes, for the given chatbot. */
    static byte[] chatEvent(String chatbotId, long seq) {
        return chatEvent(chatbotId, seq, Conversations.EACH_ITS_OWN);
    }

    static byte[] chatEvent(String chatbotId, long seq, Conversations conversations) {
        String conversation = conversations.of(seq);
        return ("{\"event\": \"chat\", \"messages\": [{\"role\": \"assistant\", \"content\": \"\uD83D\uDC4B Hello there! "
                + "I'm Chat Data AI, your go-to source for all things about Chat Data!\"}, {\"role\": \"assistant\", "
                + "\"content\": \"By the way, you can create a chatbot like me for your website! \uD83D\uDE2E\"}, "
                + "{\"role\": \"user\", \"content\": \"How to integrate with Discord?\"}], \"answer\": {\"role\": "
                + "\"assistant\", \"content\": \"You can follow the guide to integrate your chatbot with Discord.\", "
                + "\"score\": 0.8503905227042547}, \"client_ip\": \"203.0.113.7\", \"chatbot_id\": \"" + chatbotId
                + "\", \"source\": \"widget\", \"cost_credits\": 20, \"conversation_id\": \"" + conversation
                + "\", \"lead\": {\"uuid\": \"28239132-671d-4b1f-9d43-1c7b70985ede\"}}").getBytes(StandardCharsets.UTF_8);
    }

    static String eventId(String json) {
        int k = json.indexOf("\"id\"");
        if (k < 0) {
            return null;
        }
        int q1 = json.indexOf('"', json.indexOf(':', k) + 1);
        int q2 = json.indexOf('"', q1 + 1);
        return q1 < 0 || q2 < 0 ? null : json.substring(q1 + 1, q2);
    }

    /**
     * Runs one load phase into the recording and returns when it is over.
     *
     * @param rate events per second, or 0 for as fast as possible
     */
    static void run(Recording rec, List<Node> nodes, String operatorToken, List<Bot> bots, int connections,
            double rate, long durationMillis) throws InterruptedException {
        run(rec, nodes, operatorToken, bots, connections, rate, durationMillis, Conversations.EACH_ITS_OWN);
    }

    /** As above; a blocked conversation's events are expected at no endpoint (they wait behind a failing head). */
    static void run(Recording rec, List<Node> nodes, String operatorToken, List<Bot> bots, int connections,
            double rate, long durationMillis, Conversations conversations) throws InterruptedException {
        AtomicLong seq = new AtomicLong();
        long start = System.nanoTime();
        long end = start + durationMillis * 1_000_000L;
        double intervalNanos = rate > 0 ? 1e9 / rate : 0;
        rec.loadStartNanos = start;
        List<Thread> workers = new ArrayList<>();
        LongAdder done = new LongAdder();
        java.util.Queue<Http11> open = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int w = 0; w < connections; w++) {
            Node node = nodes.get(w % nodes.size());
            workers.add(Thread.ofVirtual().name("loadgen-" + w).start(() -> {
                long[] lat = new long[4096];
                int n = 0;
                Http11 conn = new Http11(node.host(), node.port());
                open.add(conn);
                try {
                    while (true) {
                        long k = seq.getAndIncrement();
                        if (rate > 0) {
                            long due = start + (long) (k * intervalNanos);
                            if (due >= end) {
                                break;
                            }
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                        } else if (System.nanoTime() >= end) {
                            break;
                        }
                        Bot bot = bots.get((int) (k % bots.size()));
                        byte[] body = chatEvent(bot.id(), k, conversations);
                        long sent = System.nanoTime();
                        Http11.Response r;
                        try {
                            r = conn.send("POST", "/v1/events", operatorToken, body);
                        } catch (IOException | RuntimeException e) {
                            // A timeout, a refused or reset connection, or the watchdog closing it.
                            rec.postErrors.increment();
                            rec.statuses.computeIfAbsent(-1, x -> new LongAdder()).increment();
                            LockSupport.parkNanos(5_000_000L); // do not spin on a server that is gone
                            continue;
                        }
                        long answered = System.nanoTime();
                        rec.statuses.computeIfAbsent(r.status(), x -> new LongAdder()).increment();
                        if (r.status() != 202) {
                            rec.postErrors.increment();
                            continue;
                        }
                        String id = eventId(r.text());
                        if (id != null) {
                            rec.accepted.put(id, answered);
                            rec.expectedHealthy.add(conversations.isBlocked(k) ? 0 : bot.healthyEndpoints());
                        }
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = answered - sent;
                    }
                } finally {
                    conn.close();
                    rec.postLatencies.add(Arrays.copyOf(lat, n));
                    done.increment();
                }
            }));
        }
        // A server that stops answering must not stall the run: past the end plus a grace, every
        // connection is closed under its worker, whose blocked read then fails and which then stops.
        long hardStop = end + 15_000_000_000L;
        for (Thread t : workers) {
            long left = hardStop - System.nanoTime();
            if (left > 0) {
                t.join(java.time.Duration.ofNanos(left));
            }
            if (t.isAlive()) {
                open.forEach(Http11::close);
                t.join();
            }
        }
        rec.loadEndNanos = System.nanoTime();
    }
}
