package io.chatwire.policy;

import java.util.Optional;

/** A change to one optional setting, as a PATCH gives it: left out, set to null, or given a value. */
public sealed interface Edit<T> {
    record Keep<T>() implements Edit<T> {
    }

    record Clear<T>() implements Edit<T> {
    }

    record Set<T>(T value) implements Edit<T> {
    }

    static <T> Edit<T> keep() {
        return new Keep<>();
    }

    default Optional<T> applyTo(Optional<T> current) {
        return switch (this) {
            case Keep<T> k -> current;
            case Clear<T> c -> Optional.empty();
            case Set<T> s -> Optional.of(s.value());
        };
    }

    default Optional<T> given() {
        return this instanceof Set<T> s ? Optional.of(s.value()) : Optional.empty();
    }
}
