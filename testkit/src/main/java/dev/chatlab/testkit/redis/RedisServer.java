package dev.chatlab.testkit.redis;

import dev.chatlab.testkit.process.Executables;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real Redis for one test, on its own loopback port: started from the OS's {@code redis-server} by
 * default, or from the {@code redis:7-alpine} image when {@code -Dchatlab.redis=docker} or
 * {@code CHATLAB_REDIS=docker} asks for it or when only Docker is there; the test cannot tell which.
 */
public interface RedisServer extends AutoCloseable {
    /** System property that picks the source: {@code local}, {@code docker} or {@code auto}. */
    String SOURCE_PROPERTY = "chatlab.redis";
    /** Environment variable read when the system property is not set. */
    String SOURCE_ENV = "CHATLAB_REDIS";

    /** Starts a Redis with {@link RedisOptions#defaults()} and returns once it answers PING. */
    static RedisServer start() {
        return start(RedisOptions.defaults());
    }

    /** Starts a Redis with {@code options} and returns once it answers PING. */
    static RedisServer start(RedisOptions options) {
        Optional<Path> binary = Executables.find("redis-server");
        RedisSource source = RedisSource.choose(
                RedisSource.requested(System.getProperty(SOURCE_PROPERTY), System.getenv(SOURCE_ENV)),
                binary.isPresent(),
                ContainerRedis::dockerAvailable);
        return source == RedisSource.LOCAL
                ? LocalRedis.start(options, binary.orElseThrow())
                : ContainerRedis.start(options);
    }

    /** The fixture's name, e.g. {@code redis-3}, as used for its directory and log. */
    String name();

    /** Always a loopback address. */
    String host();

    /** The port clients connect to; it stays the same across {@link #restart()}. */
    int port();

    /** {@code redis://host:port}, for clients that take a URI. */
    default URI uri() {
        return URI.create("redis://" + host() + ":" + port());
    }

    /** True from start until it is killed or closed; a frozen Redis is still running. */
    boolean isRunning();

    /** Ends Redis at once (SIGKILL), as a crash would; returns when it has exited. */
    void kill();

    /** Freezes Redis (SIGSTOP, or docker pause): connections stay open but nothing is answered. */
    void freeze();

    /** Lets a frozen Redis run again (SIGCONT, or docker unpause). */
    void thaw();

    /**
     * Stops Redis cleanly if it runs (a frozen one too), then starts it again on the same port with the
     * same data, and returns once it answers PING. With append-only on, its keys survive; call
     * {@link #kill()} first to restart after a crash instead.
     */
    void restart();

    /** True when Redis answers PING within {@code timeout}; false while it starts, loads its data or is frozen. */
    default boolean answersPing(Duration timeout) {
        try (Jedis jedis = jedis(timeout)) {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
            return false;
        }
    }

    /** Deletes every key. */
    default void flushAll() {
        String reply;
        try (Jedis jedis = jedis(Duration.ofSeconds(5))) {
            reply = jedis.flushAll();
        } catch (JedisException e) {
            throw new IllegalStateException("FLUSHALL on " + name() + " failed", e);
        }
        if (!"OK".equals(reply)) {
            throw new IllegalStateException("FLUSHALL on " + name() + " answered " + reply);
        }
    }

    /** A connection of its own, each wait bounded by {@code timeout}. */
    private Jedis jedis(Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        // RESP2, as Jedis speaks it, asked for outright: no HELLO to negotiate and no warning about it.
        return new Jedis(new HostAndPort(host(), port()), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis).socketTimeoutMillis(millis).autoNegotiateProtocol(false).build());
    }

    /** Stops Redis; its directory and log stay for inspection. Calling it again does nothing. */
    @Override
    void close();
}
