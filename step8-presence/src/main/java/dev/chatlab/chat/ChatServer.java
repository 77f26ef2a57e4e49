package dev.chatlab.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.chat.Protocol.BadFrame;
import dev.chatlab.chat.Protocol.Join;
import dev.chatlab.chat.Protocol.Leave;
import dev.chatlab.chat.Protocol.Ping;
import dev.chatlab.chat.Protocol.Request;
import dev.chatlab.chat.Protocol.Say;
import dev.chatlab.chat.Protocol.Typing;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.RegexPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 8: step 7's node, with presence and typing. Everything step 7 does stays (the hardened swarm node, made fast);
 * a room now also knows who is in it, across nodes, and relays who is typing: state that is temporary, unordered and
 * fine to lose, kept apart from the message log.
 */
public final class ChatServer implements AutoCloseable {
    /** Jetty's worker threads at most; {@code -Dchat.maxThreads=N} sets it, for measuring (the step's README). */
    static final int MAX_THREADS = Integer.getInteger("chat.maxThreads", 64);
    /** Appends waiting for Redis at most; past this a send is answered {@code unavailable} at once. */
    static final int MAX_QUEUED_APPENDS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    private static final int BAD_FRAMES_LOGGED = 5;
    /** Close code for a policy violation: a client that keeps sending past its rate limit. */
    static final int POLICY = 1008;
    /** Close code for a client whose outgoing queue overflowed: reconnect and resume. */
    static final int SLOW_CONSUMER = 4008;
    /** Close code for a node that is going away on purpose: reconnect now, elsewhere. */
    static final int SERVICE_RESTART = 1012;

    private final ChatConfig config;
    private final Javalin app;
    private final Rooms rooms = new Rooms();
    private final Protocol protocol;
    private final History history;
    private final Appender appender;
    private final Fanout fanout;
    private final Presence presence;
    private final Metrics metrics;
    private final Admin admin;
    private final Tokens tokens;
    private final Gate gate;
    private final ScheduledExecutorService scheduler;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionNumbers = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CompletableFuture<String> drained = new CompletableFuture<>();

