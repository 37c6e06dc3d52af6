package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.signing.SecretCipher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The settings of issue 5's limits and secrets: defaults, validation, and masking in the start line. */
class SecuritySettingsTest {
    private static ChatwireConfig load(Map<String, String> env) {
        return ChatwireConfig.load(env, Optional.empty());
    }

    @Test
    void defaults() {
        ChatwireConfig c = load(Map.of("CHATWIRE_DATA_DIR", "/var/lib/chatwire"));
        assertThat(c.secretKey()).isEmpty();
        assertThat(c.secretKeyFile()).isEqualTo(Path.of("/var/lib/chatwire/secret.key"));
        assertThat(c.ingestRate()).isEqualTo(500);
        assertThat(c.ingestBurst()).isEqualTo(1000);
        assertThat(c.endpointConcurrency()).isEqualTo(64);
        assertThat(c.authFailureLimit()).isEqualTo(20);
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.onDemandRate()).isEqualTo(10);
        assertThat(c.onDemandBurst()).isEqualTo(60);
    }

    @Test
    void trustedProxiesAreCidrsAndABadOneStopsTheStart() {
        ChatwireConfig c = load(Map.of("CHATWIRE_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32,192.0.2.7"));
        assertThat(c.trustedProxies()).extracting(Object::toString)
                .containsExactly("10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32");
        assertThat(c.describe()).contains("trustedProxies=[10.0.0.0/8");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")))
                .hasMessageContaining("CHATWIRE_TRUSTED_PROXIES").hasMessageContaining("proxy.internal");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_TRUSTED_PROXIES", "10.0.0.0/33")))
                .hasMessageContaining("CHATWIRE_TRUSTED_PROXIES");
    }

    @Test
    void theOnDemandQuotaMustNotBeNegativeAndZeroMeansNoLimit() {
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_ON_DEMAND_RATE", "-1")))
                .hasMessageContaining("CHATWIRE_ON_DEMAND_RATE");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_ON_DEMAND_BURST", "-1")))
                .hasMessageContaining("CHATWIRE_ON_DEMAND_BURST");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_ON_DEMAND_RATE", "ten")))
                .hasMessageContaining("CHATWIRE_ON_DEMAND_RATE").hasMessageContaining("whole number");
        assertThat(load(Map.of("CHATWIRE_ON_DEMAND_RATE", "0")).describe()).contains("onDemandRate=unlimited");
        assertThat(load(Map.of("CHATWIRE_ON_DEMAND_RATE", "2", "CHATWIRE_ON_DEMAND_BURST", "5")).describe())
                .contains("onDemandRate=2/s burst 5");
    }

    @Test
    void theSecretKeyIsValidatedAndNeverPrinted() {
        String key = SecretCipher.generateKey();
        ChatwireConfig c = load(Map.of("CHATWIRE_SECRET_KEY", key, "CHATWIRE_INGEST_RATE", "10"));
        assertThat(c.secretKey()).contains(key);
        assertThat(c.ingestBurst()).as("burst defaults to twice the rate").isEqualTo(20);
        assertThat(c.describe()).doesNotContain(key).contains("secretKey=***");
        assertThat(c.toString()).doesNotContain(key);
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_SECRET_KEY", "c2hvcnQ=")))
                .hasMessageContaining("CHATWIRE_SECRET_KEY").hasMessageContaining("openssl rand -base64 32")
                .hasMessageNotContaining("c2hvcnQ=");
    }

    @Test
    void limitsMustBeSane() {
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_INGEST_RATE", "-1"))).hasMessageContaining("CHATWIRE_INGEST_RATE");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_ENDPOINT_CONCURRENCY", "0")))
                .hasMessageContaining("CHATWIRE_ENDPOINT_CONCURRENCY");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_AUTH_FAILURE_LIMIT", "-5")))
                .hasMessageContaining("CHATWIRE_AUTH_FAILURE_LIMIT");
        assertThat(load(Map.of("CHATWIRE_INGEST_RATE", "0", "CHATWIRE_AUTH_FAILURE_LIMIT", "0")).describe())
                .contains("ingestRate=unlimited").contains("authFailureLimit=off");
    }

    @Test
    void headersMustArriveWithinTenSecondsAndTenThousandConnectionsAreHeldByDefault() {
        ChatwireConfig c = load(Map.of());
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxConnections()).isEqualTo(10_000);
        assertThat(load(Map.of("CHATWIRE_HEADER_TIMEOUT", "1500ms", "CHATWIRE_MAX_CONNECTIONS", "50")).describe())
                .contains("headerTimeout=PT1.5S", "maxConnections=50");
    }

    @Test
    void theHeaderTimeoutAndConnectionLimitMustBePositive() {
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_HEADER_TIMEOUT", "0s"))).hasMessageContaining("CHATWIRE_HEADER_TIMEOUT");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_HEADER_TIMEOUT", "10"))).hasMessageContaining("CHATWIRE_HEADER_TIMEOUT");
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_MAX_CONNECTIONS", "0"))).hasMessageContaining("CHATWIRE_MAX_CONNECTIONS");
    }
}
