package io.chatwire.examples.history.browse;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The browse routes, by raw path: an id is one path segment, percent-decoded (so it may contain {@code /}). */
sealed interface Routes {
    record Leads() implements Routes {
    }

    record LeadById(String leadUuid) implements Routes {
    }

    record ConversationById(String conversationId) implements Routes {
    }

    /** {@code path} without the prefix, e.g. {@code /api}: {@code /}, {@code /leads/{id}}, {@code /conversations/{id}}. */
    static Optional<Routes> match(String path) {
        if (path.equals("/") || path.equals("/leads") || path.equals("/leads/")) {
            return Optional.of(new Leads());
        }
        return segment(path, "/leads/").<Routes>map(LeadById::new)
                .or(() -> segment(path, "/conversations/").map(ConversationById::new));
    }

    private static Optional<String> segment(String path, String prefix) {
        if (!path.startsWith(prefix)) {
            return Optional.empty();
        }
        String id = path.substring(prefix.length());
        if (id.isEmpty() || id.contains("/")) {
            return Optional.empty();
        }
        try {
            // URLDecoder reads "+" as a space, which in a path it is not.
            return Optional.of(URLDecoder.decode(id.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a malformed %-escape: no such page
        }
    }
}
