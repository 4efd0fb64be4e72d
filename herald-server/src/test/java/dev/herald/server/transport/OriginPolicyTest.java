package dev.herald.server.transport;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.herald.server.transport.OriginPolicy.Trust.ANY;
import static dev.herald.server.transport.OriginPolicy.Trust.FOREIGN;
import static dev.herald.server.transport.OriginPolicy.Trust.LISTED;
import static dev.herald.server.transport.OriginPolicy.Trust.NO_ORIGIN;
import static dev.herald.server.transport.OriginPolicy.Trust.SAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OriginPolicyTest {
    private final OriginPolicy none = new OriginPolicy(List.of());
    private final OriginPolicy listed = new OriginPolicy(List.of("https://app.example", "http://localhost:3000"));
    private final OriginPolicy wildcard = new OriginPolicy(List.of("*", "https://app.example"));

    @Test
    void theServersOwnOriginIsTheOriginWhoseHostAndPortAreTheRequestsHost() {
        assertThat(none.judge("http://127.0.0.1:8080", "127.0.0.1:8080")).isEqualTo(SAME);
        assertThat(none.judge("https://chat.example", "chat.example")).isEqualTo(SAME);
        assertThat(none.judge("https://chat.example", "chat.example:443")).isEqualTo(SAME);
        assertThat(none.judge("http://chat.example:80", "CHAT.example")).isEqualTo(SAME);
        assertThat(none.judge("http://127.0.0.1:8081", "127.0.0.1:8080")).isEqualTo(FOREIGN);
        assertThat(none.judge("https://chat.example.evil", "chat.example")).isEqualTo(FOREIGN);
        assertThat(none.judge("http://chat.example", "chat.example/x")).isEqualTo(FOREIGN);
    }

    @Test
    void withoutAnOriginHeaderTheRequestIsNotABrowsersCrossOriginRequest() {
        assertThat(none.judge(null, "h")).isEqualTo(NO_ORIGIN);
        assertThat(NO_ORIGIN.allowed()).isTrue();
        assertThat(NO_ORIGIN.mayUseCookie()).isTrue();
    }

    @Test
    void listedOriginsMatchWithoutRegardToCaseOrDefaultPort() {
        assertThat(listed.judge("https://APP.example", "herald.example")).isEqualTo(LISTED);
        assertThat(listed.judge("https://app.example:443", "herald.example")).isEqualTo(LISTED);
        assertThat(listed.judge("http://localhost:3000", "herald.example")).isEqualTo(LISTED);
        assertThat(listed.judge("http://localhost:3001", "herald.example")).isEqualTo(FOREIGN);
        assertThat(listed.judge("https://evil.example", "herald.example")).isEqualTo(FOREIGN);
    }

    @Test
    void theWildcardCoversOtherOriginsButNeverNullAndNeverForTheCookie() {
        assertThat(wildcard.judge("https://anyone.example", "herald.example")).isEqualTo(ANY);
        assertThat(wildcard.judge("null", "herald.example")).isEqualTo(FOREIGN);
        assertThat(wildcard.judge("https://app.example", "herald.example")).isEqualTo(LISTED);
        assertThat(ANY.allowed()).isTrue();
        assertThat(ANY.mayUseCookie()).isFalse();
        assertThat(OriginPolicy.corsWithCredentials(ANY)).isFalse();
        assertThat(OriginPolicy.corsWithCredentials(LISTED)).isTrue();
    }

    @Test
    void aCookieAuthenticatedWriteMustBeSameSiteAndJson() {
        HttpHeaders json = new DefaultHttpHeaders().set("Content-Type", "application/json").set("Content-Length", "2");
        OriginPolicy.checkCookieUse(SAME, HttpMethod.POST, json);
        OriginPolicy.checkCookieUse(NO_ORIGIN, HttpMethod.POST, json);
        OriginPolicy.checkCookieUse(LISTED, HttpMethod.DELETE, new DefaultHttpHeaders());
        assertThatThrownBy(() -> OriginPolicy.checkCookieUse(ANY, HttpMethod.GET, new DefaultHttpHeaders()))
                .isInstanceOf(ApiException.class).hasMessageContaining("cookie");
        HttpHeaders form = new DefaultHttpHeaders().set("Content-Type", "text/plain").set("Content-Length", "3");
        assertThatThrownBy(() -> OriginPolicy.checkCookieUse(SAME, HttpMethod.POST, form))
                .isInstanceOf(ApiException.class).hasMessageContaining("application/json");
        HttpHeaders crossSite = new DefaultHttpHeaders().set("Sec-Fetch-Site", "cross-site");
        assertThatThrownBy(() -> OriginPolicy.checkCookieUse(NO_ORIGIN, HttpMethod.POST, crossSite))
                .isInstanceOf(ApiException.class).hasMessageContaining("cross-site");
    }
}
