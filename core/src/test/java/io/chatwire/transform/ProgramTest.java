package io.chatwire.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The JSONata programs of filters and transforms: what they make, and the sandbox they run in. */
class ProgramTest {
    private static final String CHAT = """
            {"event":"chat","messages":[{"role":"user","content":"Where is my order?"}],
             "answer":{"role":"assistant","content":"It ships today.","score":0.42},
             "source":"whatsapp","chatbot_id":"cb_1","cost_credits":20}""";

    private final Shaper shaper = Shaper.unmetered();

    @Test
    void aFilterAdmitsWhatItsExpressionFindsTrue() {
        assertThat(shaper.admits(filter("source = \"whatsapp\""), CHAT)).isInstanceOf(Verdict.Admit.class);
        assertThat(shaper.admits(filter("answer.score < 0.5"), CHAT)).isInstanceOf(Verdict.Admit.class);
        assertThat(shaper.admits(filter("source = \"widget\""), CHAT)).isInstanceOf(Verdict.Reject.class);
        assertThat(shaper.admits(filter("lead.email"), CHAT)).as("a missing field is false")
                .isInstanceOf(Verdict.Reject.class);
        assertThat(shaper.admits(Shaping.NONE, CHAT)).isInstanceOf(Verdict.Admit.class);
    }

