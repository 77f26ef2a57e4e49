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
 * @param nodeId            this node's name, in {@code joined}, in logs, in {@code /health} and in metrics
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
 * @param adminPort         the loopback-only port of the admin endpoint ({@code POST /admin/drain}); 0 picks one
 * @param drainGrace        how long a draining node waits, answering {@code /ready} with 503, before it closes
 *                          clients: the load balancer's checks need that long to stop sending new ones
 * @param drainWindow       the window over which a draining node spreads its clients' 1012 closes
 * @param drainDeadline     when a draining node gives up waiting for its clients and stops anyway
 * @param clientTimeout     how long a client that sends heartbeats may stay silent before it is presumed dead
 * @param subscriberRedis   where the subscription connects: the same Redis as {@code redis}, possibly by
 *                          another route (tests put a fault injector on the subscription alone)
 * @param maxQueuedBytes    how much may wait to be written to one connection before it is closed as a slow
 *                          consumer (4008)
 * @param security          who may open a socket and how much it may send: the profile, origins, tokens and limits
 */
public record ChatConfig(String host, int port, Duration idleTimeout, Duration pingInterval,
                         int maxFrameBytes, int maxMessageChars, String nodeId, URI redis,
                         int historyLength, int maxReplay, Duration dedupeWindow, Duration commandTimeout,
                         Duration heartbeatInterval, Duration heartbeatTimeout, Duration resubscribeDelay,
                         boolean backfill, int adminPort, Duration drainGrace, Duration drainWindow,
                         Duration drainDeadline, Duration clientTimeout, URI subscriberRedis, long maxQueuedBytes,
                         Security security) {

    public ChatConfig {
        if (!Protocol.isRoomId(nodeId)) {
            throw new IllegalArgumentException("node name must be 1-64 characters of A-Z a-z 0-9 _ . -, got '" + nodeId + "'");
        }
        for (URI uri : new URI[] {redis, subscriberRedis}) {
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("redis must look like redis://HOST:PORT, got '" + uri + "'");
            }
        }
    }

    public static ChatConfig defaults() {
        return new ChatConfig("127.0.0.1", 3000, Duration.ofMinutes(10), Duration.ofSeconds(30), 16 * 1024, 4096,
                "node-1", URI.create("redis://127.0.0.1:6379"), 10_000, 10_000, Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMillis(200), true,
                0, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30),
                URI.create("redis://127.0.0.1:6379"), 4L * 1024 * 1024, Security.workshop());
    }

    /** The defaults on a free loopback port, for tests, against the given Redis. */
    public static ChatConfig forTests(String nodeId, URI redis) {
        return defaults().withPort(0).withNode(nodeId, redis);
    }

    public ChatConfig withPort(int newPort) {
        return new ChatConfig(host, newPort, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }

    /** Names the node and its Redis; the subscription connects to the same Redis. */
    public ChatConfig withNode(String newNodeId, URI newRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, newNodeId, newRedis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, newRedis,
                maxQueuedBytes, security);
    }

    public ChatConfig withSubscriberRedis(URI newSubscriberRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout,
                newSubscriberRedis, maxQueuedBytes, security);
    }

    public ChatConfig withTimeouts(Duration newIdleTimeout, Duration newPingInterval) {
        return new ChatConfig(host, port, newIdleTimeout, newPingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }

    public ChatConfig withHistory(int newHistoryLength, int newMaxReplay) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                newHistoryLength, newMaxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }

    public ChatConfig withSubscription(Duration newHeartbeatInterval, Duration newHeartbeatTimeout,
                                       Duration newResubscribeDelay, boolean newBackfill) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, newHeartbeatInterval, newHeartbeatTimeout,
                newResubscribeDelay, newBackfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout,
                subscriberRedis, maxQueuedBytes, security);
    }

    public ChatConfig withAdminPort(int newAdminPort) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, newAdminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }

    public ChatConfig withDrain(Duration newGrace, Duration newWindow, Duration newDeadline) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, newGrace, newWindow, newDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }

    public ChatConfig withClientTimeout(Duration newClientTimeout) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, newClientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }

    public ChatConfig withMaxQueuedBytes(long newMaxQueuedBytes) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                newMaxQueuedBytes, security);
    }

    public ChatConfig withSecurity(Security newSecurity) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, newSecurity);
    }

    /**
     * The command line ({@link Options}) over the defaults; a wrong flag throws {@link IllegalArgumentException}.
     * {@code --profile} picks the security defaults ({@link Security#workshop()} or {@link Security#secure(String)});
     * the other security flags override them.
     */
    public static ChatConfig fromArgs(String[] args) {
        Options options = Options.parse(args);
        ChatConfig config = defaults();
        String secret = options.tokenSecret == null || options.tokenSecret.isBlank() ? null : options.tokenSecret;
        Security security = Options.or(options.profile, Security.Profile.WORKSHOP) == Security.Profile.SECURE
                ? Security.secure(secret) : Security.workshop().withToken(secret, Security.workshop().tokenTtl());
        security = security.withOrigins(Options.or(options.allowedOrigins, security.allowedOrigins()))
                .withTrustedProxies(Options.or(options.trustedProxies, security.trustedProxies()))
                .withToken(security.tokenSecret(), Options.or(options.tokenTtl, security.tokenTtl()))
                .withRequireTls(Options.or(options.requireTls, security.requireTls()))
                .withConnectionCaps(Options.or(options.maxConnections, security.maxConnections()),
                        Options.or(options.maxConnectionsPerIp, security.maxConnectionsPerIp()))
                .withRates(Options.or(options.rateMessages, security.rateMessages()),
                        Options.or(options.rateBytes, security.rateBytes()), security.maxStrikes(), security.strikeWindow());
        URI redis = Options.or(options.redis, config.redis());
        return config.withPort(Options.or(options.port, config.port()))
                .withNode(Options.or(options.node, config.nodeId()), redis)
                .withHost(Options.or(options.host, config.host()))
                .withAdminPort(Options.or(options.adminPort, config.adminPort()))
                .withDrain(Options.or(options.drainGrace, config.drainGrace()),
                        Options.or(options.drainWindow, config.drainWindow()),
                        Options.or(options.drainDeadline, config.drainDeadline()))
                .withClientTimeout(Options.or(options.clientTimeout, config.clientTimeout()))
                .withSubscriberRedis(Options.or(options.subscriberRedis, redis))
                .withSubscription(config.heartbeatInterval(), config.heartbeatTimeout(), config.resubscribeDelay(),
                        Options.or(options.backfill, config.backfill()))
                .withMaxQueuedBytes(Options.or(options.maxQueuedBytes, config.maxQueuedBytes()))
                .withSecurity(security);
    }

    public ChatConfig withHost(String newHost) {
        return new ChatConfig(newHost, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security);
    }
}
