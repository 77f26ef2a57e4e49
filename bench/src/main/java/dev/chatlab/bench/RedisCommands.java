package dev.chatlab.bench;

import dev.chatlab.testkit.redis.RedisServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The commands a Redis has run, by name, from {@code INFO commandstats}: how many calls and how many microseconds in
 * them. Redis counts a command a script calls as a call of its own as well (an {@code EVALSHA} that runs three
 * {@code ZADD}s is four calls), as {@code total_commands_processed} does; the scripts are counted apart too.
 *
 * @param byCommand calls and microseconds of each command, by its lower-case name ({@code evalsha}, {@code publish})
 */
public record RedisCommands(Map<String, Calls> byCommand) {
    /** The commands that run a script. */
    static final Set<String> SCRIPTS = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");

    /** One command's count: calls, and the microseconds they took (a script's include those of the commands it called). */
    public record Calls(long calls, long usec) {
    }

    /** {@code INFO commandstats} of {@code redis} now, on a connection of its own. */
    public static RedisCommands of(RedisServer redis) {
        try (Jedis jedis = new Jedis(new HostAndPort(redis.host(), redis.port()), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5_000).socketTimeoutMillis(5_000).autoNegotiateProtocol(false).build())) {
            return parse(jedis.info("commandstats"));
        }
    }

    /** The {@code cmdstat_NAME:calls=N,usec=N,...} lines of an {@code INFO commandstats} reply; other lines are skipped. */
    static RedisCommands parse(String info) {
        Map<String, Calls> commands = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_") || line.indexOf(':') < 0) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = -1;
            long usec = 0;
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] kv = field.split("=", 2);
                if (kv.length == 2 && kv[0].equals("calls")) {
                    calls = Long.parseLong(kv[1].trim());
                } else if (kv.length == 2 && kv[0].equals("usec")) {
                    usec = Long.parseLong(kv[1].trim());
                }
            }
            if (calls >= 0) {
                commands.put(name, new Calls(calls, usec));
            }
        }
        return new RedisCommands(commands);
    }

    /**
     * What ran between {@code before} and this reading, largest count first, without {@code INFO} (the bench's own
     * readings) and without the commands that ran none.
     */
    public RedisCommands since(RedisCommands before) {
        Map<String, Calls> delta = new LinkedHashMap<>();
        byCommand.entrySet().stream().filter(e -> !e.getKey().equals("info")).map(e -> {
            Calls then = before.byCommand.getOrDefault(e.getKey(), new Calls(0, 0));
            return Map.entry(e.getKey(), new Calls(e.getValue().calls() - then.calls(), e.getValue().usec() - then.usec()));
        }).filter(e -> e.getValue().calls() > 0).sorted((a, b) -> Long.compare(b.getValue().calls(), a.getValue().calls()))
                .forEach(e -> delta.put(e.getKey(), e.getValue()));
        return new RedisCommands(delta);
    }

    /** Every call, those made by scripts included. */
    public long calls() {
        return byCommand.values().stream().mapToLong(Calls::calls).sum();
    }

    /** The calls that ran a script ({@code EVAL}, {@code EVALSHA}, {@code FCALL} and their read-only forms). */
    public long scripts() {
        return byCommand.entrySet().stream().filter(e -> SCRIPTS.contains(e.getKey())).mapToLong(e -> e.getValue().calls()).sum();
    }

    /** The calls of one command, 0 when it ran none. */
    public long calls(String command) {
        Calls calls = byCommand.get(command);
        return calls == null ? 0 : calls.calls();
    }

    /** Calls by command, as the JSON has them. */
    public Map<String, Long> callsByCommand() {
        Map<String, Long> calls = new LinkedHashMap<>();
        byCommand.forEach((name, c) -> calls.put(name, c.calls()));
        return calls;
    }
}
