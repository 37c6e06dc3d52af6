package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import io.chatwire.signing.SecretCipher;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs a representative flow with every log record captured (a list appender on the root logger,
 * Chatwire's own loggers at DEBUG, the rest at their configured levels), then checks that no signing
 * secret, API key, operator token, secret key or full signature appears anywhere in it: not in a
 * message, an argument, an exception or a cause. The flow: accounts and keys made, secrets rotated,
 * endpoints with their own secrets, deliveries that succeed, fail with an error status (from a
 * receiver that echoes the signed headers back), time out and find no listener; authentication with
 * wrong, doubled and misplaced credentials; bodies carrying secrets in wrong places. The attempt log
 * must not hold a full signature either, even from the echoing receiver.
 */
class NoSecretsInLogsTest {

    @Test
    void noSecretReachesTheLogsOrTheAttemptLog() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger chatwireLoggers = (Logger) LoggerFactory.getLogger("io.chatwire");
        Level before = chatwireLoggers.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        chatwireLoggers.setLevel(Level.DEBUG);
        Set<String> needles = new LinkedHashSet<>();
        List<String> signatures = new ArrayList<>();
        String attemptLog;
        String secretKey = SecretCipher.generateKey();
        needles.add(secretKey);
        needles.add(RunningChatwire.ADMIN_TOKEN);
        try (TestReceiver ok = TestReceiver.start();
                TestReceiver echo = TestReceiver.start();
                TestReceiver slow = TestReceiver.start();
                RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_SECRET_KEY", secretKey))) {
            echo.answering(n -> {
                TestReceiver.Received r = echo.received().get(n - 1);
                // Echoes every request header back, as a debugging receiver might; JSON-escaped like PHP does.
                String headers = r.headers().entrySet().stream()
                        .map(e -> "\"" + e.getKey() + "\":\"" + String.join(",", e.getValue()).replace("/", "\\/") + "\"")
                        .collect(Collectors.joining(",", "{", "}"));
                return TestReceiver.Answer.status(500).withBody(headers);
            });
            slow.answering(TestReceiver.Answer.status(200).after(Duration.ofSeconds(3)));
            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }

            TestAccount account = chatwire.createAccount("standard");
            needles.add(account.apiKey());
            needles.add(account.signingSecret());
            ApiClient.Response extra = chatwire.operator().post("/v1/accounts/" + account.id() + "/api-keys", "");
            needles.add(extra.text("api_key"));
            needles.add(account.api().post("/v1/account/signing-secret/rotate", "").text("signing_secret"));
            String chatbot = chatwire.createChatbot(account);
            chatwire.createEndpoint(account, chatbot, ok.url().toString(), "[\"chat\"]", true);
            String echoing = chatwire.createEndpoint(account, chatbot, echo.url().toString(), "[\"chat\"]", true);
            needles.add(account.api().post("/v1/endpoints/" + echoing + "/secret/rotate", "").text("signing_secret"));
            chatwire.createEndpoint(account, chatbot, slow.url().toString(), "[\"chat\"]", true);
            String second = chatwire.createChatbot(account);
            chatwire.createEndpoint(account, second, "http://127.0.0.1:" + closedPort + "/gone", "[\"chat\"]", true);

            for (int i = 0; i < 3; i++) {
                chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "question " + i));
                chatwire.postEvent(RunningChatwire.chatEvent(second, "question " + i));
            }
            account.api().post("/v1/endpoints/" + echoing + "/test", "");

            // Wrong credentials of every kind.
            String key = account.apiKey();
            String wrongKey = key.substring(0, key.length() - 1) + (key.endsWith("a") ? "b" : "a");
            List<String> tokens = List.of(wrongKey, RunningChatwire.ADMIN_TOKEN + "x", account.signingSecret(),
                    "cwop_" + key.substring(4), "Basic " + key);
            for (String t : tokens) {
                account.api().as(t).get("/v1/account");
                account.api().as(t).post("/v1/events", RunningChatwire.chatEvent(chatbot, "x"));
            }
            account.api().post("/v1/accounts", "{\"name\":\"x\",\"plan\":\"standard\"}"); // key on an operator route
            chatwire.operator().get("/v1/account"); // operator token on an account route
            // Secrets in the wrong places of bodies, headers and paths.
            account.api().post("/v1/chatbots", "{\"name\":\"" + account.signingSecret() + "\",\"" + key + "\":1}");
            account.api().post("/v1/chatbots", "{\"name\":" + "[".repeat(100));
            chatwire.operator().post("/v1/events", "{\"event\":\"chat\",\"chatbot_id\":\"" + key + "\"}");
            chatwire.operator().post("/v1/events", "{\"event\":\"" + account.signingSecret() + "\"}",
                    "Idempotency-Key", key);
            chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "dup"), "Idempotency-Key", key);
            chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "other"), "Idempotency-Key", key);
            account.api().get("/v1/endpoints/" + key);
            account.api().get("/v1/events?cursor=" + key + "&chatbot_id=" + key);
            account.api().patch("/v1/endpoints/" + echoing, "{\"url\":\"http://10.0.0.1/" + key + "\"}");

            // Every delivery reaches its end (three attempts at most, 200 ms apart; the slow one times out).
            await().atMost(Duration.ofSeconds(30)).until(() -> chatwire.operator().as(account.apiKey())
                    .get("/v1/deliveries?status=pending").json().path("data").isEmpty());
            for (TestReceiver r : List.of(ok, echo, slow)) {
                for (TestReceiver.Received got : r.received()) {
                    signatures.add(got.header("x-chat-data-hmac-sha256"));
                    for (String s : got.header("webhook-signature").split(" ")) {
                        signatures.add(s.substring(3));
                    }
                }
            }
            assertThat(echo.count()).isGreaterThanOrEqualTo(3);
            attemptLog = account.api().get("/v1/attempts?limit=200").raw()
                    + account.api().get("/v1/deliveries?limit=200").raw();
            assertThat(attemptLog).contains("[redacted]").contains("http_status").contains("timeout")
                    .contains("connect");
        } finally {
            root.detachAppender(captured);
            chatwireLoggers.setLevel(before);
        }

        String logs = captured.list.stream().map(NoSecretsInLogsTest::render).collect(Collectors.joining("\n"));
        assertThat(captured.list).as("the flow logs something (the start line at least)").isNotEmpty();
        assertThat(logs).contains("starting Chatwire");
        for (String needle : needles) {
            assertThat(logs).as("logs hold a secret").doesNotContain(needle);
            if (needle.startsWith("whsec_")) {
                assertThat(logs).doesNotContain(needle.substring(6));
            }
        }
        for (String signature : signatures) {
            assertThat(logs).as("logs hold a signature").doesNotContain(signature);
            assertThat(attemptLog).as("the attempt log holds a signature").doesNotContain(signature)
                    .doesNotContain(signature.replace("/", "\\/"));
        }
        for (String needle : needles) {
            assertThat(attemptLog).doesNotContain(needle);
        }
    }

    /** Everything a log line can carry: message, arguments, MDC, and every exception in the chain. */
    private static String render(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
        if (e.getArgumentArray() != null) {
            for (Object a : e.getArgumentArray()) {
                sb.append(" | ").append(a);
            }
        }
        sb.append(" ").append(e.getMDCPropertyMap());
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append("\n").append(t.getClassName()).append(": ").append(t.getMessage());
            for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                sb.append("\n  ").append(frame);
            }
        }
        return sb.toString();
    }
}
