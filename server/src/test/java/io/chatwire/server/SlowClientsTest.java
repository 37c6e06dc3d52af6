package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.Waits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Slow clients (slowloris): the headers of a request must arrive within CHATWIRE_HEADER_TIMEOUT,
 * however steadily they trickle, and at most CHATWIRE_MAX_CONNECTIONS connections are held at once.
 * Real sockets against a real server with a one-second header timeout.
 */
class SlowClientsTest {
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);
    /** Far past the timeout, well short of Jetty's 30-second idle timeout that each byte resets. */
    private static final Duration GIVE_UP = Duration.ofSeconds(6);
    private static final byte[] HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: chatwire\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private RunningChatwire chatwire;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(Map<String, String> settings) {
        chatwire = RunningChatwire.start(settings);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (chatwire != null) {
            chatwire.close();
        }
    }

    private Socket connect() throws IOException {
        URI base = URI.create(chatwire.baseUrl());
        Socket s = new Socket(base.getHost(), base.getPort());
        sockets.add(s);
        return s;
    }

    @Test
    void aConnectionWhoseHeadersTrickleInIsClosedAtTheTimeout() throws IOException {
        start(Map.of("CHATWIRE_HEADER_TIMEOUT", "1s"));
        Socket s = connect();
        long started = System.nanoTime();
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: chatwire\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));

        Trickle trickle = trickleUntilClosed(s);

        Duration open = Duration.ofNanos(System.nanoTime() - started);
        assertThat(trickle.closed()).as("still open after %s of trickling", open).isTrue();
        assertThat(trickle.answer()).as("nothing is answered: there is no request yet").isEmpty();
        assertThat(open).isBetween(HEADER_TIMEOUT.minusMillis(100), HEADER_TIMEOUT.plusSeconds(2));
    }

    @Test
    void theNextRequestOnAKeptAliveConnectionMustAlsoArriveInTime() throws IOException {
        start(Map.of("CHATWIRE_HEADER_TIMEOUT", "1s"));
        Socket s = connect();
        s.getOutputStream().write(HEALTHZ);
        assertThat(readResponse(s)).startsWith("HTTP/1.1 200");

        long started = System.nanoTime();
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: chatwire\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        Trickle trickle = trickleUntilClosed(s);

        Duration open = Duration.ofNanos(System.nanoTime() - started);
        assertThat(trickle.closed()).as("still open after %s of trickling", open).isTrue();
        assertThat(open).isBetween(HEADER_TIMEOUT.minusMillis(100), HEADER_TIMEOUT.plusSeconds(2));
    }

    /** The fix must not cut a kept-alive connection that is merely quiet between two requests. */
    @Test
    void aPromptClientIsAnsweredEvenAfterIdlingLongerThanTheTimeout() throws IOException {
        start(Map.of("CHATWIRE_HEADER_TIMEOUT", "1s"));
        Socket s = connect();
        s.getOutputStream().write(HEALTHZ);
        assertThat(readResponse(s)).startsWith("HTTP/1.1 200");

        Waits.sleep(HEADER_TIMEOUT.multipliedBy(2));
        s.getOutputStream().write(HEALTHZ);

        assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
    }

    @Test
    void pastMaxConnectionsNewClientsWaitUntilTheHeldOnesAreCut() throws IOException {
        start(Map.of("CHATWIRE_HEADER_TIMEOUT", "1s", "CHATWIRE_MAX_CONNECTIONS", "3"));
        for (int i = 0; i < 3; i++) {
            connect().getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        Waits.sleep(Duration.ofMillis(200));

        long started = System.nanoTime();
        Socket prompt = connect();
        prompt.getOutputStream().write(HEALTHZ);
        String answer = readResponse(prompt);

        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(waited).as("served only once the three held connections were cut")
                .isBetween(HEADER_TIMEOUT.minusMillis(500), HEADER_TIMEOUT.plusSeconds(3));
    }

    private record Trickle(boolean closed, String answer) {
    }

    /** Sends a header byte every 200 ms until the server ends the connection or GIVE_UP passes. */
    private static Trickle trickleUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(200);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        while (System.nanoTime() < giveUp) {
            try {
                s.getOutputStream().write('a');
                int b = in.read();
                if (b < 0) {
                    return new Trickle(true, answer.toString(StandardCharsets.ISO_8859_1));
                }
                answer.write(b);
            } catch (SocketTimeoutException stillOpen) {
                // Nothing from the server yet: send the next byte.
            } catch (IOException reset) {
                return new Trickle(true, answer.toString(StandardCharsets.ISO_8859_1));
            }
        }
        return new Trickle(false, answer.toString(StandardCharsets.ISO_8859_1));
    }

    /** One HTTP/1.1 response with a Content-Length body, read off a kept-alive connection. */
    private static String readResponse(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = headers.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .map(l -> Integer.parseInt(l.substring(15).strip())).findFirst().orElse(0);
        return headers + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
