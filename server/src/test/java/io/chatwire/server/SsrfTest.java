package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chatwire is no way into the network it runs in: with no allow-list, a URL that points at an
 * internal address is refused when it is registered, and nothing is stored. No request leaves the
 * machine: refused URLs are never dialled, and the accepted one is never sent an event.
 */
class SsrfTest {
    private RunningChatwire chatwire;
    private TestAccount account;
    private String chatbot;

    @BeforeEach
    void start() {
        // Empty overrides the loopback allowance the test fixture gives by default.
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_ALLOWED_TARGETS", ""));
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
    }

    @AfterEach
    void stop() {
        chatwire.close();
    }

    private ApiClient.Response register(String url) {
        return account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":[\"chat\"]}");
    }

    private int storedEndpoints() {
        ApiClient.Response list = account.api().get("/v1/chatbots/" + chatbot + "/endpoints");
        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        return list.json().path("data").size();
    }

    @ParameterizedTest(name = "{0} is refused as a blocked target")
    @ValueSource(strings = {"http://127.0.0.1:1/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data",
            "http://2130706433/", "http://0177.0.0.1/", "http://10.0.0.1/", "http://[::ffff:192.168.0.1]/x",
            "http://[fd00::1]/x", "http://0.0.0.0:8080/", "http://0x7f000001/x", "http://192.88.99.1/x",
            "http://[2001:2::1]/x", "http://[3fff::1]/x", "http://[::93.184.216.34]/x"})
    void internalAddressesAreRefusedAndNothingIsStored(String url) {
        ApiClient.Response r = register(url);

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("blocked_target");
        assertThat(r.text("message")).contains("CHATWIRE_ALLOWED_TARGETS");
        assertThat(storedEndpoints()).isZero();
    }

    @ParameterizedTest(name = "port {0} is refused as an invalid url")
    @ValueSource(ints = {0, 65536})
    void portsOutsideOneTo65535AreRefusedAndNothingIsStored(int port) {
        ApiClient.Response r = register("https://93.184.216.34:" + port + "/hook");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("invalid_url");
        assertThat(r.text("message")).isEqualTo("url port must be 1-65535 (got " + port + ")");
        assertThat(storedEndpoints()).isZero();
    }

    @Test
    void aHostNameLongerThanDnsAllowsIsRefusedAndNothingIsStored() {
        ApiClient.Response r = register("https://" + "abcdefghi.".repeat(25) + "example.com/hook");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("invalid_url");
        assertThat(r.text("message")).contains("at most 253 characters");
        assertThat(storedEndpoints()).isZero();
    }

    @Test
    void aHostLabelLongerThanDnsAllowsIsRefusedAndNothingIsStored() {
        ApiClient.Response r = register("https://" + "a".repeat(64) + ".example.com/hook");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("invalid_url");
        assertThat(r.text("message")).contains("at most 63 characters");
        assertThat(storedEndpoints()).isZero();
    }

    @ParameterizedTest(name = "{0} is refused though 127.0.0.1/32 is allowed")
    @ValueSource(strings = {"http://[::127.0.0.1]:9000/x", "http://[64:ff9b::7f00:1]:9000/x", "http://[2002:7f00:1::1]:9000/x"})
    void anIpv6FormOfAnAllowedIpv4AddressIsRefused(String url) {
        restartWith(Map.of("CHATWIRE_ALLOWED_TARGETS", "127.0.0.1/32"));

        ApiClient.Response r = register(url);

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("blocked_target");
        assertThat(r.text("message")).contains("loopback");
        assertThat(storedEndpoints()).isZero();
        assertThat(register("http://127.0.0.1:9000/x").status()).as("the allowed address itself").isEqualTo(201);
    }

    private void restartWith(Map<String, String> settings) {
        chatwire.close();
        chatwire = RunningChatwire.start(settings);
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
    }

    @Test
    void theRefusalNamesTheRule() {
        ApiClient.Response r = register("http://169.254.169.254/latest/meta-data");

        assertThat(r.text("message")).contains("link-local", "169.254.169.254");
    }

    @Test
    void aPublicAddressIsAccepted() {
        ApiClient.Response r = register("https://93.184.216.34/hook");

        assertThat(r.status()).as(r.raw()).isEqualTo(201);
    }

    @Test
    void changingAnEndpointToAnInternalAddressIsRefusedAndTheOldUrlKept() {
        String id = register("https://93.184.216.34/hook").text("id");

        ApiClient.Response r = account.api().patch("/v1/endpoints/" + id, "{\"url\":\"http://192.168.1.1/admin\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).isEqualTo("blocked_target");
        assertThat(account.api().get("/v1/endpoints/" + id).text("url")).isEqualTo("https://93.184.216.34/hook");
    }

    @Test
    void theChatDataRouteRefusesInternalAddressesToo() {
        ApiClient.Response r = account.api().post("/api/v2/add-webhook",
                "{\"url\":\"http://10.0.0.1/x\",\"event\":\"chat\",\"chatbotId\":\"" + chatbot + "\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(storedEndpoints()).isZero();
    }
}
