package io.chatwire.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An attempt's recorded request headers in the attempts table: a JSON object, or NULL for none. */
final class SentHeaders {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() {
    };

    private SentHeaders() {
    }

    static Optional<String> toColumn(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.writeValueAsString(headers));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    static Map<String, String> fromColumn(String column) {
        if (column == null || column.isEmpty()) {
            return Map.of();
        }
        try {
            return JSON.readValue(column, MAP);
        } catch (JsonProcessingException e) {
            // Written by toColumn only; a row that cannot be read shows no headers rather than failing the log.
            return Map.of();
        }
    }
}