    private ChatServer(ChatConfig config) {
        this.config = config;
        this.protocol = new Protocol(config.maxMessageChars());
        this.metrics = new Metrics(config.nodeId());
        this.history = new History(config.redis().getHost(), config.redis().getPort(), config.commandTimeout(),
                config.historyLength(), config.dedupeWindow());
        this.appender = new Appender(config.redis().getHost(), config.redis().getPort(), config.commandTimeout(),
                config.historyLength(), config.dedupeWindow(), config.nodeId(), MAX_QUEUED_APPENDS);
        this.presence = new Presence(config, history, rooms, metrics);
        this.fanout = new Fanout(config, history, rooms, metrics, presence);
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, config.nodeId() + "-timers");
            t.setDaemon(true);
            return t;
        });
        metrics.gauge("chat.connections", "open WebSocket connections", connections::size);
        metrics.gauge("chat.rooms", "rooms with members on this node", rooms::count);
        metrics.gauge("chat.appends.queued", "sends waiting for Redis to store them", appender::queued);
        metrics.gauge("chat.draining", "1 while the node drains", () -> draining.get() ? 1 : 0);
        metrics.gauge("chat.redis.subscribed", "1 while the Redis subscription is confirmed", () -> fanout.subscribed() ? 1 : 0);
        Security security = config.security();
        this.tokens = security.tokenSecret() == null ? null : new Tokens(security.tokenSecret(), security.tokenTtl());
        this.gate = new Gate(security, tokens, metrics, config.nodeId());
        HistoryApi historyApi = new HistoryApi(history);
        String page = resource("/public/index.html").replace("{{auth}}", security.tokensRequired() ? "token" : "none");
        this.app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            // The only request with a body is a login: a few dozen bytes.
            javalin.http.maxRequestSize = 16 * 1024;
            // Handlers wait on Redis through a pool of 32 connections: more threads than twice that would only wait
            // for the pool, and every thread costs memory (Jetty's default allows 250, a connection storm starts them all).
            QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 8, 60_000);
            threads.setName("JettyServerThreadPool");
            javalin.jetty.threadPool = threads;
            // Closes each connection gently, so a client still writing reads the close frame (see the class).
            javalin.jetty.addConnector((server, http) -> new LingeringConnector(server, http, config.host(), config.port()));
            // WebSocket upgrades of "/" are taken here, in front of Javalin's servlet (which Javalin puts inside this
            // handler): Jetty's core API, with nothing of the HTTP request kept for the socket's life. Every other
            // request goes on to Javalin's routes.
            javalin.jetty.modifyServer(server -> {
                WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
                upgrades.addMapping(new RegexPathSpec("^/$"), new Upgrades());
                // Javalin adds its servlet context to this (empty) sequence.
                upgrades.setHandler(new Handler.Sequence());
                server.setHandler(upgrades);
            });
            javalin.routes.get("/", ctx -> ctx.html(page));
            javalin.routes.get("/rooms/{roomId}/messages", security.tokensRequired()
                    ? ctx -> {
                        if (authorised(ctx, ctx.pathParam("roomId"))) {
                            historyApi.messages(ctx);
                        }
                    }
                    : historyApi::messages);
            javalin.routes.get("/rooms/{roomId}/presence", security.tokensRequired()
                    ? ctx -> {
                        if (authorised(ctx, ctx.pathParam("roomId"))) {
                            presence(ctx);
                        }
                    }
                    : this::presence);
            javalin.routes.post("/login", this::login);
            javalin.routes.get("/health", ctx -> json(ctx, 200, health()));
            javalin.routes.get("/ready", this::ready);
            javalin.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            javalin.routes.exception(History.Unavailable.class, (e, ctx) -> {
                log.warn("{}: Redis unavailable: {}", config.nodeId(), e.getMessage());
                metrics.error("unavailable");
                json(ctx, 503, Protocol.JSON.createObjectNode().put("code", "unavailable")
                        .put("message", "the chat's store is unavailable; try again").toString());
            });
        });
        this.admin = new Admin(config.adminPort(), this::drain);
    }

    /**
     * Takes a WebSocket upgrade of "/": the gate's checks run on the HTTP request, and a refusal is a 403 or 503 with
     * a JSON body, never a socket. An admitted socket gets no extension (no compression: a compressed frame can inflate
     * far beyond the frame limit, and a secret in a compressed stream can leak through its length, CRIME/BREACH).
     */
    private final class Upgrades implements WebSocketNegotiator {
        @Override
        public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
            Gate.Admission admission;
            try {
                admission = gate.admit(Gate.of(request));
            } catch (Gate.Refusal refusal) {
                byte[] body = errorBody(refusal.code, refusal.getMessage()).getBytes(StandardCharsets.UTF_8);
                response.setStatus(refusal.status);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return null;
            }
            response.setExtensions(List.of());
            return new Connection(connectionNumbers.incrementAndGet(), admission.clientAddress(), admission.identity(),
                    new RateLimit(config.security(), System.nanoTime()), config.maxQueuedBytes(), config.maxFrameBytes(),
                    events, ChatServer.this::slowConsumer, metrics);
        }

        @Override
        public void customize(Configuration configuration) {
            configuration.setIdleTimeout(config.idleTimeout());
            // A frame whose header announces more than the limit is refused with 1009 before its payload is read
            // (autoFragment off makes Jetty check each frame's size; on, it would read it in pieces); a message of many
            // small frames is refused by Connection once it passes the limit.
            configuration.setAutoFragment(false);
            configuration.setMaxFrameSize(config.maxFrameBytes());
            configuration.setMaxTextMessageSize(config.maxFrameBytes());
            configuration.setMaxBinaryMessageSize(config.maxFrameBytes());
        }
    }

    /** What a socket brings: its opening, its messages and its close. */
    private final Connection.Events events = new Connection.Events() {
        @Override
        public void opened(Connection connection) {
            connections.add(connection);
            log.info("{} connected to {} from {}{}", connection.id, config.nodeId(), connection.clientAddress,
                    connection.identity == null ? "" : " as " + Logs.clean(connection.identity.name()));
            if (draining.get()) {
                // Let in between the load balancer's checks: sent on at once.
                connection.close(SERVICE_RESTART, "node draining: reconnect");
            }
        }

        @Override
        public void text(Connection connection, String text, int bytes) {
            metrics.framesIn.increment();
            connection.lastHeardNanos = System.nanoTime();
            // The allowance counts bytes as they came on the wire, in UTF-8.
            if (withinRate(connection, bytes, text)) {
                receive(connection, text);
            }
        }

        @Override
        public void binary(Connection connection, int bytes) {
            metrics.framesIn.increment();
            if (withinRate(connection, bytes, "")) {
                refuse(connection, new BadFrame("bad_json", "binary frames are not accepted; send JSON text frames"), null);
            }
        }

        @Override
        public void closed(Connection connection, int code, String reason) {
            leave(connection);
            if (connections.remove(connection)) {
                gate.release(connection.clientAddress);
            }
            log.info("{} from {} disconnected from {} ({} {})", connection.id, connection.clientAddress,
                    config.nodeId(), code, Logs.clean(reason));
        }
    };

    private void receive(Connection connection, String text) {
        String clientMsgId = null;
        try {
            Request request = protocol.parse(text);
            if (request instanceof Say say) {
                clientMsgId = say.clientMsgId();
            }
            handle(connection, request);
        } catch (BadFrame bad) {
            refuse(connection, bad, clientMsgId);
        } catch (History.Unavailable e) {
            unavailable(connection, clientMsgId, e);
        }
    }

    private void unavailable(Connection connection, String clientMsgId, History.Unavailable e) {
        log.warn("{}: {}", connection.id, e.getMessage());
        metrics.error("unavailable");
        // With its clientMsgId, a resilient client knows which send to retry.
        String message = "the chat's store is unavailable; try again";
        connection.send(clientMsgId == null ? Protocol.error("unavailable", message)
                : Protocol.error("unavailable", message, clientMsgId));
    }

    /** Answers a frame the node will not act on with an {@code error}; the first few per client are logged. */
    private void refuse(Connection connection, BadFrame bad, String clientMsgId) {
        metrics.error(bad.code);
        if (connection.badFramesLogged < BAD_FRAMES_LOGGED) {
            connection.badFramesLogged++;
            log.info("{} from {}: refused a frame: {}{}", connection.id, connection.clientAddress, bad.code,
                    connection.badFramesLogged == BAD_FRAMES_LOGGED ? " (more are counted in chat_errors_total, not logged)" : "");
        }
        connection.send(clientMsgId == null ? Protocol.error(bad.code, bad.getMessage())
                : Protocol.error(bad.code, bad.getMessage(), clientMsgId));
    }

    /**
     * Spends the frame from the client's allowance before anything else is done with it. A frame over the
     * limit is answered {@code error: rate_limited} (with its clientMsgId, so a resilient client retries it
     * later); a client that keeps going anyway is closed with 1008.
     */
    private boolean withinRate(Connection connection, long bytes, String frame) {
        RateLimit.Verdict verdict = connection.rateLimit.take(bytes, System.nanoTime());
        if (verdict == RateLimit.Verdict.ADMITTED) {
            return true;
        }
        metrics.error("rate_limited");
        if (connection.isClosing()) {
            return false;
        }
        if (verdict == RateLimit.Verdict.ABUSE) {
            metrics.abusers.increment();
            log.warn("{} from {}: over {} frames refused within {} s; closing with {}", connection.id,
                    connection.clientAddress, config.security().maxStrikes(), config.security().strikeWindow().toSeconds(),
                    POLICY);
            connection.close(POLICY, "rate limit exceeded again and again");
            // A flooder may not even read the close frame: its TCP connection goes shortly after.
            scheduler.schedule(connection::disconnect, 2, TimeUnit.SECONDS);
            return false;
        }
        if (connection.rateLimit.refusals() == 1 || connection.rateLimit.refusals() % 1000 == 0) {
            log.info("{} from {}: rate limited ({} frames refused so far)", connection.id, connection.clientAddress,
                    connection.rateLimit.refusals());
        }
        String clientMsgId = Protocol.clientMsgIdIn(frame);
        String message = "slow down: at most " + (long) config.security().rateMessages() + " frames and "
                + config.security().rateBytes() + " bytes per second";
        connection.send(clientMsgId == null ? Protocol.error("rate_limited", message)
                : Protocol.error("rate_limited", message, clientMsgId));
        return false;
    }

    private void handle(Connection connection, Request request) throws BadFrame {
        if (request instanceof Join join) {
            Tokens.Identity identity = connection.identity;
            if (identity != null) {
                if (identity.expired(Instant.now())) {
                    log.info("{} from {}: join refused: the token of {} has expired", connection.id,
                            connection.clientAddress, Logs.clean(identity.name()));
                    throw new BadFrame("forbidden", "your token has expired; reconnect with a new one");
                }
                if (!identity.allows(join.roomId())) {
                    log.info("{} from {}: join to {} refused: not in the token of {}", connection.id,
                            connection.clientAddress, join.roomId(), Logs.clean(identity.name()));
                    throw new BadFrame("forbidden", "your token does not allow room " + join.roomId());
                }
            } else if (join.name() != null) {
                // Anonymous (workshop) clients name themselves; a token's name cannot be changed by a join.
                connection.name(join.name());
            }
            join(connection, join);
        } else if (request instanceof Say say) {
            String roomId = connection.roomId();
            if (roomId == null) {
                throw new BadFrame("not_joined", "join a room before sending messages");
            }
            // Stored and published in one step; every node, this one included, delivers it from its subscription. The
            // append joins the node's next pipeline to Redis: no thread waits for it, and the ack goes when Redis answers.
            String clientMsgId = say.clientMsgId();
            appender.append(roomId,
                    Protocol.payload(roomId, connection.name(), say.message(), System.currentTimeMillis(), clientMsgId),
                    clientMsgId, (stored, failure) -> {
                        if (failure != null) {
                            unavailable(connection, clientMsgId, failure);
                            return;
                        }
                        if (!stored.duplicate()) {
                            metrics.published.increment();
                        }
                        if (clientMsgId != null) {
                            connection.send(Protocol.ack(clientMsgId, stored.seq()));
                        }
                    });
        } else if (request instanceof Typing) {
            typing(connection);
        } else if (request instanceof Leave) {
            leave(connection);
        } else if (request instanceof Ping) {
            connection.heartbeats = true;
            connection.send(Protocol.pong());
        }
    }

    /**
     * Joins the room and replays what the client missed. Under the room's lock, a message this node
     * delivers live either has a seq up to the head read here (and is in the replay, or was asked not
     * to be) or after it (and is delivered to this member live): never both, never neither.
     */
    private void join(Connection connection, Join join) {
        leave(connection);
        String roomId = join.roomId();
        synchronized (rooms.lockFor(roomId)) {
            History.Head head = history.head(roomId);
            // The name is present from here on, and leaves as it was: a later join may rename an anonymous client.
            String name = connection.name();
            List<String> members = presence.join(roomId, name);
            Rooms.Room room = rooms.join(connection, roomId, head.seq(), head.epoch());
            connection.presenceName(name);
            if (!room.epoch.equals(head.epoch())) {
                fanout.resetEpoch(room, head.epoch());
            }
            boolean recovered = true;
            List<History.Message> missed = List.of();
            Long since = join.since();
            if (since != null) {
                long from = since;
                if ((join.epoch() != null && !join.epoch().equals(head.epoch())) || since > head.seq()) {
                    // The client's seqs belong to another history (Redis lost it): it gets this one from the start.
                    recovered = false;
                    from = 0;
                }
                if (head.seq() - from > config.maxReplay()) {
                    from = head.seq() - config.maxReplay();
                    recovered = false;
                }
                if (from + 1 < head.oldest()) {
                    recovered = false;
                }
                if (from < head.seq()) {
                    missed = history.after(roomId, from, (int) Math.min(head.seq() - from, config.maxReplay()));
                }
            }
            connection.lastSeq = head.seq();
            connection.send(Protocol.joined(roomId, head.seq(), head.epoch(), recovered, config.nodeId(), members));
            missed.forEach(m -> connection.send(Protocol.message(m.json())));
        }
    }

    /** Takes the connection out of its room; its name leaves after the leave delay if it was the name's last here. */
    private void leave(Connection connection) {
        String roomId = connection.roomId();
        if (roomId != null) {
            synchronized (rooms.lockFor(roomId)) {
                if (roomId.equals(connection.roomId())) {
                    rooms.leave(connection);
                    presence.left(roomId, connection.presenceName());
                }
            }
        }
    }

    /**
     * Relays that the client is typing to its room's other members, on every node: at most once per typing interval
     * per connection (the rest are dropped and counted, never refused), never stored.
     */
    private void typing(Connection connection) throws BadFrame {
        String roomId = connection.roomId();
        if (roomId == null) {
            throw new BadFrame("not_joined", "join a room before sending typing");
        }
        long now = System.nanoTime();
        if (connection.typedYet && now - connection.lastTypingNanos < config.presence().typingInterval().toNanos()) {
            metrics.typingDropped.increment();
            return;
        }
        connection.typedYet = true;
        connection.lastTypingNanos = now;
        if (presence.typing(roomId, connection.presenceName())) {
            metrics.typingRelayed.increment();
        } else {
            metrics.typingDropped.increment();
        }
    }

    /** {@code GET /rooms/{roomId}/presence}: the names present in the room, sorted. */
    private void presence(Context ctx) {
        String roomId = ctx.pathParam("roomId");
        if (!Protocol.isRoomId(roomId)) {
            HistoryApi.badRequest(ctx, "roomId must be 1-64 characters of A-Z a-z 0-9 _ . -");
            return;
        }
        json(ctx, 200, Protocol.members(roomId, presence.members(roomId)));
    }

    /**
     * A client whose outgoing queue overflowed is closed with 4008 (it may reconnect and resume from
     * its last seq) instead of letting the queue, and the node's memory, grow without bound. If it does
     * not even read the close frame, its TCP connection is dropped shortly after.
     */
    private void slowConsumer(Connection connection) {
        metrics.slowConsumers.increment();
        log.warn("{}: slow consumer ({} bytes queued); closing with {}", connection.id, connection.queuedBytes(), SLOW_CONSUMER);
        connection.close(SLOW_CONSUMER, "slow consumer: reconnect and resume");
        scheduler.schedule(connection::disconnect, 2, TimeUnit.SECONDS);
    }

    /** Drops clients that promised heartbeats (they sent {@code ping}) and then went silent: a half-open connection. */
    private void reapSilentClients() {
        long now = System.nanoTime();
        for (Connection connection : connections) {
            long silent = now - connection.lastHeardNanos;
            if (connection.heartbeats && silent > config.clientTimeout().toNanos()) {
                log.info("{}: no heartbeat for {} ms; dropping the connection", connection.id,
                        TimeUnit.NANOSECONDS.toMillis(silent));
                metrics.deadClients.increment();
                connection.disconnect();
            }
        }
    }

    private String health() {
        return Protocol.JSON.createObjectNode()
                .put("node", config.nodeId())
                .put("status", "up")
                .put("draining", draining.get())
                .put("subscribed", fanout.subscribed())
                .put("resubscriptions", fanout.resubscriptions())
                .put("backfilled", fanout.backfilled())
                .put("connections", connections.size())
                .put("profile", config.security().profile().toString())
                .put("rooms", rooms.count())
                .toString();
    }

    /** Ready for new clients: not draining, subscribed, and Redis answers. The load balancer checks this. */
    private void ready(Context ctx) {
        String reason = draining.get() ? "draining" : !fanout.subscribed() ? "not subscribed to Redis"
                : !history.ping() ? "Redis does not answer" : null;
        json(ctx, reason == null ? 200 : 503, Protocol.JSON.createObjectNode()
                .put("node", config.nodeId()).put("ready", reason == null).put("reason", reason).toString());
    }

    /** {@code POST /login {"name": ...}}: a token for that name and every room (the lab's stand-in for a real login). */
    private void login(Context ctx) {
        if (tokens == null) {
            json(ctx, 404, errorBody("no_login", "this node issues no tokens (start it with --token-secret or TOKEN_SECRET)"));
            return;
        }
        String client = gate.clientAddress(ctx);
        if (config.security().requireTls() && !gate.viaTls(ctx)) {
            log.info("login from {} refused: not over TLS", client);
            json(ctx, 403, errorBody("forbidden", "log in over https://"));
            return;
        }
        String name;
        try {
            JsonNode body = Protocol.JSON.readTree(ctx.body());
            name = body == null ? null : body.path("name").asText(null);
        } catch (JsonProcessingException e) {
            name = null;
        }
        if (name == null || !Protocol.isName(name.strip())) {
            log.info("login from {} refused: no valid name", client);
            json(ctx, 400, errorBody("bad_payload", "send {\"name\": ...}: 1-32 characters, without control characters"));
            return;
        }
        name = name.strip();
        String token = tokens.issue(name, List.of(Tokens.ANY_ROOM));
        log.info("login from {}: token issued to {} for {} s", client, Logs.clean(name), tokens.ttl().toSeconds());
        json(ctx, 200, Protocol.JSON.createObjectNode().put("name", name).put("token", token)
                .put("expiresIn", tokens.ttl().toSeconds()).toString());
    }

    /** For HTTP routes of the secure profile: the request's token must allow {@code roomId}; answers 401/403 if not. */
    private boolean authorised(Context ctx, String roomId) {
        try {
            Tokens.Identity identity = gate.identify(ctx);
            if (!identity.allows(roomId)) {
                json(ctx, 403, errorBody("forbidden", "your token does not allow this room"));
                return false;
            }
            return true;
        } catch (Tokens.Refused e) {
            log.info("request for {} from {} refused: {}", ctx.path(), gate.clientAddress(ctx), e.getMessage());
            json(ctx, 401, errorBody("unauthorized", "a valid token is required: " + e.getMessage()));
            return false;
        }
    }

    private static String errorBody(String code, String message) {
        return Protocol.JSON.createObjectNode().put("code", code).put("message", message).toString();
    }

    private static void json(Context ctx, int status, String body) {
        ctx.status(status).contentType("application/json").result(body);
    }

    /**
     * Drains the node: {@code /ready} turns 503 at once; after {@code drainGrace} (time for the load
     * balancer's checks to notice) every client is closed with 1012, the closes spread evenly over
     * {@code drainWindow} so the other nodes see a ramp, not a wall; done when no client is left, or
     * at {@code drainDeadline}. Returns what ended it.
     */
    public CompletableFuture<String> drain() {
        if (!draining.compareAndSet(false, true)) {
            return drained;
        }
        log.info("{} draining: /ready answers 503; {} clients will be asked to reconnect over {} ms, starting in {} ms",
                config.nodeId(), connections.size(), config.drainWindow().toMillis(), config.drainGrace().toMillis());
        scheduler.schedule(this::closeClientsSpread, config.drainGrace().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> finishDrain("deadline, " + connections.size() + " clients left"),
                config.drainDeadline().toMillis(), TimeUnit.MILLISECONDS);
        return drained;
    }

    private void closeClientsSpread() {
        List<Connection> clients = new ArrayList<>(connections);
        long window = config.drainWindow().toNanos();
        for (int i = 0; i < clients.size(); i++) {
            Connection client = clients.get(i);
            long delay = clients.size() <= 1 ? 0 : window * i / (clients.size() - 1);
            scheduler.schedule(() -> client.close(SERVICE_RESTART, "node draining: reconnect"), delay, TimeUnit.NANOSECONDS);
        }
        scheduler.scheduleWithFixedDelay(() -> {
            if (connections.isEmpty()) {
                finishDrain("every client left");
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    private void finishDrain(String why) {
        if (drained.complete(why)) {
            log.info("{} drained: {}", config.nodeId(), why);
        }
    }

    public boolean isDraining() {
        return draining.get();
    }

    /** Starts a node and returns once it accepts connections and its Redis subscription is confirmed. */
    public static ChatServer start(ChatConfig config) {
        ChatServer server = new ChatServer(config);
        try {
            server.fanout.start(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            server.admin.close();
            server.presence.close();
            server.appender.close();
            server.history.close();
            throw e;
        }
        server.appender.start();
        server.presence.start();
        server.app.start(config.host(), config.port());
        long every = Math.max(1, config.clientTimeout().toMillis() / 3);
        server.scheduler.scheduleWithFixedDelay(server::reapSilentClients, every, every, TimeUnit.MILLISECONDS);
        if (!config.pingInterval().isZero()) {
            // One task pings every socket, instead of a timer per socket.
            long ping = config.pingInterval().toMillis();
            server.scheduler.scheduleWithFixedDelay(() -> server.connections.forEach(Connection::ping), ping, ping,
                    TimeUnit.MILLISECONDS);
        }
        return server;
    }

    public String nodeId() {
        return config.nodeId();
    }

    public int port() {
        return app.port();
    }

    public int adminPort() {
        return admin.port();
    }

    public URI wsUri() {
        return URI.create("ws://" + config.host() + ":" + port() + "/");
    }

    public URI httpUri() {
        return URI.create("http://" + config.host() + ":" + port() + "/");
    }

    /** Stops the node. Clients are closed with 1001 first: stopping Jetty under them would give them 1006. */
    @Override
    public void close() {
        // First: the leaves of the clients closed below must not run. The entries expire, so a client that reconnects
        // to another node meanwhile shows no leave.
        presence.close();
        connections.forEach(c -> c.close(1001, "node stopping"));
        app.stop();
        admin.close();
        scheduler.shutdownNow();
        appender.close();
        fanout.close();
        history.close();
    }

    static String resource(String path) {
        try (InputStream in = ChatServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        ChatConfig config;
        try {
            config = ChatConfig.fromArgs(args);
        } catch (Options.HelpRequested help) {
            System.out.print(help.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ChatServer server;
        try {
            server = start(config);
        } catch (IllegalStateException e) {
            System.err.println(config.nodeId() + ": " + e.getMessage() + " (is redis-server running? ./lab up starts one)");
            System.exit(1);
            return;
        }
        // SIGTERM drains: the JVM waits for this hook, and the node keeps serving while it runs.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.drain().get(config.drainDeadline().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("{}: drain did not finish: {}", config.nodeId(), e.toString());
            }
            server.close();
        }, "drain-on-sigterm"));
        server.drained.thenRun(() -> {
            // A drain started from the admin endpoint ends the process too; the hook then finds it done.
            new Thread(() -> System.exit(0), "exit-after-drain").start();
        });
        log.info("step 8 {} listening: {} (WebSocket {}), admin on 127.0.0.1:{}, Redis at {}, {} profile;"
                        + " presence ttl {}, leave delay {}, typing interval {}",
                config.nodeId(), server.httpUri(), server.wsUri(), server.adminPort(), config.redis(),
                config.security().profile(), Options.show(config.presence().ttl()),
                Options.show(config.presence().leaveDelay()), Options.show(config.presence().typingInterval()));
    }
}
