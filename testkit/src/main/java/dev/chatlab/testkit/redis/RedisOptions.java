package dev.chatlab.testkit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a test wants its Redis: a name for its directory and log, append-only persistence on or off,
 * an optional memory limit, any other {@code redis.conf} directive, and how long it may take to start.
 *
 * @param name         names the fixture directory {@code target/fixtures/<name>-<n>} and the log
 * @param appendOnly   whether writes go to an append-only file, so that they survive a restart
 * @param maxMemory    a {@code maxmemory} value such as {@code 64mb}, or null for no limit
 * @param settings     further directives, passed as {@code --key value} in this order
 * @param startTimeout how long a start or restart may take before it fails with the server's log
 */
public record RedisOptions(String name, boolean appendOnly, String maxMemory, Map<String, String> settings,
                           Duration startTimeout) {

    public RedisOptions {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a Redis name is letters, digits, '_', '.' and '-': '" + name + "'");
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /** Named "redis", append-only on (history survives a restart), no memory limit, 15 s to start. */
    public static RedisOptions defaults() {
        return new RedisOptions("redis", true, null, Map.of(), Duration.ofSeconds(15));
    }

    public RedisOptions withName(String name) {
        return new RedisOptions(name, appendOnly, maxMemory, settings, startTimeout);
    }

    public RedisOptions withAppendOnly(boolean appendOnly) {
        return new RedisOptions(name, appendOnly, maxMemory, settings, startTimeout);
    }

    public RedisOptions withMaxMemory(String maxMemory) {
        return new RedisOptions(name, appendOnly, maxMemory, settings, startTimeout);
    }

    /** Adds one {@code redis.conf} directive, e.g. {@code with("client-output-buffer-limit", "pubsub 1mb 0 0")}. */
    public RedisOptions with(String directive, String value) {
        Map<String, String> more = new LinkedHashMap<>(settings);
        more.put(directive, value);
        return new RedisOptions(name, appendOnly, maxMemory, more, startTimeout);
    }

    public RedisOptions withStartTimeout(Duration startTimeout) {
        return new RedisOptions(name, appendOnly, maxMemory, settings, startTimeout);
    }

    /** The server arguments that do not depend on where Redis runs. */
    List<String> serverArguments() {
        List<String> args = new ArrayList<>(List.of(
                // No RDB snapshots: a test's data lives in memory and, when asked, in the append-only file.
                "--save", "",
                "--appendonly", appendOnly ? "yes" : "no"));
        if (maxMemory != null) {
            args.addAll(List.of("--maxmemory", maxMemory));
        }
        settings.forEach((directive, value) -> args.addAll(List.of("--" + directive, value)));
        return args;
    }
}
