package dev.chatlab.chat;

import java.net.URI;
import java.time.Duration;
import java.util.List;

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
 * @param backfill          whether the node fetches from Redis what its subscription missed
 * @param adminPort         the loopback-only port of the admin endpoint ({@code POST /admin/drain}); 0 picks one
 * @param drainGrace        how long a draining node waits, answering {@code /ready} with 503, before it closes
 *                          clients: the load balancer's checks need that long to stop sending new ones
 * @param drainWindow       the window over which a draining node spreads its clients' 1012 closes
 * @param drainDeadline     when a draining node gives up waiting for its clients and stops anyway
 * @param maxQueuedBytes    how much may wait in one connection's outgoing queue before it is closed as a
 *                          slow consumer (4008)
 * @param clientTimeout     how long a client that sends heartbeats may stay silent before it is presumed dead
 * @param subscriberRedis   where the subscription connects: the same Redis as {@code redis}, possibly by
 *                          another route (tests put a fault injector on the subscription alone)
 * @param security          who may open a socket and how much it may send: the profile, origins, tokens and limits
 */
public record ChatConfig(String host, int port, Duration idleTimeout, Duration pingInterval,
                         int maxFrameBytes, int maxMessageChars, String nodeId, URI redis,
                         int historyLength, int maxReplay, Duration dedupeWindow, Duration commandTimeout,
                         Duration heartbeatInterval, Duration heartbeatTimeout, Duration resubscribeDelay,
                         boolean backfill, int adminPort, Duration drainGrace, Duration drainWindow,
                         Duration drainDeadline, long maxQueuedBytes, Duration clientTimeout, URI subscriberRedis,
                         Security security) {

    private static final String USAGE = "usage: [--host ADDRESS] [--port N] [--redis redis://HOST:PORT] [--node NAME]"
            + " [--admin-port N] [--drain-grace DURATION] [--drain-window DURATION] [--drain-deadline DURATION]"
            + " [--max-queued-bytes N] [--client-timeout DURATION] [--redis-subscriber redis://HOST:PORT]"
            + " [--backfill on|off] [--profile workshop|secure] [--allowed-origins ORIGIN,...]"
            + " [--trusted-proxies IP,...] [--token-secret SECRET] [--token-ttl DURATION] [--require-tls on|off]"
            + " [--max-connections N] [--max-connections-per-ip N] [--rate-messages N] [--rate-bytes N]"
            + "   (durations like 500ms, 3s, 2m; the secret is better passed as TOKEN_SECRET)";

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
                0, Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(30), 4L * 1024 * 1024,
                Duration.ofSeconds(30), URI.create("redis://127.0.0.1:6379"), Security.workshop());
    }

    /** The defaults on a free loopback port, for tests, against the given Redis. */
    public static ChatConfig forTests(String nodeId, URI redis) {
        return defaults().withPort(0).withNode(nodeId, redis);
    }

    public ChatConfig withPort(int newPort) {
        return new ChatConfig(host, newPort, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout, subscriberRedis, security);
    }

    public ChatConfig withHost(String newHost) {
        return new ChatConfig(newHost, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout, subscriberRedis, security);
    }

    /** Names the node and its Redis; the subscription connects to the same Redis. */
    public ChatConfig withNode(String newNodeId, URI newRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, newNodeId, newRedis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout,
                newRedis, security);
    }

    public ChatConfig withSubscriberRedis(URI newSubscriberRedis) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout,
                newSubscriberRedis, security);
    }

    public ChatConfig withTimeouts(Duration newIdleTimeout, Duration newPingInterval) {
        return new ChatConfig(host, port, newIdleTimeout, newPingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout, subscriberRedis, security);
    }

    public ChatConfig withHistory(int newHistoryLength, int newMaxReplay) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                newHistoryLength, newMaxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout, subscriberRedis, security);
    }

    public ChatConfig withSubscription(Duration newHeartbeatInterval, Duration newHeartbeatTimeout,
                                       Duration newResubscribeDelay, boolean newBackfill) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, newHeartbeatInterval, newHeartbeatTimeout,
                newResubscribeDelay, newBackfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes,
                clientTimeout, subscriberRedis, security);
    }

    public ChatConfig withAdminPort(int newAdminPort) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, newAdminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout, subscriberRedis, security);
    }

    public ChatConfig withDrain(Duration newGrace, Duration newWindow, Duration newDeadline) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, newGrace, newWindow, newDeadline, maxQueuedBytes, clientTimeout, subscriberRedis, security);
    }

    public ChatConfig withLimits(long newMaxQueuedBytes, Duration newClientTimeout) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, newMaxQueuedBytes,
                newClientTimeout, subscriberRedis, security);
    }

    public ChatConfig withSecurity(Security newSecurity) {
        return new ChatConfig(host, port, idleTimeout, pingInterval, maxFrameBytes, maxMessageChars, nodeId, redis,
                historyLength, maxReplay, dedupeWindow, commandTimeout, heartbeatInterval, heartbeatTimeout,
                resubscribeDelay, backfill, adminPort, drainGrace, drainWindow, drainDeadline, maxQueuedBytes, clientTimeout,
                subscriberRedis, newSecurity);
    }

    /**
     * Reads {@code --host}, {@code --port}, {@code --redis}, {@code --node}, {@code --admin-port} (or the
     * {@code HOST}, {@code PORT}, {@code REDIS_URL}, {@code NODE_ID} and {@code ADMIN_PORT} environment variables),
     * and the security flags: {@code --profile} picks the defaults ({@link Security#workshop()} or
     * {@link Security#secure(String)}), the other flags override them; the token secret comes from
     * {@code --token-secret} or {@code TOKEN_SECRET} (the environment keeps it out of {@code ps}).
     */
    public static ChatConfig fromArgs(String[] args) {
        ChatConfig config = defaults();
        String host = System.getenv().getOrDefault("HOST", config.host());
        String port = System.getenv().getOrDefault("PORT", String.valueOf(config.port()));
        String redis = System.getenv().getOrDefault("REDIS_URL", config.redis().toString());
        String node = System.getenv().getOrDefault("NODE_ID", config.nodeId());
        String adminPort = System.getenv().getOrDefault("ADMIN_PORT", String.valueOf(config.adminPort()));
        Duration drainGrace = config.drainGrace();
        Duration drainWindow = config.drainWindow();
        Duration drainDeadline = config.drainDeadline();
        String maxQueuedBytes = String.valueOf(config.maxQueuedBytes());
        Duration clientTimeout = config.clientTimeout();
        String subscriber = null;
        boolean backfill = config.backfill();
        String profile = "workshop";
        String origins = null;
        String proxies = null;
        String secret = System.getenv("TOKEN_SECRET");
        Duration tokenTtl = null;
        Boolean requireTls = null;
        String maxConnections = null;
        String maxPerIp = null;
        String rateMessages = null;
        String rateBytes = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value; " + USAGE);
            }
            switch (flag) {
                case "--host" -> host = args[++i];
                case "--port" -> port = args[++i];
                case "--redis" -> redis = args[++i];
                case "--node" -> node = args[++i];
                case "--admin-port" -> adminPort = args[++i];
                case "--drain-grace" -> drainGrace = duration(flag, args[++i]);
                case "--drain-window" -> drainWindow = duration(flag, args[++i]);
                case "--drain-deadline" -> drainDeadline = duration(flag, args[++i]);
                case "--max-queued-bytes" -> maxQueuedBytes = args[++i];
                case "--client-timeout" -> clientTimeout = duration(flag, args[++i]);
                case "--redis-subscriber" -> subscriber = args[++i];
                case "--backfill" -> backfill = onOff(flag, args[++i]);
                case "--profile" -> profile = args[++i];
                case "--allowed-origins" -> origins = args[++i];
                case "--trusted-proxies" -> proxies = args[++i];
                case "--token-secret" -> secret = args[++i];
                case "--token-ttl" -> tokenTtl = duration(flag, args[++i]);
                case "--require-tls" -> requireTls = onOff(flag, args[++i]);
                case "--max-connections" -> maxConnections = args[++i];
                case "--max-connections-per-ip" -> maxPerIp = args[++i];
                case "--rate-messages" -> rateMessages = args[++i];
                case "--rate-bytes" -> rateBytes = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + flag + "; " + USAGE);
            }
        }
        URI redisUri = redisUri("--redis", redis);
        URI subscriberUri = subscriber == null ? redisUri : redisUri("--redis-subscriber", subscriber);
        long queueLimit;
        try {
            queueLimit = Long.parseLong(maxQueuedBytes);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-queued-bytes must be a number, got '" + maxQueuedBytes + "'");
        }
        if (secret != null && secret.isBlank()) {
            secret = null;
        }
        Security security = Security.Profile.parse(profile) == Security.Profile.SECURE
                ? Security.secure(secret) : Security.workshop().withToken(secret, Security.workshop().tokenTtl());
        if (origins != null) {
            security = security.withOrigins(List.of(origins.split(",")));
        }
        if (proxies != null) {
            security = security.withTrustedProxies(List.of(proxies.split(",")));
        }
        if (tokenTtl != null) {
            security = security.withToken(security.tokenSecret(), tokenTtl);
        }
        if (requireTls != null) {
            security = security.withRequireTls(requireTls);
        }
        security = security.withConnectionCaps(
                maxConnections == null ? security.maxConnections() : number("--max-connections", maxConnections),
                maxPerIp == null ? security.maxConnectionsPerIp() : number("--max-connections-per-ip", maxPerIp));
        security = security.withRates(
                rateMessages == null ? security.rateMessages() : number("--rate-messages", rateMessages),
                rateBytes == null ? security.rateBytes() : number("--rate-bytes", rateBytes),
                security.maxStrikes(), security.strikeWindow());
        return config.withPort(number("--port", port)).withNode(node, redisUri).withHost(host)
                .withAdminPort(number("--admin-port", adminPort))
                .withDrain(drainGrace, drainWindow, drainDeadline)
                .withLimits(queueLimit, clientTimeout)
                .withSubscriberRedis(subscriberUri)
                .withSubscription(config.heartbeatInterval(), config.heartbeatTimeout(), config.resubscribeDelay(), backfill)
                .withSecurity(security);
    }

    private static boolean onOff(String flag, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(flag + " must be on or off, got '" + value + "'");
        };
    }

    private static URI redisUri(String flag, String value) {
        try {
            return URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " must look like redis://HOST:PORT, got '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 3s} or {@code 2m}. */
    static Duration duration(String flag, String value) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            } else if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            } else if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException(flag + " must be a duration like 500ms, 3s or 2m, got '" + value + "'");
    }

    private static int number(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + value + "'");
        }
    }
}
