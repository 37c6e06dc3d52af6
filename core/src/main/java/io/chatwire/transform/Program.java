package io.chatwire.transform;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.json.Json;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One JSONata expression, parsed once and run many times (from any number of threads: the engine
 * keeps its per-run state per thread, and every run gets its own frame).
 *
 * <p>The sandbox: JSONata has no I/O, no host objects and no way to reach Java classes; the one
 * built-in that compiles code at run time, {@code $eval}, is replaced by one that refuses (it would
 * escape the compile-once rule and the checks made at save time). Regular expressions are refused at
 * compile time: Java's regex engine backtracks without ever giving control back, so a pattern like
 * {@code /(a+)+$/} over a long answer would hold a thread far past any time limit. Each run is held
 * to a time limit, a nesting depth and a size cap on every intermediate string, array and object
 * (checked as each step returns, so a doubling loop stops long before memory is at risk).
 */
public final class Program {
    /** The longest expression accepted. */
    public static final int MAX_SOURCE = 16_384;
    /** Nesting of evaluation steps (recursion included). */
    static final int MAX_DEPTH = 200;
    /** Characters in any string a run makes, the body included. */
    static final int MAX_STRING = 1 << 20;
    /** Items in any array, or keys in any object, a run makes. */
    static final int MAX_ITEMS = 100_000;
    /**
     * Characters and items all the steps of one run may give back, added up: single results are capped
     * above, and this bounds what many of them kept together (a list of large strings) can hold.
     */
    static final long RUN_CHARACTERS = 32L << 20;
    static final long RUN_ITEMS = 2_000_000;
    private static final String TOO_LONG_STRINGS = "strings longer than " + MAX_STRING + " characters";
    private static final String TOO_LONG_ARRAYS = "arrays of more than " + MAX_ITEMS + " items";
    private static final String TOO_LARGE_OBJECTS = "objects of more than " + MAX_ITEMS + " keys";

    private static final Field SYMBOL_POSITION = symbolField("position");

    private final String source;
    private final Role role;
    private final Jsonata expression;

    private Program(String source, Role role, Jsonata expression) {
        this.source = source;
        this.role = role;
        this.expression = expression;
    }

    /** What compiling gave: a program, or why not and where. */
    public sealed interface Compiled {
        record Ok(Program program) implements Compiled {
        }

        record Refused(String message, Optional<Position> position) implements Compiled {
        }
    }

    /** What one run gave: a value (empty for JSONata's "undefined"), or why it failed and where. */
    public sealed interface Run {
        record Value(Optional<Object> value) implements Run {
        }

        record Failed(String message, Optional<Position> position) implements Run {
        }
    }

    public static Compiled compile(Role role, String source) {
        if (source.isBlank()) {
            return new Compiled.Refused(role.field() + " is empty", Optional.empty());
        }
        if (source.length() > MAX_SOURCE) {
            return new Compiled.Refused(role.field() + " is longer than " + MAX_SOURCE + " characters",
                    Optional.empty());
        }
        Jsonata expression;
        try {
            expression = Jsonata.jsonata(source);
        } catch (JException e) {
            return new Compiled.Refused(message(e), Position.ofEngine(source, e.getLocation()));
        } catch (RuntimeException | StackOverflowError e) {
            return new Compiled.Refused("not a valid JSONata expression", Optional.empty());
        }
        Optional<Integer> regex = firstRegex(expression);
        if (regex.isPresent()) {
            return new Compiled.Refused("regular expressions are not available in Chatwire " + role.field()
                    + "s (they cannot be stopped once running); use $contains, $substringBefore, $lowercase and"
                    + " similar string functions", Position.ofEngine(source, regex.get()));
        }
        expression.registerFunction("eval", (Jsonata.Fn1<Object, Object>) ignored -> {
            throw new JException("$eval is not available in Chatwire " + role.field() + "s", -1);
        });
        // The same signatures as the engine's own, so that their use (and context binding) is unchanged.
        expression.registerFunction("pad", Jsonata.function("pad", "<s-ns?:s>", BoundedFunctions.class, null, "pad"));
        expression.registerFunction("join", Jsonata.function("join", "<a<s>s?:s>", BoundedFunctions.class, null, "join"));
        expression.registerFunction("replace",
                Jsonata.function("replace", "<s-(sf)(sf)n?:s>", BoundedFunctions.class, null, "replace"));
        return new Compiled.Ok(new Program(source, role, expression));
    }

    /** Makes a two-argument function available to the expression as {@code $name}. */
    void define(String name, java.util.function.BiFunction<Object, Object, Object> function) {
        expression.registerFunction(name, (Jsonata.Fn2<Object, Object, Object>) function::apply);
    }

    public String source() {
        return source;
    }

    /** Runs the program over a JSON document (an event's payload). */
    public Run runOnJson(String json) {
        Object input;
        try {
            input = Json.parseJson(json);
        } catch (RuntimeException e) {
            return new Run.Failed("the event is not valid JSON", Optional.empty());
        }
        return run(input);
    }

