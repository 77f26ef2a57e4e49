package dev.chatlab.chat;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a chat server is set up: {@link #defaults()} for {@code main}, explicit values in tests.
 *
 * @param host            the address to bind; loopback unless told otherwise
 * @param port            the port to bind; 0 picks a free one
 * @param idleTimeout     how long a silent WebSocket stays open (Jetty's own default is 30 s)
 * @param pingInterval    how often the server pings each client, so a live but quiet one is never idle;
 *                        {@link Duration#ZERO} turns pings off
 * @param maxFrameBytes   the largest frame accepted; a bigger one closes the connection with 1009
 * @param maxMessageChars the longest chat message accepted; a longer one gets {@code error: too_large}
 * @param database        the SQLite file that holds every room's history (created when missing)
 * @param maxReplay       the most messages a {@code join} with {@code since} replays; a client further
 *                        behind gets the newest ones and {@code recovered: false}
 */
public record ChatConfig(String host, int port, Duration idleTimeout, Duration pingInterval,
                         int maxFrameBytes, int maxMessageChars, Path database, int maxReplay) {

    public static ChatConfig defaults() {
        return new ChatConfig("127.0.0.1", 3000, Duration.ofMinutes(10), Duration.ofSeconds(30), 16 * 1024, 4096,
                Path.of("data", "step3-chat.db"), 10_000);
    }

    /** The defaults on a free loopback port, with the history in the given file, for tests. */
    public static ChatConfig forTests(Path database) {
        return defaults().withPort(0).withDatabase(database);
    }

    public ChatConfig withPort(int newPort) {
        return new ChatConfig(host, newPort, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, database, maxReplay);
    }

    public ChatConfig withTimeouts(Duration newIdleTimeout, Duration newPingInterval) {
        return new ChatConfig(host, port, newIdleTimeout, newPingInterval, maxFrameBytes, maxMessageChars, database, maxReplay);
    }

    public ChatConfig withDatabase(Path newDatabase) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, newDatabase, maxReplay);
    }

    public ChatConfig withMaxReplay(int newMaxReplay) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, database, newMaxReplay);
    }

    /** The command line ({@link Options}) over the defaults; a wrong flag throws {@link IllegalArgumentException}. */
    public static ChatConfig fromArgs(String[] args) {
        Options options = Options.parse(args);
        ChatConfig config = defaults();
        return new ChatConfig(Options.or(options.host, config.host()), Options.or(options.port, config.port()),
                config.idleTimeout(), config.pingInterval(), config.maxFrameBytes(), config.maxMessageChars(),
                Options.or(options.database, config.database()), config.maxReplay());
    }
}
