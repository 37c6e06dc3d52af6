package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.network.Cidr;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** CHATWIRE_ALLOWED_TARGETS and CHATWIRE_REQUIRE_HTTPS: defaults, parsing, and a clear stop on a bad value. */
class NetworkSettingsTest {
    private static ChatwireConfig load(Map<String, String> env) {
        return ChatwireConfig.load(env, Optional.empty());
    }

    @Test
    void byDefaultNothingInternalIsAllowedAndHttpIsAccepted() {
        ChatwireConfig config = load(Map.of());

        assertThat(config.allowedTargets()).isEmpty();
        assertThat(config.requireHttps()).isFalse();
    }

    @Test
    void readsACommaSeparatedListOfIpv4AndIpv6Blocks() {
        ChatwireConfig config = load(Map.of("CHATWIRE_ALLOWED_TARGETS", " 127.0.0.0/8, 10.1.0.0/16 ,fd00::/8",
                "CHATWIRE_REQUIRE_HTTPS", "true"));

        assertThat(config.allowedTargets()).containsExactly(
                Cidr.parse("127.0.0.0/8"), Cidr.parse("10.1.0.0/16"), Cidr.parse("fd00::/8"));
        assertThat(config.requireHttps()).isTrue();
        assertThat(config.describe()).contains("allowedTargets=[127.0.0.0/8, 10.1.0.0/16, fd00::/8]", "requireHttps=true");
    }

    @Test
    void aBadEntryStopsTheStartNamingTheEntry() {
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_ALLOWED_TARGETS", "127.0.0.0/8,intranet.local")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CHATWIRE_ALLOWED_TARGETS")
                .hasMessageContaining("'intranet.local'");
    }

    @Test
    void anIpv4MappedEntryStopsTheStartNamingTheIpv4BlockToWrite() {
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_ALLOWED_TARGETS", "::ffff:127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CHATWIRE_ALLOWED_TARGETS")
                .hasMessageContaining("'::ffff:127.0.0.1'")
                .hasMessageContaining("write 127.0.0.1/32");
    }

    @Test
    void requireHttpsMustBeTrueOrFalse() {
        assertThatThrownBy(() -> load(Map.of("CHATWIRE_REQUIRE_HTTPS", "yes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CHATWIRE_REQUIRE_HTTPS");
    }
}