    @Test
    void aTransformsValueIsTheBodyAndHeaderCallsAddHeaders() {
        Shaped shaped = shaper.bodyFor(transform("""
                ($header("X-Source", source);
                 {"text": messages[-1].content & " -> " & answer.content, "score": answer.score})"""), CHAT);

        assertThat(shaped).isInstanceOfSatisfying(Shaped.Send.class, send -> {
            assertThat(new String(send.body(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"text\":\"Where is my order? -> It ships today.\",\"score\":0.42}");
            assertThat(send.headers()).isEqualTo(Map.of("X-Source", "whatsapp"));
        });
    }

    @Test
    void aStringResultIsSentAsItIsAndNoValueDropsTheEvent() {
        assertThat(shaper.bodyFor(transform("\"score=\" & answer.score"), CHAT)).isInstanceOfSatisfying(
                Shaped.Send.class, s -> assertThat(new String(s.body(), StandardCharsets.UTF_8)).isEqualTo("score=0.42"));
        assertThat(shaper.bodyFor(transform("answer.score > 0.9 ? {\"great\": true}"), CHAT))
                .isInstanceOf(Shaped.Drop.class);
    }

    @Test
    void aTransformThatThrowsOrGivesAFunctionIsBrokenWithItsMessage() {
        assertThat(shaper.bodyFor(transform("$error(\"no answer here\")"), CHAT))
                .isInstanceOfSatisfying(Shaped.Broken.class, b -> assertThat(b.message()).contains("no answer here"));
        assertThat(shaper.bodyFor(transform("function($x) { $x }"), CHAT))
                .isInstanceOfSatisfying(Shaped.Broken.class, b -> assertThat(b.message()).contains("function"));
        assertThat(shaper.bodyFor(transform("($header(\"Content-Type\", \"text/html\"); {})"), CHAT))
                .isInstanceOfSatisfying(Shaped.Broken.class, b -> assertThat(b.message()).contains("set by Chatwire"));
    }

    @Test
    void aSyntaxErrorIsRefusedWithItsLineAndColumn() {
        Program.Compiled compiled = Shaper.check(Role.TRANSFORM, "{\n  \"a\": answer.score +\n}");

        assertThat(compiled).isInstanceOfSatisfying(Program.Compiled.Refused.class, r -> {
            assertThat(r.position()).isPresent();
            assertThat(r.position().get().line()).isEqualTo(3);
            assertThat(r.position().get().column()).isEqualTo(1);
        });
    }

    @Test
    void aRunTimeErrorSaysWhichStepFailed() {
        Shaped shaped = shaper.bodyFor(transform("{\n  'a': answer.score + 'points'\n}"), CHAT);

        assertThat(shaped).isInstanceOfSatisfying(Shaped.Broken.class, b -> {
            assertThat(b.message()).contains("must evaluate to a number");
            assertThat(b.position()).hasValueSatisfying(p -> assertThat(p.line()).isEqualTo(2));
        });
    }

    @Test
    void eachExpressionIsCompiledOnceAndThenShared() {
        Shaping a = filter("answer.score < 0.5");
        for (int i = 0; i < 100; i++) {
            shaper.admits(a, CHAT);
            shaper.bodyFor(transform("answer"), CHAT);
        }
        assertThat(shaper.cachedPrograms()).isEqualTo(2);
    }

    // --- the sandbox ------------------------------------------------------------------------------

    @Test
    void evalIsNotAvailable() {
        assertThat(shaper.bodyFor(transform("$eval(\"1 + 1\")"), CHAT))
                .isInstanceOfSatisfying(Shaped.Broken.class, b -> assertThat(b.message()).contains("$eval is not available"));
    }

    @Test
    void regularExpressionsAreRefusedAtCompileTimeWithTheirPosition() {
        Program.Compiled compiled = Shaper.check(Role.FILTER, "$contains(answer.content, /(a+)+$/)");

        assertThat(compiled).isInstanceOfSatisfying(Program.Compiled.Refused.class, r -> {
            assertThat(r.message()).contains("regular expressions");
            assertThat(r.position()).isPresent();
        });
    }

    @Test
    void thereIsNoWayToFilesTheEnvironmentOrJava() {
        for (String attempt : new String[] {"$readFile(\"/etc/passwd\")", "$env(\"HOME\")",
                "$system(\"id\")", "$java.lang.System.exit(1)", "$$.getClass()", "$require(\"fs\")"}) {
            assertThat(shaper.bodyFor(transform(attempt), CHAT)).as(attempt)
                    .isNotInstanceOf(Shaped.Send.class);
        }
        assertThat(shaper.bodyFor(transform("$string($keys($$))"), CHAT)).as("only the payload is in reach")
                .isInstanceOfSatisfying(Shaped.Send.class, s -> assertThat(new String(s.body(), StandardCharsets.UTF_8))
                        .isEqualTo("[\"event\",\"messages\",\"answer\",\"source\",\"chatbot_id\",\"cost_credits\"]"));
    }

    @Test
    void runawayRecursionIsStopped() {
        assertBroken(transform("($f := function($n) { $f($n + 1) + 1 }; $f(0))"), "nests deeper");
    }

    @Test
    void anEndlessLoopIsStoppedAtTheTimeLimit() {
        long start = System.nanoTime();
        assertBroken(transform("($f := function($n) { $n <= 0 ? 0 : $f($n - 1) + $f($n - 1) }; $f(22))"), "ran longer than");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void hugeOutputIsStoppedBeforeItIsMade() {
        assertBroken(transform("$pad(\"x\", 2000000000)"), "$pad would make");
        assertBroken(transform("$join([1..2000].$string(), $pad(\"\", 1000, \"x\"))"), "$join would make");
        assertBroken(transform("$replace($pad(\"\", 100000, \"a\"), \"a\", $pad(\"\", 1000, \"b\"))"),
                "$replace would make");
        assertBroken(transform("($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f(\"xy\", 60))"),
                "strings longer than");
        // Whichever bound comes first on a loaded machine: both stop it long before memory runs out.
        assertThat(shaper.bodyFor(transform("[1..99999].[1..99999]"), CHAT)).isInstanceOfSatisfying(Shaped.Broken.class,
                b -> assertThat(b.message()).containsAnyOf("too much data", "ran longer than"));
        assertBroken(transform("$split($pad(\"\", 200000, \"ab\"), \"\")"), "arrays of more than");
    }

    @Test
    void aFilterThatFailsIsBrokenNotFalse() {
        Verdict verdict = shaper.admits(filter("$error(\"bad filter\")"), CHAT);
        assertThat(verdict).isInstanceOfSatisfying(Verdict.Broken.class,
                b -> assertThat(b.message()).contains("bad filter"));
    }

    private void assertBroken(Shaping shaping, String messagePart) {
        assertThat(shaper.bodyFor(shaping, CHAT)).isInstanceOfSatisfying(Shaped.Broken.class,
                b -> assertThat(b.message()).contains(messagePart));
    }

    private static Shaping filter(String expression) {
        return Shaping.of(Optional.of(expression), Optional.empty());
    }

    private static Shaping transform(String expression) {
        return Shaping.of(Optional.empty(), Optional.of(expression));
    }
}
