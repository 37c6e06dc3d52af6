package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chatwire.account.Tokens;
import io.chatwire.signing.SecretCipher;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.DatabaseDump;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest, through the running server: a copy of the database (every cell read with plain
 * JDBC, and on SQLite the raw bytes of the file and its WAL) holds no signing secret, API key or
 * operator token; the tokens are there only as SHA-256 hashes; the key file is made 0600; a restart
 * on the same data keeps every delivery verifying; a wrong key stops the start; plaintext rows left
 * from before encryption are sealed at the next start.
 */
class SecretsAtRestTest {

    private record Made(String operatorToken, String apiKey, String extraApiKey, List<String> secrets,
            String chatbot, String accountId) {
        String[] needles() {
            List<String> n = new ArrayList<>(List.of(operatorToken, apiKey, extraApiKey));
            for (String s : secrets) {
                n.add(s);
                n.add(s.substring("whsec_".length()));
            }
            return n.toArray(String[]::new);
        }
    }

    /** An account with a rotated secret, a second API key, an endpoint with its own rotated secret. */
    private static Made populate(RunningChatwire chatwire, ApiClient operator, String operatorToken,
            TestReceiver receiver) {
        ApiClient.Response acct = operator.post("/v1/accounts", "{\"name\":\"Acme\",\"plan\":\"standard\"}");
        assertThat(acct.status()).as(acct.raw()).isEqualTo(201);
        String apiKey = acct.text("api_key");
        List<String> secrets = new ArrayList<>(List.of(acct.text("signing_secret")));
        ApiClient account = new ApiClient(chatwire.baseUrl(), apiKey);
        String extraKey = operator.post("/v1/accounts/" + acct.text("id") + "/api-keys", "").text("api_key");
        assertThat(extraKey).startsWith("cwk_");
        secrets.add(account.post("/v1/account/signing-secret/rotate", "").text("signing_secret"));
        String chatbot = account.post("/v1/chatbots", "{\"name\":\"Bot\"}").text("id");
        String shared = account.post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + receiver.url("/shared") + "\",\"events\":[\"chat\"]}").text("id");
        String own = account.post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + receiver.url("/own") + "\",\"events\":[\"chat\"]}").text("id");
        secrets.add(account.post("/v1/endpoints/" + own + "/secret/rotate", "").text("signing_secret"));
        secrets.add(account.post("/v1/endpoints/" + own + "/secret/rotate", "").text("signing_secret"));
        assertThat(shared).isNotBlank();
        return new Made(operatorToken, apiKey, extraKey, secrets, chatbot, acct.text("id"));
    }

    /** Posts one event and checks both deliveries verify with the secret the API shows for each. */
    private static void deliverAndVerify(RunningChatwire chatwire, ApiClient operator, Made made,
            TestReceiver receiver) throws Exception {
        int before = receiver.count();
        ApiClient.Response r = operator.post("/v1/events", RunningChatwire.chatEvent(made.chatbot(), "hello"));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() >= before + 2);
        ApiClient account = new ApiClient(chatwire.baseUrl(), made.apiKey());
        String accountSecret = account.get("/v1/account/signing-secret").text("signing_secret");
        for (TestReceiver.Received got : receiver.received().subList(before, before + 2)) {
            String secret = got.path().equals("/shared") ? accountSecret : made.secrets().getLast();
            WebhookVerifier verifier = WebhookVerifier.forSecret(secret);
            verifier.verifyStandard(got.body(), got.header("webhook-id"), got.header("webhook-timestamp"),
                    got.header("webhook-signature"));
            verifier.verifyChatData(got.body(), got.header("x-chat-data-hmac-sha256"));
        }
    }

    @Test
    void aCopyOfTheDatabaseHoldsNoSecretAndTokensOnlyAsHashes() throws Exception {
        try (TestReceiver receiver = TestReceiver.start();
                RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_ADMIN_TOKEN", ""))) {
            String token = chatwire.firstOperatorToken().orElseThrow();
            ApiClient operator = new ApiClient(chatwire.baseUrl(), token);
            Made made = populate(chatwire, operator, token, receiver);
            deliverAndVerify(chatwire, operator, made, receiver);

            List<String> cells = DatabaseDump.cells(chatwire);
            assertThat(String.join("\n", cells)).doesNotContain(made.needles());
            assertThat(cells).contains(Tokens.hash(made.apiKey()), Tokens.hash(made.extraApiKey()), Tokens.hash(token));
            assertThat(cells.stream().filter(c -> c.startsWith("v1:")).count())
                    .as("sealed secrets: account current + previous, endpoint current + previous").isEqualTo(4);
            if (chatwire.pgSchema().isEmpty()) {
                assertThat(databaseFileBytes(chatwire.dataDir())).doesNotContain(made.needles());
            }

            Path keyFile = chatwire.dataDir().resolve("secret.key");
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aRestartOnTheSameDataKeepsDeliveriesVerifyingAndAWrongKeyStopsTheStart() throws Exception {
        String key = SecretCipher.generateKey();
        try (TestReceiver receiver = TestReceiver.start()) {
            RunningChatwire first = RunningChatwire.start(Map.of("CHATWIRE_SECRET_KEY", key));
            try {
                Made made = populate(first, first.operator(), RunningChatwire.ADMIN_TOKEN, receiver);
                deliverAndVerify(first, first.operator(), made, receiver);
                assertThat(first.dataDir().resolve("secret.key")).as("no key file when the key is configured")
                        .doesNotExist();
                first.stopKeepingData();

                Map<String, String> sameData = sameData(first);
                sameData.put("CHATWIRE_SECRET_KEY", SecretCipher.generateKey());
                assertThatThrownBy(() -> RunningChatwire.start(sameData))
                        .isInstanceOf(SecretCipher.WrongKeyException.class)
                        .hasMessageContaining("CHATWIRE_SECRET_KEY");

                sameData.put("CHATWIRE_SECRET_KEY", key);
                try (RunningChatwire second = RunningChatwire.start(sameData)) {
                    deliverAndVerify(second, second.operator(), made, receiver);
                }
            } finally {
                first.close();
            }
        }
    }

    @Test
    void plaintextSecretsFromBeforeEncryptionAreSealedAtTheNextStartAndKeepWorking() throws Exception {
        try (TestReceiver receiver = TestReceiver.start()) {
            RunningChatwire first = RunningChatwire.start();
            try {
                Made made = populate(first, first.operator(), RunningChatwire.ADMIN_TOKEN, receiver);
                first.stopKeepingData();
                // What a database written before encryption holds: the secrets in the clear.
                String accountSecret = made.secrets().get(1);
                assertThat(DatabaseDump.update(first, "UPDATE accounts SET signing_secret = ?, "
                        + "previous_signing_secret = NULL WHERE id = ?", accountSecret, made.accountId())).isEqualTo(1);
                assertThat(DatabaseDump.update(first, "UPDATE endpoints SET secret = ?, previous_secret = NULL"
                        + " WHERE secret IS NOT NULL", made.secrets().getLast())).isEqualTo(1);
                assertThat(DatabaseDump.cells(first)).contains(accountSecret);

                try (RunningChatwire second = RunningChatwire.start(sameData(first))) {
                    assertThat(String.join("\n", DatabaseDump.cells(second))).doesNotContain(made.needles());
                    deliverAndVerify(second, second.operator(), made, receiver);
                    assertThat(new ApiClient(second.baseUrl(), made.apiKey()).get("/v1/account/signing-secret")
                            .text("signing_secret")).isEqualTo(accountSecret);
                }
            } finally {
                first.close();
            }
        }
    }

    /** Settings for a second start on the first one's data (and, on PostgreSQL, its schema). */
    private static Map<String, String> sameData(RunningChatwire first) {
        Map<String, String> settings = new HashMap<>();
        settings.put("CHATWIRE_DATA_DIR", first.dataDir().toString());
        first.pgSchema().ifPresent(schema -> settings.put("CHATWIRE_DB_SCHEMA", schema));
        return settings;
    }

    /** The SQLite file and its WAL as Latin-1 text (one char per byte), to search for secrets in. */
    private static String databaseFileBytes(Path dataDir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dataDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("chatwire.db")).toList()) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(sb).as("the database file").isNotEmpty();
        return sb.toString();
    }
}
