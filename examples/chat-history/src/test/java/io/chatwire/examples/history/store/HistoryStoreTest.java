package io.chatwire.examples.history.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.examples.history.event.HistoryEvent;
import io.chatwire.examples.history.event.Turn;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transcript rules on a real SQLite file, without HTTP. */
class HistoryStoreTest {
    @TempDir
    Path dir;

    @Test
    void aLongerHistoryThatDiffersReplacesTheStoredTurnsFromWhereTheyDiffer() {
        try (HistoryStore store = HistoryStore.open(dir.resolve("h.db"), Clock.systemUTC())) {
            store.record("e1", chat(turn("user", "Hi"), turn("assistant", "Hello")));

            Recorded r = store.record("e2", chat(turn("user", "Hi"), turn("assistant", "Hello, edited"),
                    turn("user", "Ok"), turn("assistant", "Bye")));

            assertThat(r).isEqualTo(new Recorded.Stored(3));
            assertThat(store.conversation("c1").orElseThrow().turns()).extracting(Turn::content)
                    .containsExactly("Hi", "Hello, edited", "Ok", "Bye");
        }
    }

    @Test
    void theHistoryAndTheSeenDeliveriesSurviveAReopen() {
        Path file = dir.resolve("h.db");
        try (HistoryStore store = HistoryStore.open(file, Clock.systemUTC())) {
            store.record("e1", chat(turn("user", "Hi"), turn("assistant", "Hello")));
        }
        try (HistoryStore store = HistoryStore.open(file, Clock.systemUTC())) {
            assertThat(store.record("e1", chat(turn("user", "Hi"), turn("assistant", "Hello"))))
                    .isEqualTo(new Recorded.Duplicate());
            assertThat(store.conversation("c1").orElseThrow().turns()).hasSize(2);
        }
    }

    private static Turn turn(String role, String content) {
        return new Turn(role, content, Optional.empty());
    }

    private static HistoryEvent.Chat chat(Turn... transcript) {
        return new HistoryEvent.Chat("bot", Optional.of("c1"), Optional.empty(), "widget", List.of(transcript));
    }
}
