package io.chatwire.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.problem.Problem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointUrlTest {
    @ParameterizedTest
    @ValueSource(strings = {"http://203.0.113.9:0/hook", "http://203.0.113.9:65536/hook", "https://203.0.113.9:99999/"})
    void refusesAPortNoConnectionCanUse(String url) {
        assertThatThrownBy(() -> EndpointUrl.parse(url))
                .isInstanceOfSatisfying(Problem.Invalid.class, p -> assertThat(p.code()).isEqualTo("invalid_url"))
                .hasMessageStartingWith("url's port must be 1 to 65535");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://203.0.113.9:1/hook", "http://203.0.113.9:65535/hook", "https://203.0.113.9/"})
    void acceptsEveryPortFromOneTo65535AndNone(String url) {
        assertThat(EndpointUrl.parse(url).toString()).isEqualTo(url);
    }
}
