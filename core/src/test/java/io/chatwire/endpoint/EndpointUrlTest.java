package io.chatwire.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.problem.Problem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The form of an endpoint URL, checked before anything else looks at it. */
class EndpointUrlTest {

    @ParameterizedTest(name = "{0} is refused as an invalid url naming port {1}")
    @CsvSource({"http://example.com:0/hook, 0", "https://example.com:65536/hook, 65536",
            "http://[2606:2800:220:1::1]:0/, 0", "https://example.com:99999999999/hook, 99999999999"})
    void refusesPortsOutsideOneTo65535(String url, String port) {
        assertThatThrownBy(() -> EndpointUrl.parse(url))
                .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("invalid_url"))
                .hasMessage("url port must be 1-65535 (got " + port + ")");
    }

    @ParameterizedTest(name = "{0} is accepted")
    @ValueSource(strings = {"http://example.com:1/hook", "https://example.com:65535/hook", "https://example.com/hook",
            "https://example.com:/hook"})
    void acceptsPortsFromOneTo65535AndNone(String url) {
        assertThat(EndpointUrl.parse(url).getHost()).isEqualTo("example.com");
    }
}
