package dev.chatlab.chat;

import dev.chatlab.chat.Protocol.BadFrame;
import dev.chatlab.chat.Protocol.Join;
import dev.chatlab.chat.Protocol.Leave;
import dev.chatlab.chat.Protocol.Ping;
import dev.chatlab.chat.Protocol.Request;
import dev.chatlab.chat.Protocol.Say;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 4: one of several chat nodes that behave as one chat. History and seq live in Redis, shared by
 * every node; a message is stored and published in one step, and each node delivers what it hears on
 * its subscription to its own members, filling any gap from the stored history.
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    private static final String CONNECTION = "connection";

    private final ChatConfig config;
    private final Javalin app;
    /** Jetty's HTTP sessions: the server keeps none (see the session cache below). */
    private volatile SessionHandler sessions;
    private final Rooms rooms = new Rooms();
    private final Protocol protocol;
    private final History history;
    private final Fanout fanout;
    private final AtomicLong connectionNumbers = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    private ChatServer(ChatConfig config) {
        this.config = config;
        this.protocol = new Protocol(config.maxMessageChars());
        this.history = new History(config.redis().getHost(), config.redis().getPort(), config.commandTimeout(),
                config.historyLength(), config.dedupeWindow());
        this.fanout = new Fanout(config, history, rooms);
        HistoryApi historyApi = new HistoryApi(history);
        String page = resource("/public/index.html");
        this.app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            // Javalin opens an HTTP session on every WebSocket upgrade. Nothing here uses one, and Jetty's default cache
            // kept each after its socket closed, for the life of the process: so none is kept.
            javalin.jetty.modifyServletContextHandler(handler -> {
                sessions = handler.getSessionHandler();
                NullSessionCache none = new NullSessionCache(sessions);
                none.setSessionDataStore(new NullSessionDataStore());
                sessions.setSessionCache(none);
            });
            javalin.jetty.modifyWebSocketServletFactory(factory -> {
                factory.setIdleTimeout(config.idleTimeout());
                // Bigger frames are refused by Jetty with close code 1009 before anything is parsed.
                factory.setMaxTextMessageSize(config.maxFrameBytes());
                factory.setMaxBinaryMessageSize(config.maxFrameBytes());
            });
            javalin.routes.get("/", ctx -> ctx.html(page));
            javalin.routes.get("/rooms/{roomId}/messages", historyApi::messages);
            javalin.routes.get("/health", ctx -> ctx.contentType("application/json").result(Protocol.JSON.createObjectNode()
                    .put("node", config.nodeId())
                    .put("status", "up")
                    .put("subscribed", fanout.subscribed())
                    .put("resubscriptions", fanout.resubscriptions())
                    .put("backfilled", fanout.backfilled())
                    .put("connections", connections.get())
                    .put("rooms", rooms.count())
                    .toString()));
            javalin.routes.exception(History.Unavailable.class, (e, ctx) -> {
                log.warn("{}: Redis unavailable: {}", config.nodeId(), e.getMessage());
                ctx.status(503).contentType("application/json")
                        .result(Protocol.JSON.createObjectNode().put("code", "unavailable")
                                .put("message", "history is unavailable; try again").toString());
            });
            // The same path serves the page (plain GET) and the socket (GET with Upgrade: websocket).
            javalin.routes.ws("/", ws -> {
                ws.onConnect(ctx -> {
                    Connection connection = new Connection(connectionNumbers.incrementAndGet(), ctx);
                    ctx.attribute(CONNECTION, connection);
                    connections.incrementAndGet();
                    if (!config.pingInterval().isZero()) {
                        ctx.enableAutomaticPings(config.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    log.info("{} connected to {} from {}", connection.id, config.nodeId(), connection.remoteAddress());
                });
                ws.onMessage(ctx -> receive(connection(ctx), ctx.message()));
                ws.onBinaryMessage(ctx -> connection(ctx).send(
                        Protocol.error("bad_json", "binary frames are not accepted; send JSON text frames")));
                ws.onClose(ctx -> {
                    Connection connection = connection(ctx);
                    leave(connection);
                    connections.decrementAndGet();
                    log.info("{} disconnected ({} {})", connection.id, ctx.status(), ctx.reason());
                });
                ws.onError(ctx -> log.warn("{} failed: {}", connection(ctx).id, String.valueOf(ctx.error())));
            });
        });
    }

    private void receive(Connection connection, String text) {
        try {
            handle(connection, protocol.parse(text));
        } catch (BadFrame bad) {
            log.debug("{} sent a bad frame: {}", connection.id, bad.code);
            connection.send(Protocol.error(bad.code, bad.getMessage()));
        } catch (History.Unavailable e) {
            log.warn("{}: {}", connection.id, e.getMessage());
            connection.send(Protocol.error("unavailable", "the chat's store is unavailable; try again"));
        }
    }

    private void handle(Connection connection, Request request) throws BadFrame {
        if (request instanceof Join join) {
            if (join.name() != null) {
                connection.name(join.name());
            }
            join(connection, join);
        } else if (request instanceof Say say) {
            String roomId = connection.roomId();
            if (roomId == null) {
                throw new BadFrame("not_joined", "join a room before sending messages");
            }
            // Stored and published in one step; every node, this one included, delivers it from its subscription.
            History.Appended stored = history.append(roomId,
                    Protocol.payload(roomId, connection.name(), say.message(), System.currentTimeMillis(), say.clientMsgId()),
                    say.clientMsgId());
            if (say.clientMsgId() != null) {
                connection.send(Protocol.ack(say.clientMsgId(), stored.seq()));
            }
        } else if (request instanceof Leave) {
            leave(connection);
        } else if (request instanceof Ping) {
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
            Rooms.Room room = rooms.join(connection, roomId, head.seq(), head.epoch());
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
            connection.send(Protocol.joined(roomId, head.seq(), head.epoch(), recovered, config.nodeId()));
            missed.forEach(m -> connection.send(Protocol.message(m.json())));
        }
    }

    private void leave(Connection connection) {
        String roomId = connection.roomId();
        if (roomId != null) {
            synchronized (rooms.lockFor(roomId)) {
                rooms.leave(connection);
            }
        }
    }

    private static Connection connection(WsContext ctx) {
        return ctx.attribute(CONNECTION);
    }

    /** Starts a node and returns once it accepts connections and its Redis subscription is confirmed. */
    public static ChatServer start(ChatConfig config) {
        ChatServer server = new ChatServer(config);
        try {
            server.fanout.start(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            server.history.close();
            throw e;
        }
        server.app.start(config.host(), config.port());
        return server;
    }

    public String nodeId() {
        return config.nodeId();
    }

    public int port() {
        return app.port();
    }

    public URI wsUri() {
        return URI.create("ws://" + config.host() + ":" + port() + "/");
    }

    public URI httpUri() {
        return URI.create("http://" + config.host() + ":" + port() + "/");
    }

    /** Whether the server holds the HTTP session with this id: it should hold none, whatever its sockets did. */
    boolean holdsSession(String id) {
        return sessions != null && sessions.getManagedSession(id) != null;
    }

    @Override
    public void close() {
        app.stop();
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
            System.err.println(config.nodeId() + ": " + e.getMessage() + " (is redis-server running? ./lab step 4 starts one)");
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        log.info("step 4 (pub/sub) {} listening: open {}?roomId=lobby; WebSocket at {}; Redis at {}",
                config.nodeId(), server.httpUri(), server.wsUri(), config.redis());
    }
}
