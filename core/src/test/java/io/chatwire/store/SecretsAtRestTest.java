package io.chatwire.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.account.Account;
import io.chatwire.account.AccountStore;
import io.chatwire.account.NewAccount;
import io.chatwire.account.Plan;
import io.chatwire.account.Tokens;
import io.chatwire.endpoint.ChatbotStore;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.EventType;
import io.chatwire.signing.SecretCipher;
import io.chatwire.signing.SecretSet;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing secrets at rest, at the store level: what the SQLite file holds, plaintext rows sealed at
 * open, a wrong key refused at open, and a ciphertext moved to another row refused on read.
 */
class SecretsAtRestTest {
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path dir;

    private String url() {
        return "jdbc:sqlite:" + dir.resolve("t.db");
    }

    private record Setup(NewAccount account, Endpoint endpoint, SecretSet accountSecrets, SecretSet endpointSecrets) {
        List<String> secrets() {
            List<String> all = new ArrayList<>(List.of(account.account().signingSecret().value(),
                    accountSecrets.current().value(), accountSecrets.previous().orElseThrow().value(),
                    endpointSecrets.current().value(), endpointSecrets.previous().orElseThrow().value()));
            return all;
        }
    }

    private static Setup populate(Database db) {
        AccountStore accounts = new AccountStore(db, CLOCK);
        NewAccount account = accounts.create("Acme", Plan.STANDARD);
        String id = account.account().id();
        SecretSet rotated = accounts.rotateSecret(id, Duration.ofHours(1));
        new ChatbotStore(db, CLOCK).create(id, Optional.of("bot_1"), "Support");
        EndpointStore endpoints = new EndpointStore(db, CLOCK);
        Endpoint endpoint = endpoints.create(id, "bot_1", new EndpointStore.Spec(
                URI.create("https://hooks.example.test/a"), DeliveryContentType.TEXT_PLAIN, Set.of(EventType.CHAT), "", true));
        SecretSet own = endpoints.rotateOwnSecret(id, endpoint.id(), Duration.ofHours(1));
        return new Setup(account, endpoint, rotated, own);
    }

    @Test
    void theDatabaseFileHoldsNoSigningSecretNorApiKeyInTheClear() throws Exception {
        SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKey());
        Setup s;
        try (Database db = Database.open(url(), "", cipher)) {
            s = populate(db);
            assertThat(fileText()).as("while open (WAL)").doesNotContain(needles(s));
            // Everything still reads back as it was made.
            AccountStore accounts = new AccountStore(db, CLOCK);
            Account read = accounts.get(s.account().account().id());
            assertThat(read.secrets().current()).isEqualTo(s.accountSecrets().current());
            assertThat(read.secrets().previous()).isEqualTo(s.accountSecrets().previous());
            assertThat(new EndpointStore(db, CLOCK).ownSecret(read.id(), s.endpoint().id()))
                    .contains(s.endpointSecrets());
            assertThat(accounts.findByApiKey(s.account().apiKey())).map(Account::id).contains(read.id());
        }
        assertThat(fileText()).as("after close").doesNotContain(needles(s));
        List<String> cells = jdbcDump();
        assertThat(String.join("\n", cells)).doesNotContain(needles(s));
        assertThat(cells).anyMatch(c -> c.startsWith("v1:"));
        // The API key is there only as its SHA-256.
        assertThat(cells).contains(Tokens.hash(s.account().apiKey()));
    }

    @Test
    void plaintextRowsFromBeforeEncryptionAreSealedAtOpenAndStillWork() throws Exception {
        Setup s;
        try (Database plain = Database.open(url(), "")) {
            s = populate(plain);
        }
        assertThat(fileText()).contains(s.accountSecrets().current().value());
        SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKey());
        try (Database db = Database.open(url(), "", cipher)) {
            String id = s.account().account().id();
            assertThat(new AccountStore(db, CLOCK).get(id).secrets()).isEqualTo(s.accountSecrets());
            assertThat(new EndpointStore(db, CLOCK).ownSecret(id, s.endpoint().id())).contains(s.endpointSecrets());
            SecretSet signing = db.read(c -> EndpointStore.signingSecrets(c, db.cipher(), id, s.endpoint().id()));
            assertThat(signing).isEqualTo(s.endpointSecrets());
        }
        assertThat(String.join("\n", jdbcDump())).doesNotContain(needles(s));
        // Sealing is done once: a second open finds nothing left to seal.
        try (Database db = Database.open(url(), "", cipher)) {
            assertThat(SecretsAtRest.sealAndCheck(db)).isZero();
        }
    }

    @Test
    void aWrongKeyStopsTheOpenWithAMessage() {
        try (Database db = Database.open(url(), "", SecretCipher.fromBase64(SecretCipher.generateKey()))) {
            populate(db);
        }
        assertThatThrownBy(() -> Database.open(url(), "", SecretCipher.fromBase64(SecretCipher.generateKey())))
                .isInstanceOf(SecretCipher.WrongKeyException.class)
                .hasMessageContaining("CHATWIRE_SECRET_KEY");
        assertThatThrownBy(() -> {
            try (Database db = Database.open(url(), "")) {
                new AccountStore(db, CLOCK).list();
            }
        }).isInstanceOf(SecretCipher.WrongKeyException.class).hasMessageContaining("without a secret key");
    }

    @Test
    void aSecretCopiedIntoAnotherAccountsRowDoesNotDecryptThere() throws Exception {
        SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKey());
        try (Database db = Database.open(url(), "", cipher)) {
            AccountStore accounts = new AccountStore(db, CLOCK);
            Account victim = accounts.create("Victim", Plan.STANDARD).account();
            Account attacker = accounts.create("Attacker", Plan.STANDARD).account();
            db.write(c -> Jdbc.update(c, "UPDATE accounts SET signing_secret = (SELECT signing_secret FROM accounts"
                    + " WHERE id = ?) WHERE id = ?", victim.id(), attacker.id()));
            assertThatThrownBy(() -> accounts.get(attacker.id()))
                    .isInstanceOf(SecretCipher.WrongKeyException.class)
                    .hasMessageContaining(attacker.id());
            assertThat(accounts.get(victim.id()).signingSecret()).isEqualTo(victim.signingSecret());
        }
    }

    private static String[] needles(Setup s) {
        List<String> n = new ArrayList<>();
        for (String secret : s.secrets()) {
            n.add(secret);
            n.add(secret.substring("whsec_".length()));
        }
        n.add(s.account().apiKey());
        return n.toArray(String[]::new);
    }

    /** The bytes of the database file and its WAL, as Latin-1 so every byte maps to one char. */
    private String fileText() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("t.db")).toList()) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    /** Every cell of every table, read with plain JDBC. */
    private List<String> jdbcDump() throws SQLException {
        List<String> cells = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url())) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME"));
                }
            }
            assertThat(tables).contains("accounts", "endpoints", "api_keys");
            for (String t : tables) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + t + "\"")) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            cells.add(String.valueOf(rs.getString(i)));
                        }
                    }
                }
            }
        }
        return cells;
    }
}
