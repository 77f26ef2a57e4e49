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
 * @param presence          how long presence entries live, how long a leave waits, how often typing is relayed
 */
public record ChatConfig(String host, int port, Duration idleTimeout, Duration pingInterval,
                         int maxFrameBytes, int maxMessageChars, String nodeId, URI redis,
                         int historyLength, int maxReplay, Duration dedupeWindow, Duration commandTimeout,
                         Duration heartbeatInterval, Duration heartbeatTimeout, Duration resubscribeDelay,
                         boolean backfill, int adminPort, Duration drainGrace, Duration drainWindow,
                         Duration drainDeadline, Duration clientTimeout, URI subscriberRedis, long maxQueuedBytes,
                         Security security, PresenceSettings presence) {

    public ChatConfig {
        if (!Protocol.isRoomId(nodeId)) {
            throw new IllegalArgumentException("node name must be 1-64 characters of A-Z a-z 0-9 _ . -, got '" + nodeId + "'");
        }
        if (presence == null) {
            throw new IllegalArgumentException("presence settings are missing");
        }
        for (URI uri : new URI[] {redis, subscriberRedis}) {
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("redis must look like redis://HOST:PORT, got '" + uri + "'");
            }
        }
    }

    /**
     * Presence and typing.
     *
     * @param ttl            how long this node's entry for a name lives in Redis without a refresh; the node refreshes
     *                       every ttl/3 and sweeps expired entries every min(500 ms, ttl/3), so a dead node's members
     *                       are gone within ttl + sweep
     * @param leaveDelay     how long after a name's last connection here closes before its entry is removed: a
     *                       reconnect within it (to this node or another) shows no leave
     * @param typingInterval at most one typing signal per connection per this interval is relayed
     */
    public record PresenceSettings(Duration ttl, Duration leaveDelay, Duration typingInterval) {
        static final Duration MIN_TTL = Duration.ofMillis(300);
        static final Duration MAX = Duration.ofHours(1);

        public PresenceSettings {
            if (ttl == null || ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("--presence-ttl must be between 300ms and 60m (the node refreshes"
                        + " its entries every ttl/3), got " + Options.show(ttl));
            }
            if (leaveDelay == null || leaveDelay.isNegative() || leaveDelay.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("--leave-delay must be between 0s and 60m, got " + Options.show(leaveDelay));
            }
            if (typingInterval == null || typingInterval.isNegative() || typingInterval.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("--typing-interval must be between 0s and 60m, got "
                        + Options.show(typingInterval));
            }
        }

        public static PresenceSettings defaults() {
            return new PresenceSettings(Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(1));
        }

        /** How often the node refreshes its entries: ttl/3. */
        Duration refreshInterval() {
            return Duration.ofMillis(ttl.toMillis() / 3);
        }

        /** How often the node sweeps its rooms' expired entries: min(500 ms, ttl/3). */
        Duration sweepInterval() {
            Duration third = refreshInterval();
            return third.compareTo(Duration.ofMillis(500)) < 0 ? third : Duration.ofMillis(500);
        }
    }

    public static ChatConfig defaults() {
        return new ChatConfig("127.0.0.1", 3000, Duration.ofMinutes(10), Duration.ofSeconds(30), 16 * 1024, 4096,
                "node-1", URI.create("redis://127.0.0.1:6379"), 10_000, 10_000, Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofMillis(200), true,
                0, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30),
                URI.create("redis://127.0.0.1:6379"), 4L * 1024 * 1024, Security.workshop(),
                PresenceSettings.defaults());
    }

    /** The defaults on a free loopback port, for tests, against the given Redis. */
    public static ChatConfig forTests(String nodeId, URI redis) {
        return defaults().withPort(0).withNode(nodeId, redis);
    }

    public ChatConfig withPort(int newPort) {
        return new ChatConfig(host, newPort, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }

    /** Names the node and its Redis; the subscription connects to the same Redis. */
    public ChatConfig withNode(String newNodeId, URI newRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, newNodeId, newRedis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, newRedis,
                maxQueuedBytes, security, presence);
    }

    public ChatConfig withSubscriberRedis(URI newSubscriberRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout,
                newSubscriberRedis, maxQueuedBytes, security, presence);
    }

    public ChatConfig withTimeouts(Duration newIdleTimeout, Duration newPingInterval) {
        return new ChatConfig(host, port, newIdleTimeout, newPingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }

    public ChatConfig withHistory(int newHistoryLength, int newMaxReplay) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                newHistoryLength, newMaxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }

    public ChatConfig withSubscription(Duration newHeartbeatInterval, Duration newHeartbeatTimeout,
                                       Duration newResubscribeDelay, boolean newBackfill) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, newHeartbeatInterval, newHeartbeatTimeout,
                newResubscribeDelay, newBackfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout,
                subscriberRedis, maxQueuedBytes, security, presence);
    }

    public ChatConfig withAdminPort(int newAdminPort) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, newAdminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }

    public ChatConfig withDrain(Duration newGrace, Duration newWindow, Duration newDeadline) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, newGrace, newWindow, newDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }

    public ChatConfig withClientTimeout(Duration newClientTimeout) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, newClientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }

    public ChatConfig withMaxQueuedBytes(long newMaxQueuedBytes) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                newMaxQueuedBytes, security, presence);
    }

    public ChatConfig withSecurity(Security newSecurity) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, newSecurity, presence);
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
                .withSecurity(security)
                .withPresence(new PresenceSettings(Options.or(options.presenceTtl, config.presence().ttl()),
                        Options.or(options.leaveDelay, config.presence().leaveDelay()),
                        Options.or(options.typingInterval, config.presence().typingInterval())));
    }

    public ChatConfig withPresence(PresenceSettings newPresence) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, newPresence);
    }

    /** Presence with a short ttl and delays, for tests: ttl, leave delay, typing interval. */
    public ChatConfig withPresence(Duration ttl, Duration leaveDelay, Duration typingInterval) {
        return withPresence(new PresenceSettings(ttl, leaveDelay, typingInterval));
    }

    public ChatConfig withHost(String newHost) {
        return new ChatConfig(newHost, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, clientTimeout, subscriberRedis,
                maxQueuedBytes, security, presence);
    }
}
