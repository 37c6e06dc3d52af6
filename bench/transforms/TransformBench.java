import io.chatwire.transform.Shaped;
import io.chatwire.transform.Shaper;
import io.chatwire.transform.Shaping;
import io.chatwire.transform.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * How many filters and transforms per second one Shaper runs over the Chat Data sample event: the
 * whole per-event cost as the dispatcher pays it (payload parse, run, body serialisation), with the
 * programs compiled once. Run by bench/transforms.sh; prints one line per case.
 */
public final class TransformBench {
    static final String CHAT = """
            {"event":"chat","messages":[{"role":"assistant","content":"👋 Hello there! How can I help?"},\
            {"role":"user","content":"Where can I find the guide to reset my device?"}],"answer":{"role":"assistant",\
            "content":"Follow the guide in Settings → Reset; it takes two minutes.","score":0.8503905227042547},\
            "client_ip":"203.0.113.7","chatbot_id":"bot_0123456789abcdef","source":"whatsapp","cost_credits":20,\
            "conversation_id":"dbf24043-83a6-47fb-b241-9865de3877c9","lead":{"uuid":"28239132-671d-4b1f-9d43-1c7b70985ede",\
            "name":"Ana","email":"ana@example.com","phone":"+34 600 000 000"}}""";

    record Case(String name, Shaping shaping, boolean filter) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        List<Case> cases = List.of(
                new Case("filter  source = 'whatsapp'", filter("source = 'whatsapp'"), true),
                new Case("filter  answer.score < 0.5", filter("answer.score < 0.5"), true),
                new Case("transform  small object (3 fields)", transform(
                        "{'text': answer.content, 'score': answer.score, 'source': source}"), false),
                new Case("transform  Slack-style message with $header", transform("""
                        ($header('X-Chatbot', chatbot_id);
                         {'text': '*' & (lead.name ? lead.name : 'Someone') & '* asked: ' & messages[role='user'][-1].content,
                          'blocks': [
                            {'type': 'section', 'text': {'type': 'mrkdwn', 'text': '> ' & answer.content}},
                            {'type': 'context', 'elements': [{'type': 'mrkdwn',
                              'text': 'score ' & $formatNumber(answer.score, '0.00') & ' · ' & source & ' · ' & conversation_id}]}
                          ]})"""), false),
                new Case("none  (body = payload, for comparison)", Shaping.NONE, false));
        System.out.printf(Locale.ROOT, "transform bench: %s s per case, %d thread(s), %d-byte event, %s%n", seconds,
                threads, CHAT.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, Runtime.version());
        Shaper shaper = Shaper.unmetered();
        for (Case c : cases) {
            Supplier<Object> once = c.filter() ? () -> shaper.admits(c.shaping(), CHAT) : () -> shaper.bodyFor(c.shaping(), CHAT);
            Object sample = once.get();
            if (sample instanceof Shaped.Broken || sample instanceof Verdict.Broken) {
                throw new IllegalStateException(c.name() + ": " + sample);
            }
            run(once, threads, Math.min(2, seconds)); // warm-up
            double perSecond = run(once, threads, seconds);
            System.out.printf(Locale.ROOT, "%-48s %,12.0f /s   %6.2f µs each%n", c.name(), perSecond, threads * 1e6 / perSecond);
        }
    }

    private static double run(Supplier<Object> once, int threads, double seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                long n = 0;
                while ((n & 63) != 0 || System.nanoTime() < end) {
                    once.get();
                    n++;
                }
                done.add(n);
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }

    private static Shaping filter(String expression) {
        return Shaping.of(Optional.of(expression), Optional.empty());
    }

    private static Shaping transform(String expression) {
        return Shaping.of(Optional.empty(), Optional.of(expression));
    }
}
