package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.ID;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.TIMESTAMP;
import static io.chatwire.verify.Fixtures.chatDataSignature;
import static io.chatwire.verify.Fixtures.standardSignature;
import static io.chatwire.verify.Fixtures.verifier;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    @Test
    void oneVerifierCanBeSharedAcrossThreads() throws InterruptedException, ExecutionException {
        WebhookVerifier shared = verifier(SECRET);
        List<Future<Boolean>> results = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int task = 0; task < 64; task++) {
                byte[] body = ("{\"n\":" + task + "}").getBytes(StandardCharsets.UTF_8);
                String chatData = chatDataSignature(SECRET, body);
                String standard = "v1," + standardSignature(SECRET, ID, TIMESTAMP, body);
                results.add(executor.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        shared.verifyChatData(body, chatData);
                        shared.verifyStandard(body, ID, TIMESTAMP, standard);
                    }
                    return true;
                }));
            }
        }
        for (Future<Boolean> result : results) {
            assertThat(result.get()).isTrue();
        }
    }
}
