package dev.chatlab.chat;

import java.time.Duration;

/**
 * How a chat server is set up: {@link #defaults()} for {@code main}, explicit values in tests.
 *
 * @param host            the address to bind; loopback unless told otherwise
 * @param port            the port to bind; 0 picks a free one
 * @param idleTimeout     how long a silent WebSocket stays open (Jetty's own default is 30 s)
 * @param longPollTimeout how long a long poll is held when nothing arrives; also the most a client may ask for
 * @param sseHeartbeat    how often an event stream gets a comment line, so that idle streams are not cut
 *                        (Jetty closes an HTTP connection silent for 30 s)
 * @param roomCapacity    how many of the latest messages the room keeps for cursors and {@code Last-Event-ID}
 */
public record ChatConfig(String host, int port, Duration idleTimeout, Duration longPollTimeout,
                         Duration sseHeartbeat, int roomCapacity) {

    public static ChatConfig defaults() {
        return new ChatConfig("127.0.0.1", 3000, Duration.ofMinutes(10), Duration.ofSeconds(25),
                Duration.ofSeconds(15), 1_000);
    }

    /** The defaults on a free loopback port, for tests. */
    public static ChatConfig forTests() {
        return defaults().withPort(0);
    }

    public ChatConfig withPort(int newPort) {
        return new ChatConfig(host, newPort, idleTimeout, longPollTimeout, sseHeartbeat, roomCapacity);
    }

    public ChatConfig withRoomCapacity(int newCapacity) {
        return new ChatConfig(host, port, idleTimeout, longPollTimeout, sseHeartbeat, newCapacity);
    }

    /** The command line ({@link Options}) over the defaults; a wrong flag throws {@link IllegalArgumentException}. */
    public static ChatConfig fromArgs(String[] args) {
        Options options = Options.parse(args);
        ChatConfig config = defaults();
        return new ChatConfig(Options.or(options.host, config.host()), Options.or(options.port, config.port()),
                config.idleTimeout(), config.longPollTimeout(), config.sseHeartbeat(), config.roomCapacity());
    }
}
