package io.chatwire.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.server.ChatwireConfig;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The operator's portal settings: who may frame the portal, and where browsers reach it. */
class PortalSettingsTest {
    private static ChatwireConfig load(Map<String, String> env) {
        return ChatwireConfig.load(env, Optional.empty());
    }

    @Test
    void byDefaultNoPageMayFrameThePortal() {
        assertThat(load(Map.of()).portalFrameAncestors().directive()).isEqualTo("'none'");
        assertThat(load(Map.of("CHATWIRE_PORTAL_FRAME_ANCESTORS", "'none'")).portalFrameAncestors().none()).isTrue();
        assertThat(load(Map.of()).publicUrl()).isEmpty();
    }

    @Test
    void framingOriginsAreListedAsTheCspDirectiveWants() {
        var ancestors = load(Map.of("CHATWIRE_PORTAL_FRAME_ANCESTORS",
                "https://app.example.com, https://*.example.org  http://127.0.0.1:3000 'self'")).portalFrameAncestors();
        assertThat(ancestors.directive())
                .isEqualTo("https://app.example.com https://*.example.org http://127.0.0.1:3000 'self'");
    }

    @Test
    void anythingButOriginsIsRefusedSoNoDirectiveCanBeSmuggledIn() {
        for (String bad : new String[] {"https://app.example.com; script-src *", "*", "javascript:", "https://a.com/path",
                "'unsafe-inline'", "'none' https://app.example.com", "app.example.com"}) {
            assertThatThrownBy(() -> load(Map.of("CHATWIRE_PORTAL_FRAME_ANCESTORS", bad))).as(bad)
                    .hasMessageContaining("CHATWIRE_PORTAL_FRAME_ANCESTORS");
        }
    }

    @Test
    void thePublicUrlMustBeAnHttpUrlWithoutQuery() {
        assertThat(load(Map.of("CHATWIRE_PUBLIC_URL", "https://webhooks.example.com")).publicUrl())
                .contains(URI.create("https://webhooks.example.com"));
        for (String bad : new String[] {"webhooks.example.com", "ftp://example.com", "https://example.com/?a=b", "https://"}) {
            assertThatThrownBy(() -> load(Map.of("CHATWIRE_PUBLIC_URL", bad))).as(bad)
                    .hasMessageContaining("CHATWIRE_PUBLIC_URL");
        }
    }
}
