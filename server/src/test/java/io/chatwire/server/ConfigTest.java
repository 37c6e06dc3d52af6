package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration comes from the environment and an optional file, is validated at load, and never prints secrets. */
class ConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        ChatwireConfig c = ChatwireConfig.load(Map.of(), Optional.empty());
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dbUrl()).isEqualTo("jdbc:sqlite:" + Path.of("./data").resolve("chatwire.db"));
        assertThat(c.retrySchedule()).containsExactly(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
                Duration.ofHours(10));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.maxEventBytes()).isEqualTo(1024 * 1024);
        assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.adminToken()).isEmpty();
    }

    @Test
    void theEnvironmentWinsOverTheFile() throws IOException {
        Path file = dir.resolve("chatwire.conf");
        Files.writeString(file, "CHATWIRE_PORT=9001\nCHATWIRE_HOST=0.0.0.0\nCHATWIRE_RETRY_SCHEDULE=1s,2s\n");

        ChatwireConfig c = ChatwireConfig.load(Map.of("CHATWIRE_PORT", "9002"), Optional.of(file));

        assertThat(c.port()).isEqualTo(9002);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.retrySchedule()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void theDataDirectoryPlacesTheDefaultDatabase() {
        ChatwireConfig c = ChatwireConfig.load(Map.of("CHATWIRE_DATA_DIR", "/var/lib/chatwire"), Optional.empty());
        assertThat(c.dbUrl()).isEqualTo("jdbc:sqlite:/var/lib/chatwire/chatwire.db");
    }

    @Test
    void badSettingsStopTheStartWithAMessageNamingTheSetting() {
        assertThatThrownBy(() -> ChatwireConfig.load(Map.of("CHATWIRE_PORT", "eighty"), Optional.empty()))
                .hasMessageContaining("CHATWIRE_PORT");
        assertThatThrownBy(() -> ChatwireConfig.load(Map.of("CHATWIRE_RETRY_SCHEDULE", "5,10"), Optional.empty()))
                .hasMessageContaining("CHATWIRE_RETRY_SCHEDULE").hasMessageContaining("unit");
        assertThatThrownBy(() -> ChatwireConfig.load(Map.of("CHATWIRE_ADMIN_TOKEN", "short"), Optional.empty()))
                .hasMessageContaining("CHATWIRE_ADMIN_TOKEN");
        assertThatThrownBy(() -> ChatwireConfig.load(
                Map.of("CHATWIRE_LEASE", "10s", "CHATWIRE_REQUEST_TIMEOUT", "15s"), Optional.empty()))
                .hasMessageContaining("CHATWIRE_LEASE");
        assertThatThrownBy(() -> ChatwireConfig.load(Map.of(), Optional.of(dir.resolve("missing.conf"))))
                .hasMessageContaining("missing.conf");
    }

    @Test
    void theStartLineMasksTheAdminTokenAndDatabasePasswords() {
        ChatwireConfig c = ChatwireConfig.load(Map.of(
                "CHATWIRE_ADMIN_TOKEN", "super-secret-operator-token",
                "CHATWIRE_DB_URL", "jdbc:postgresql://db.internal:5432/chatwire?user=cw&password=hunter2hunter2"),
                Optional.empty());

        String line = c.describe();
        assertThat(line).doesNotContain("super-secret-operator-token").doesNotContain("hunter2");
        assertThat(line).contains("adminToken=***").contains("password=***");
        assertThat(c.toString()).doesNotContain("super-secret-operator-token");
    }

    @Test
    void eventsWithUnknownFieldsAreAcceptedUnlessStrictEventsIsOn() {
        assertThat(ChatwireConfig.load(Map.of(), Optional.empty()).strictEvents()).isFalse();
        assertThat(ChatwireConfig.load(Map.of("CHATWIRE_STRICT_EVENTS", "false"), Optional.empty()).strictEvents())
                .isFalse();
    }

    @Test
    void strictEventsTrueFromTheEnvironmentOrTheFileTurnsStrictnessOn() throws IOException {
        Path file = dir.resolve("chatwire.conf");
        Files.writeString(file, "CHATWIRE_STRICT_EVENTS=TRUE\n");

        assertThat(ChatwireConfig.load(Map.of("CHATWIRE_STRICT_EVENTS", "true"), Optional.empty()).strictEvents())
                .isTrue();
        assertThat(ChatwireConfig.load(Map.of(), Optional.of(file)).strictEvents()).isTrue();
        assertThat(ChatwireConfig.load(Map.of("CHATWIRE_STRICT_EVENTS", "false"), Optional.of(file)).strictEvents())
                .as("the environment wins").isFalse();
    }

    @Test
    void strictEventsOtherThanTrueOrFalseStopsTheStartNamingTheSetting() {
        for (String value : new String[] {"yes", "1", "on", "strict"}) {
            assertThatThrownBy(() -> ChatwireConfig.load(Map.of("CHATWIRE_STRICT_EVENTS", value), Optional.empty()))
                    .as(value).hasMessageContaining("CHATWIRE_STRICT_EVENTS").hasMessageContaining(value);
        }
    }

    @Test
    void theStartLineSaysWhetherEventsAreStrict() {
        assertThat(ChatwireConfig.load(Map.of("CHATWIRE_STRICT_EVENTS", "true"), Optional.empty()).describe())
                .contains("strictEvents=true");
        assertThat(ChatwireConfig.load(Map.of(), Optional.empty()).describe()).contains("strictEvents=false");
    }

    @Test
    void theSecretKeyFileSettingPlacesTheKeyFileAnywhere() {
        ChatwireConfig c = ChatwireConfig.load(Map.of("CHATWIRE_DATA_DIR", "/var/lib/chatwire",
                "CHATWIRE_SECRET_KEY_FILE", "/etc/chatwire/secret.key"), Optional.empty());
        assertThat(c.secretKeyFile()).isEqualTo(Path.of("/etc/chatwire/secret.key"));
        assertThat(c.describe()).contains("/etc/chatwire/secret.key");
        assertThat(ChatwireConfig.load(Map.of("CHATWIRE_DATA_DIR", "/var/lib/chatwire"), Optional.empty())
                .secretKeyFile()).as("the default").isEqualTo(Path.of("/var/lib/chatwire/secret.key"));
    }

    @Test
    void refusesASecretKeyAndASecretKeyFileTogether() {
        assertThatThrownBy(() -> ChatwireConfig.load(Map.of(
                "CHATWIRE_SECRET_KEY", io.chatwire.signing.SecretCipher.generateKey(),
                "CHATWIRE_SECRET_KEY_FILE", dir.resolve("secret.key").toString()), Optional.empty()))
                .hasMessageContaining("CHATWIRE_SECRET_KEY_FILE").hasMessageContaining("not both");
    }

    @Test
    void refusesASecretKeyFileThatIsADirectory() {
        assertThatThrownBy(() -> ChatwireConfig.load(Map.of("CHATWIRE_SECRET_KEY_FILE", dir.toString()), Optional.empty()))
                .hasMessageContaining("CHATWIRE_SECRET_KEY_FILE").hasMessageContaining("directory");
    }

    @Test
    void unrelatedEnvironmentVariablesAreIgnored() {
        ChatwireConfig c = ChatwireConfig.load(Map.of("PORT", "1", "HOME", "/root"), Optional.empty());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(List.of(c.describe())).noneMatch(s -> s.contains("/root"));
    }
}
