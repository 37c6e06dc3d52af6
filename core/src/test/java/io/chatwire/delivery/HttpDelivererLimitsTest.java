package io.chatwire.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.network.Cidr;
import io.chatwire.network.TargetGuard;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A receiver cannot hold an attempt hostage: a huge answer is cut at the cap, a slow one at the timeout. */
class HttpDelivererLimitsTest {
    private static final DeliveryContentType JSON = DeliveryContentType.APPLICATION_JSON;
    private static final byte[] BODY = "{\"event\":\"chat\"}".getBytes(StandardCharsets.UTF_8);
    private static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(1);

    private final HttpDeliverer deliverer = new HttpDeliverer(new HttpDeliverer.Settings(Duration.ofSeconds(1),
            TOTAL_TIMEOUT, 64 * 1024, "Chatwire-test", new TargetGuard(List.of(Cidr.parse("127.0.0.0/8")), false)));

    @AfterEach
    void close() {
        deliverer.close();
    }

    @Test
    void aTenMegabyteAnswerIsCutAndTheStatusKept() {
        Duration generous = Duration.ofSeconds(30);
        try (TestReceiver receiver = TestReceiver.start()
                .answering(TestReceiver.Answer.status(201).withBody("x".repeat(10 * 1024 * 1024)));
             HttpDeliverer patient = new HttpDeliverer(new HttpDeliverer.Settings(Duration.ofSeconds(1), generous,
                     64 * 1024, "Chatwire-test", new TargetGuard(List.of(Cidr.parse("127.0.0.0/8")), false)))) {
            long start = System.nanoTime();

            AttemptResult result = patient.post(receiver.url(), JSON, Map.of(), BODY);

            // Done long before the timeout: the cap, not the clock, ended the exchange.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(result).isInstanceOfSatisfying(AttemptResult.Answered.class, a -> {
                assertThat(a.status()).isEqualTo(201);
                assertThat(a.body()).hasSize(HttpDeliverer.RECORDED_BODY_BYTES);
            });
        }
    }

    @Test
    void aReceiverTricklingItsHeadersIsCutAtTheTotalTimeout() throws Exception {
        try (Trickler trickler = new Trickler("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: "
                + "z".repeat(1000))) {
            AttemptResult result = deliverer.post(trickler.url(), JSON, Map.of(), BODY);

            assertThat(result).isInstanceOfSatisfying(AttemptResult.NotAnswered.class,
                    n -> assertThat(n.kind()).isEqualTo(ErrorKind.TIMEOUT));
            assertThat(result.latency()).isBetween(TOTAL_TIMEOUT.minusMillis(100), TOTAL_TIMEOUT.plusSeconds(1));
        }
    }

    @Test
    void aReceiverTricklingItsBodyIsCutAtTheTotalTimeoutAndTheStatusKept() throws Exception {
        try (Trickler trickler = new Trickler("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                + "b".repeat(100_000), "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".length())) {
            AttemptResult result = deliverer.post(trickler.url(), JSON, Map.of(), BODY);

            assertThat(result).isInstanceOfSatisfying(AttemptResult.Answered.class,
                    a -> assertThat(a.status()).isEqualTo(200));
            assertThat(result.latency()).isBetween(TOTAL_TIMEOUT.minusMillis(100), TOTAL_TIMEOUT.plusSeconds(1));
        }
    }

    /** A raw loopback server that writes its answer one byte every 50 ms after the first {@code burst} bytes. */
    private static final class Trickler implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;

        Trickler(String answer) throws IOException {
            this(answer, 0);
        }

        Trickler(String answer, int burst) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            byte[] bytes = answer.getBytes(StandardCharsets.US_ASCII);
            thread = Thread.ofVirtual().start(() -> {
                try (Socket socket = server.accept()) {
                    readRequestHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write(bytes, 0, burst);
                    out.flush();
                    for (int i = burst; i < bytes.length; i++) {
                        out.write(bytes[i]);
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException closed) {
                    // The client hung up (as it should) or the test is over.
                }
            });
        }

        private static void readRequestHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int b; matched < end.length && (b = in.read()) >= 0; ) {
                matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/hook");
        }

        @Override
        public void close() throws IOException {
            server.close();
            thread.interrupt();
        }
    }
}
