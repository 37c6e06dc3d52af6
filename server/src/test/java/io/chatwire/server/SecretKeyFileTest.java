package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.signing.SecretCipher;
import io.chatwire.store.SecretsAtRest;
import io.chatwire.testing.CapturedLogs;
import io.chatwire.testing.RunningChatwire;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key that seals signing secrets can live away from the database ({@code CHATWIRE_SECRET_KEY_FILE}),
 * so that one copy of the data directory does not carry both; wherever it is, a key file others can
 * read is reported at start.
 */
class SecretKeyFileTest {
    @TempDir
    Path elsewhere;

    @Test
    void createsAMissingKeyFileOwnerOnlyWhereCHATWIRE_SECRET_KEY_FILESays() throws Exception {
        Path keyFile = elsewhere.resolve("keys").resolve("chatwire.key");
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_SECRET_KEY_FILE", keyFile.toString()))) {
            assertThat(keyFile).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
            assertThat(chatwire.dataDir().resolve("secret.key")).as("no key beside the database").doesNotExist();
            RunningChatwire.TestAccount account = chatwire.createAccount("standard");
            assertThat(openStoredSecret(chatwire, account, Files.readString(keyFile, StandardCharsets.US_ASCII)))
                    .isEqualTo(account.signingSecret());
        }
    }

    @Test
    void sealsSigningSecretsWithTheKeyInCHATWIRE_SECRET_KEY_FILE() throws Exception {
        String key = SecretCipher.generateKey();
        Path keyFile = elsewhere.resolve("chatwire.key");
        Files.writeString(keyFile, key + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_SECRET_KEY_FILE", keyFile.toString()))) {
            RunningChatwire.TestAccount account = chatwire.createAccount("standard");
            assertThat(openStoredSecret(chatwire, account, key)).isEqualTo(account.signingSecret());
            assertThat(Files.readString(keyFile, StandardCharsets.US_ASCII)).as("the key file is only read")
                    .isEqualTo(key + "\n");
        }
    }

    @Test
    void warnsAtStartWhenTheKeyFileIsReadableByOthers() throws Exception {
        String key = SecretCipher.generateKey();
        Path keyFile = elsewhere.resolve("secret.key");
        Files.writeString(keyFile, key + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        try (CapturedLogs logs = new CapturedLogs();
                RunningChatwire _ = RunningChatwire.start(Map.of("CHATWIRE_DATA_DIR", elsewhere.toString()))) {
            assertThat(logs.warnings()).as("warnings at start")
                    .anySatisfy(w -> assertThat(w).contains(keyFile.toString()).contains("chmod 600"))
                    .allSatisfy(w -> assertThat(w).doesNotContain(key));
        }
    }

    private static String openStoredSecret(RunningChatwire chatwire, RunningChatwire.TestAccount account, String key)
            throws Exception {
        try (Connection c = chatwire.openJdbc();
                PreparedStatement ps = c.prepareStatement("SELECT signing_secret FROM accounts WHERE id = ?")) {
            ps.setString(1, account.id());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                String stored = rs.getString(1);
                assertThat(SecretCipher.isSealed(stored)).as("stored sealed").isTrue();
                return SecretCipher.fromBase64(key).open(stored, SecretsAtRest.accountRow(account.id()));
            }
        }
    }
}
