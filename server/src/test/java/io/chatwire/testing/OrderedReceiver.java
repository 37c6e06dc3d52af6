package io.chatwire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A receiver for ordered-delivery tests: it fails a seeded share of deliveries a few times each
 * before answering 2xx, notes when every request arrived and when its answer went out, and checks
 * the ordering property over what it saw: in each conversation, no position arrives before the
 * position before it was answered 2xx.
 */
public final class OrderedReceiver implements AutoCloseable {
    /** At most this many failures of one delivery before its 2xx, so a short retry schedule suffices. */
    public static final int MOST_FAILURES = 2;
    /** Every answer waits this long, so that a delivery sent while its predecessor is in flight shows. */
    private static final Duration ANSWER_AFTER = Duration.ofMillis(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request as the receiver saw it.
     *
     * @param eventId the {@code webhook-id} header
     * @param index the event's number within its conversation, as posted (from the question text)
     * @param position the {@code x-chatwire-sequence} header
     * @param answeredAt {@link System#nanoTime()} when the answer went out
     */
    public record Arrival(String eventId, String conversation, int index, long position, int status, long arrivedAt,
            long answeredAt) {
        public boolean succeeded() {
            return status / 100 == 2;
        }
    }

    private final TestReceiver receiver = TestReceiver.start();
    private final long seed;
    private final double failShare;
    private final Map<Integer, Arrival> byRequest = new ConcurrentHashMap<>();
    private final Map<String, Integer> attemptsSoFar = new ConcurrentHashMap<>();

    private OrderedReceiver(long seed, double failShare) {
        this.seed = seed;
        this.failShare = failShare;
        receiver.answering(this::answer);
    }

    /** @param failShare the share of deliveries that fail (1 to {@link #MOST_FAILURES} times) before a 2xx */
    public static OrderedReceiver start(long seed, double failShare) {
        return new OrderedReceiver(seed, failShare);
    }

    public URI url() {
        return receiver.url();
    }

    /** A chat event of the conversation, numbered {@code index} in the question. */
    public static String event(String chatbotId, String conversation, int index) {
        return """
                {"event":"chat","messages":[{"role":"user","content":"%d"}],\
                "answer":{"role":"assistant","content":"ok"},"chatbot_id":"%s","conversation_id":"%s"}"""
                .formatted(index, chatbotId, conversation);
    }

    private TestReceiver.Answer answer(int n) {
        long arrivedAt = System.nanoTime();
        TestReceiver.Received r = receiver.received().get(n - 1);
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String conversation = body.path("conversation_id").asText();
        int index = Integer.parseInt(body.path("messages").get(0).path("content").asText());
        String sequence = r.header("x-chatwire-sequence");
        long position = sequence == null ? -1 : Long.parseLong(sequence);
        int before = attemptsSoFar.merge(conversation + "#" + index, 1, Integer::sum) - 1;
        int status = before < failuresOf(conversation, index) ? 503 : 200;
        byRequest.put(n, new Arrival(r.header("webhook-id"), conversation, index, position, status, arrivedAt,
                System.nanoTime() + ANSWER_AFTER.toNanos()));
        return TestReceiver.Answer.status(status).after(ANSWER_AFTER);
    }

    /** How often this delivery fails before its 2xx: the same in every run with the same seed. */
    private int failuresOf(String conversation, int index) {
        SplittableRandom random = new SplittableRandom(seed ^ (conversation.hashCode() * 1_000_003L + index));
        return random.nextDouble() < failShare ? 1 + random.nextInt(MOST_FAILURES) : 0;
    }

    /** Every request so far, in arrival order. */
    public List<Arrival> arrivals() {
        List<Arrival> all = new ArrayList<>();
        for (int n = 1; byRequest.containsKey(n); n++) {
            all.add(byRequest.get(n));
        }
        return all;
    }

    /** The positions answered 2xx per conversation (each once, however often it arrived). */
    public Map<String, List<Long>> delivered() {
        return arrivals().stream().filter(Arrival::succeeded).collect(Collectors.groupingBy(Arrival::conversation,
                Collectors.collectingAndThen(Collectors.mapping(Arrival::position, Collectors.toSet()),
                        s -> s.stream().sorted().toList())));
    }

    /**
     * The ordering property over every request seen: a request of position p &gt; 1 arrived only after
     * an answer 2xx to position p - 1 of its conversation had gone out. A repeat of a position already
     * answered 2xx (at-least-once, after a crash) passes.
     */
    public void assertOrdered() {
        List<Arrival> all = arrivals();
        Map<String, Map<Long, Long>> firstSuccessAnswered = new ConcurrentHashMap<>();
        for (Arrival a : all) {
            if (a.succeeded()) {
                firstSuccessAnswered.computeIfAbsent(a.conversation(), c -> new ConcurrentHashMap<>())
                        .merge(a.position(), a.answeredAt(), Math::min);
            }
        }
        for (Arrival a : all) {
            assertThat(a.position()).as("every ordered delivery carries its position: %s", a).isPositive();
            if (a.position() == 1) {
                continue;
            }
            Long predecessorAnswered = firstSuccessAnswered.getOrDefault(a.conversation(), Map.of())
                    .get(a.position() - 1);
            assertThat(predecessorAnswered).as("position %d of %s arrived, but %d was never answered 2xx",
                    a.position(), a.conversation(), a.position() - 1).isNotNull();
            // Both times are taken on this JVM's monotonic clock; the predecessor's answer went out first.
            assertThat(a.arrivedAt()).as("position %d of %s arrived before %d was answered", a.position(),
                    a.conversation(), a.position() - 1).isGreaterThanOrEqualTo(predecessorAnswered);
        }
    }

    /** A seeded source for picking, e.g., which conversation an event goes to. */
    public Random random() {
        return new Random(seed);
    }

    @Override
    public void close() {
        receiver.close();
    }
}
