package dev.chatlab.chat;

import java.net.URI;
import java.time.Duration;

/**
 * How a chat node is set up: {@link #defaults()} for {@code main}, explicit values in tests.
 *
 * @param host              the address to bind; loopback unless told otherwise
 * @param port              the port to bind; 0 picks a free one
 * @param idleTimeout       how long a silent WebSocket stays open (Jetty's own default is 30 s)
 * @param pingInterval      how often the server pings each client; {@link Duration#ZERO} turns pings off
 * @param maxFrameBytes     the largest frame accepted; a bigger one closes the connection with 1009
 * @param maxMessageChars   the longest chat message accepted; a longer one gets {@code error: too_large}
 * @param nodeId            this node's name, in {@code joined}, in logs and in {@code /health}
 * @param redis             where history, seq and fan-out live ({@code redis://host:port})
 * @param historyLength     how many messages each room keeps in Redis (the replay window)
 * @param maxReplay         the most messages a {@code join} with {@code since} replays
 * @param dedupeWindow      how long a {@code clientMsgId} is remembered, so a retried send is stored once
 * @param commandTimeout    how long a Redis command may take before the send is answered {@code unavailable}
 * @param heartbeatInterval how often the node publishes a heartbeat to its own subscription
 * @param heartbeatTimeout  how long without its own heartbeat before the node declares its subscription dead
 * @param resubscribeDelay  how long the node waits before subscribing again after losing its subscription
 * @param backfill          whether the node fetches from Redis what its subscription missed (off only to
 *                          show the hole plain pub/sub leaves)
 */
public record ChatConfig(String host, int port, Duration idleTimeout, Duration pingInterval,
                         int maxFrameBytes, int maxMessageChars, String nodeId, URI redis,
                         int historyLength, int maxReplay, Duration dedupeWindow, Duration commandTimeout,
                         Duration heartbeatInterval, Duration heartbeatTimeout, Duration resubscribeDelay,
                         boolean backfill) {

    public ChatConfig {
        if (!Protocol.isRoomId(nodeId)) {
            throw new IllegalArgumentException("node name must be 1-64 characters of A-Z a-z 0-9 _ . -, got '" + nodeId + "'");
        }
        if (!"redis".equals(redis.getScheme()) || redis.getHost() == null || redis.getPort() < 0) {
            throw new IllegalArgumentException("redis must look like redis://HOST:PORT, got '" + redis + "'");
        }
    }

    public static ChatConfig defaults() {
        return new ChatConfig("127.0.0.1", 3000, Duration.ofMinutes(10), Duration.ofSeconds(30), 16 * 1024, 4096,
                "node-1", URI.create("redis://127.0.0.1:6379"), 10_000, 10_000, Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMillis(200), true);
    }

    /** The defaults on a free loopback port, for tests, against the given Redis. */
    public static ChatConfig forTests(String nodeId, URI redis) {
        return defaults().withPort(0).withNode(nodeId, redis);
    }

    public ChatConfig withPort(int newPort) {
        return new ChatConfig(host, newPort, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill);
    }

    public ChatConfig withNode(String newNodeId, URI newRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, newNodeId, newRedis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill);
    }

    public ChatConfig withTimeouts(Duration newIdleTimeout, Duration newPingInterval) {
        return new ChatConfig(host, port, newIdleTimeout, newPingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill);
    }

    public ChatConfig withHistory(int newHistoryLength, int newMaxReplay) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                newHistoryLength, newMaxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill);
    }

    public ChatConfig withSubscription(Duration newHeartbeatInterval, Duration newHeartbeatTimeout,
                                       Duration newResubscribeDelay, boolean newBackfill) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, newHeartbeatInterval, newHeartbeatTimeout,
                newResubscribeDelay, newBackfill);
    }

    /** The command line ({@link Options}) over the defaults; a wrong flag throws {@link IllegalArgumentException}. */
    public static ChatConfig fromArgs(String[] args) {
        Options options = Options.parse(args);
        ChatConfig config = defaults();
        return config.withPort(Options.or(options.port, config.port()))
                .withNode(Options.or(options.node, config.nodeId()), Options.or(options.redis, config.redis()))
                .withHost(Options.or(options.host, config.host()));
    }

    public ChatConfig withHost(String newHost) {
        return new ChatConfig(newHost, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill);
    }
}
