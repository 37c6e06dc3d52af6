package io.chatwire.account;

import io.chatwire.problem.Problem;
import java.util.Arrays;
import java.util.Locale;

/** An account's subscription plan. Only paid plans get webhooks. */
public enum Plan {
    FREE, STANDARD, PROFESSIONAL;

    public boolean hasWebhooks() {
        return this != FREE;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Plan fromWire(String value) {
        return Arrays.stream(values())
                .filter(p -> p.wireName().equals(value))
                .findFirst()
                .orElseThrow(() -> new Problem.Invalid("invalid_plan",
                        "plan must be one of free, standard, professional (got '" + value + "')"));
    }
}
