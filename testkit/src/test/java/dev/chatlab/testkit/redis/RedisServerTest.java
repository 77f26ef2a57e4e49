package dev.chatlab.testkit.redis;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.Processes;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RedisServerTest {

    private static JedisClientConfig config(Duration timeout) {
        int millis = (int) timeout.toMillis();
        // Jedis (unlike RedisClient) speaks RESP2 only and warns unless told not to negotiate.
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .autoNegotiateProtocol(false)
                .build();
    }

    private static Jedis connect(RedisServer redis, Duration timeout) {
        return new Jedis(new HostAndPort(redis.host(), redis.port()), config(timeout));
    }

    private static Jedis connect(RedisServer redis) {
        return connect(redis, ofSeconds(2));
    }

    private static long pid(RedisServer redis) {
        assumeTrue(redis instanceof LocalRedis, "a check of the local redis-server process");
        return ((LocalRedis) redis).pid();
    }

    @Test
    void a_started_redis_answers_ping_on_its_loopback_port() {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.uri()).hasToString("redis://127.0.0.1:" + redis.port());
            assertThat(redis.isRunning()).isTrue();

            try (Jedis jedis = new Jedis(redis.uri(), config(ofSeconds(2)))) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void the_options_reach_the_server() {
        RedisOptions options = RedisOptions.defaults().withName("tuned").withAppendOnly(false)
                .withMaxMemory("32mb").with("maxmemory-policy", "allkeys-lru");
        try (RedisServer redis = RedisServer.start(options); Jedis jedis = connect(redis)) {
            assertThat(redis.name()).startsWith("tuned-");
            assertThat(jedis.configGet("save")).containsEntry("save", "");
            assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
            assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(32 * 1024 * 1024));
            assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
        }
    }

    @Test
    void a_frozen_redis_does_not_answer_until_it_is_thawed() {
        try (RedisServer redis = RedisServer.start()) {
            redis.freeze();

            assertThat(redis.isRunning()).isTrue();
            assertThatThrownBy(() -> {
                try (Jedis jedis = connect(redis, ofMillis(300))) {
                    jedis.ping();
                }
            }).isInstanceOf(JedisConnectionException.class);

            redis.thaw();

            await("redis answers again after the thaw").atMost(ofSeconds(5)).ignoreExceptions()
                    .untilAsserted(() -> {
                        try (Jedis jedis = connect(redis)) {
                            assertThat(jedis.ping()).isEqualTo("PONG");
                        }
                    });
        }
    }

    @Test
    void a_restarted_redis_with_append_only_keeps_its_keys_and_its_port() {
        try (RedisServer redis = RedisServer.start(RedisOptions.defaults().withAppendOnly(true))) {
            int port = redis.port();
            try (Jedis jedis = connect(redis)) {
                jedis.set("room:lobby:seq", "42");
            }

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            try (Jedis jedis = connect(redis)) {
                assertThat(jedis.get("room:lobby:seq")).isEqualTo("42");
            }
        }
    }

    @Test
    void a_restarted_redis_without_append_only_comes_back_empty() {
        try (RedisServer redis = RedisServer.start(RedisOptions.defaults().withAppendOnly(false))) {
            try (Jedis jedis = connect(redis)) {
                jedis.set("room:lobby:seq", "42");
            }

            redis.restart();

            try (Jedis jedis = connect(redis)) {
                assertThat(jedis.dbSize()).isZero();
            }
        }
    }

    @Test
    void a_killed_redis_refuses_connections_and_its_process_is_gone() {
        try (RedisServer redis = RedisServer.start()) {
            long pid = pid(redis);

            redis.kill();

            assertThat(redis.isRunning()).isFalse();
            assertThat(Processes.running(pid)).isFalse();
            assertThat(Ports.accepts(redis.host(), redis.port(), ofMillis(250))).isFalse();
            assertThatThrownBy(() -> connect(redis).ping()).isInstanceOf(JedisConnectionException.class);
        }
    }

    @Test
    void a_killed_redis_with_append_only_comes_back_with_its_keys_on_restart() {
        try (RedisServer redis = RedisServer.start(RedisOptions.defaults().withAppendOnly(true))) {
            int port = redis.port();
            try (Jedis jedis = connect(redis)) {
                jedis.set("room:lobby:seq", "7");
            }
            redis.kill();

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            try (Jedis jedis = connect(redis)) {
                assertThat(jedis.get("room:lobby:seq")).isEqualTo("7");
            }
        }
    }

    @Test
    void closing_a_redis_stops_it_and_leaves_nothing_running() {
        Set<Long> before = Processes.children();
        RedisServer redis = RedisServer.start();
        long pid = pid(redis);

        redis.close();
        redis.close();

        assertThat(redis.isRunning()).isFalse();
        assertThat(Processes.running(pid)).isFalse();
        assertThat(Ports.accepts(redis.host(), redis.port(), ofMillis(250))).isFalse();
        await("no process started for redis is left").atMost(ofSeconds(5))
                .until(() -> before.containsAll(Processes.children()));
    }

    @Test
    void closing_a_frozen_redis_still_stops_it() {
        RedisServer redis = RedisServer.start();
        long pid = pid(redis);
        redis.freeze();

        redis.close();

        assertThat(Processes.running(pid)).isFalse();
    }

    @Test
    void flush_all_deletes_every_key() {
        try (RedisServer redis = RedisServer.start(); Jedis jedis = connect(redis)) {
            jedis.set("a", "1");
            jedis.set("b", "2");

            redis.flushAll();

            assertThat(jedis.dbSize()).isZero();
        }
    }
}
