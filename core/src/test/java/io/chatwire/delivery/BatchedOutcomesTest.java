package io.chatwire.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchedOutcomesTest {
    @Test
    void chunksCoverEveryRowInOrderWithFewStatementsOfFewSizes() {
        for (int n = 0; n <= 300; n++) {
            List<Integer> rows = IntStream.range(0, n).boxed().toList();

            List<List<Integer>> chunks = BatchedOutcomes.chunks(rows);

            assertThat(chunks.stream().flatMap(List::stream).toList()).isEqualTo(rows);
            assertThat(chunks).allSatisfy(c -> assertThat(c.size()).isIn(1, 2, 4, 8, 16, 32, 64));
            assertThat(chunks.size()).isLessThanOrEqualTo(n / 64 + 6);
        }
    }
}
