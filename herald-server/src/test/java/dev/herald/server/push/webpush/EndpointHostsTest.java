package dev.herald.server.push.webpush;

import dev.herald.server.notify.ValidationException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EndpointHostsTest {
    @Test
    void byDefaultOnlyThePublicPushServicesAreAccepted() {
        EndpointHosts hosts = new EndpointHosts(EndpointHosts.PUBLIC_PUSH_SERVICES, false);
        for (String ok : List.of("https://fcm.googleapis.com/fcm/send/x", "https://updates.push.services.mozilla.com/wpush/v2/x",
                "https://wns2-par02p.notify.windows.com/w/?token=x", "https://web.push.apple.com/x")) {
            hosts.check(URI.create(ok));
        }
        for (String refused : List.of("https://169.254.169.254/latest", "https://127.0.0.1/x", "https://localhost/x",
                "https://internal.corp/x", "https://fcm.googleapis.com.evil.example/x", "https://evilpush.apple.com/x")) {
            assertThatThrownBy(() -> hosts.check(URI.create(refused))).as(refused)
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("subscription.endpoint"));
        }
    }

    @Test
    void loopbackOnlyWhenAskedAndAnyHostWithAStar() {
        EndpointHosts tests = new EndpointHosts(List.of(), true);
        tests.check(URI.create("http://127.0.0.1:8090/push/1"));
        tests.check(URI.create("http://[::1]:8090/push/1"));
        tests.check(URI.create("http://localhost:8090/push/1"));
        assertThatThrownBy(() -> tests.check(URI.create("http://10.0.0.1/x"))).isInstanceOf(ValidationException.class);
        new EndpointHosts(List.of("*"), false).check(URI.create("https://anything.example/x"));
        new EndpointHosts(List.of("push.example.com"), false).check(URI.create("https://PUSH.example.com/x"));
        assertThatThrownBy(() -> new EndpointHosts(List.of("bad host"), false)).isInstanceOf(IllegalArgumentException.class);
    }
}
