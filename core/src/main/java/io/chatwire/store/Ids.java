package io.chatwire.store;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/**
 * Identifiers: a type prefix and a UUIDv7 in lower-case hex. UUIDv7 starts with the time, so ids sort
 * by creation and make stable pagination cursors; the prefix tells a reader what an id names.
 */
public final class Ids {
    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private Ids() {
    }

    public static String newId(String prefix) {
        return prefix + "_" + GENERATOR.generate().toString().replace("-", "");
    }
}