    Run run(Object input) {
        Jsonata.Frame frame = expression.createFrame();
        Bounds bounds = new Bounds(System.nanoTime() + role.timeLimit().toNanos());
        frame.setEvaluateEntryCallback((expr, in, env) -> bounds.enter(expr));
        frame.setEvaluateExitCallback((expr, in, env, result) -> bounds.exit(result));
        try {
            Object result = expression.evaluate(input, frame);
            bounds.exit(result);
            return new Run.Value(Optional.ofNullable(result));
        } catch (JException e) {
            // The engine gives most run-time errors no position: the step that was running then has one.
            int location = e.getLocation() > 0 ? e.getLocation() : bounds.runningStepLocation();
            return new Run.Failed(message(e), Position.ofEngine(source, location));
        } catch (StackOverflowError e) {
            return new Run.Failed("the " + role.field() + " nests too deeply", Optional.empty());
        } catch (RuntimeException e) {
            // The engine's own slips (a cast it did not expect) are the expression's failure, not ours.
            return new Run.Failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    Position.ofEngine(source, bounds.runningStepLocation()));
        }
    }

    private static String message(JException e) {
        String m = e.getMessage();
        if (m != null && m.startsWith("JSonataException ")) {
            return e.getError(); // Not one of the engine's codes: ours, or $error's, whose text is the message.
        }
        return m == null || m.isBlank() ? "invalid expression (" + e.getError() + ")" : m;
    }

    /** The time, depth and size limits of one run. Not shared between runs or threads. */
    private final class Bounds {
        private final long deadline;
        private int depth;
        private long characters;
        private long items;
        /** The steps being evaluated, outermost first (the engine's syntax nodes). */
        private final Object[] running = new Object[MAX_DEPTH + 2];

        Bounds(long deadline) {
            this.deadline = deadline;
        }

        void enter(Object step) {
            if (++depth > MAX_DEPTH) {
                throw new JException("the " + role.field() + " nests deeper than " + MAX_DEPTH
                        + " steps (runaway recursion?)", -1);
            }
            if (System.nanoTime() > deadline) {
                throw new JException("the " + role.field() + " ran longer than " + role.timeLimit().toMillis()
                        + " ms", -1);
            }
            running[depth] = step;
        }

        /** Where the innermost step still running is in the source, or -1. */
        int runningStepLocation() {
            Object step = depth > 0 && depth < running.length ? running[depth] : null;
            if (step == null) {
                return -1;
            }
            try {
                return SYMBOL_POSITION.getInt(step);
            } catch (IllegalAccessException | IllegalArgumentException e) {
                return -1;
            }
        }

        void exit(Object result) {
            depth--;
            switch (result) {
                case String s -> add(s.length(), MAX_STRING, RUN_CHARACTERS, TOO_LONG_STRINGS);
                case Collection<?> c -> add(c.size(), MAX_ITEMS, RUN_ITEMS, TOO_LONG_ARRAYS);
                case Map<?, ?> m -> add(m.size(), MAX_ITEMS, RUN_ITEMS, TOO_LARGE_OBJECTS);
                case null, default -> {
                }
            }
        }

        private void add(int size, int max, long runMax, String what) {
            boolean characters = runMax == RUN_CHARACTERS;
            long total = characters ? (this.characters += size) : (this.items += size);
            if (size > max || total > runMax) {
                throw tooMuch(what);
            }
        }

        private JException tooMuch(String what) {
            return new JException("the " + role.field() + " made " + what + ", or too much data in all", -1);
        }
    }

    /** A field of the engine's syntax node class, which keeps them package-private. */
    private static Field symbolField(String name) {
        try {
            Field f = Class.forName("com.dashjoin.jsonata.Parser$Symbol").getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JSONata engine's syntax nodes changed (no field " + name + ")", e);
        }
    }

    /**
     * The offset of the first regular-expression literal in the parsed expression, found by walking
     * the engine's syntax tree (its node class keeps its fields package-private, hence reflection).
     */
    private static Optional<Integer> firstRegex(Jsonata expression) {
        try {
            Field astField = Jsonata.class.getDeclaredField("ast");
            astField.setAccessible(true);
            Object root = astField.get(expression);
            Class<?> symbol = SYMBOL_POSITION.getDeclaringClass();
            Field type = symbolField("type");
            Field position = SYMBOL_POSITION;
            List<Field> children = new java.util.ArrayList<>();
            for (Field f : symbol.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive() && f.getType() != String.class) {
                    f.setAccessible(true);
                    children.add(f);
                }
            }
            Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            Deque<Object> todo = new ArrayDeque<>(List.of(root));
            while (!todo.isEmpty()) {
                Object node = todo.pop();
                if (node == null || !seen.add(node)) {
                    continue;
                }
                if (symbol.isInstance(node)) {
                    if ("regex".equals(type.get(node))) {
                        return Optional.of(position.getInt(node));
                    }
                    for (Field f : children) {
                        todo.push(Optional.ofNullable(f.get(node)).orElse(List.of()));
                    }
                } else if (node instanceof Collection<?> items) {
                    items.forEach(i -> todo.push(i == null ? List.of() : i));
                } else if (node instanceof Object[] items) {
                    for (Object i : items) {
                        todo.push(i == null ? List.of() : i);
                    }
                }
            }
            return Optional.empty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot inspect the JSONata syntax tree (engine version changed?)", e);
        }
    }
}
