package dev.herald.server.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokersTest {

    @Test
    void noUrlMeansTheInProcessBroker() {
        try (Broker broker = Brokers.create(null, "n1")) {
            assertThat(broker).isInstanceOf(InProcessBroker.class);
        }
    }

    @Test
    void redisAndRedissUrlsMeanTheRedisBrokerWhichClosesWithoutEverStarting() {
        for (String url : new String[]{"redis://127.0.0.1:6379", "rediss://user:secret@127.0.0.1:6380/2?prefix=blue-1"}) {
            try (Broker broker = Brokers.create(url, "n1")) {
                assertThat(broker).isInstanceOf(RedisBroker.class);
                assertThat(broker.isHealthy()).isFalse();
            }
        }
    }

    @Test
    void anyOtherUrlIsRefusedNamingTheUrlWithItsPasswordMasked() {
        assertThatThrownBy(() -> Brokers.create("nats://broker:4222", "n1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nats://broker:4222");
        assertThatThrownBy(() -> Brokers.create("redis-sentinel://admin:hunter2@h:26379", "n1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis-sentinel://admin:***@h:26379")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Brokers.create("", "n1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPrefixThatCouldNotNameAChannelIsRefused() {
        assertThatThrownBy(() -> Brokers.create("redis://127.0.0.1:6379?prefix=a b", "n1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> Brokers.create("redis://127.0.0.1:6379?prefix=", "n1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix");
    }

    @Test
    void eachConnectionIsNamedForItsNodeAndRoleAndKeepsTheUrlsCredentialsTlsAndDatabase() {
        io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create("rediss://herald:secret@redis.internal:6380/3");
        io.lettuce.core.RedisURI named = RedisBroker.named(uri, "eu", "node 1", "publish");

        assertThat(named.getClientName()).isEqualTo("herald:eu:node_1:publish");
        assertThat(named.getHost()).isEqualTo("redis.internal");
        assertThat(named.getPort()).isEqualTo(6380);
        assertThat(named.getDatabase()).isEqualTo(3);
        assertThat(named.isSsl()).isTrue();
        io.lettuce.core.RedisCredentials credentials = named.getCredentialsProvider().resolveCredentials().block();
        assertThat(credentials.getUsername()).isEqualTo("herald");
        assertThat(new String(credentials.getPassword())).isEqualTo("secret");
        assertThat(named.getTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    }

    @Test
    void masksOnlyThePassword() {
        assertThat(Brokers.masked("redis://:pw@h:1")).isEqualTo("redis://:***@h:1");
        assertThat(Brokers.masked("redis://pw@h:1")).isEqualTo("redis://***@h:1");
        assertThat(Brokers.masked("redis://h:1")).isEqualTo("redis://h:1");
    }
}
