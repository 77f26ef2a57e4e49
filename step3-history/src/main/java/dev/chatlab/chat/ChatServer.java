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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3: one chat node with durable history. Each message is stored in SQLite with its room's next
 * seq before it is fanned out; a join with {@code since} replays what the client missed, then goes live.
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
    private final AtomicLong connectionNumbers = new AtomicLong();

    private ChatServer(ChatConfig config) {
        this.config = config;
        this.protocol = new Protocol(config.maxMessageChars());
        this.history = History.open(config.database());
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
            javalin.routes.exception(History.Unavailable.class, (e, ctx) -> {
                log.warn("history unavailable: {}", e.getMessage());
                ctx.status(503).contentType("application/json").result(Protocol.error("unavailable", "history is unavailable"));
            });
            // The same path serves the page (plain GET) and the socket (GET with Upgrade: websocket).
            javalin.routes.ws("/", ws -> {
                ws.onConnect(ctx -> {
                    Connection connection = new Connection(connectionNumbers.incrementAndGet(), ctx);
                    ctx.attribute(CONNECTION, connection);
                    if (!config.pingInterval().isZero()) {
                        ctx.enableAutomaticPings(config.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
                    }
                    log.info("{} connected from {}", connection.id, connection.remoteAddress());
                });
                ws.onMessage(ctx -> receive(connection(ctx), ctx.message()));
                ws.onBinaryMessage(ctx -> connection(ctx).send(
                        Protocol.error("bad_json", "binary frames are not accepted; send JSON text frames")));
                ws.onClose(ctx -> {
                    Connection connection = connection(ctx);
                    rooms.leave(connection);
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
            connection.send(Protocol.error("unavailable", "the history store is unavailable; try again"));
        }
    }

    private void handle(Connection connection, Request request) throws BadFrame {
        if (request instanceof Join join) {
            if (join.name() != null) {
                connection.name(join.name());
            }
            join(connection, join.roomId(), join.since());
        } else if (request instanceof Say say) {
            String roomId = connection.roomId();
            if (roomId == null) {
                throw new BadFrame("not_joined", "join a room before sending messages");
            }
            synchronized (rooms.lockFor(roomId)) {
                // Stored first, then fanned out: a message nobody could read back is never delivered.
                History.Message stored = history.append(roomId, connection.name(), say.message(), System.currentTimeMillis());
                rooms.broadcast(roomId, Protocol.message(stored));
            }
        } else if (request instanceof Leave) {
            rooms.leave(connection);
        } else if (request instanceof Ping) {
            connection.send(Protocol.pong());
        }
    }

    /**
     * Joins the room and replays what the client missed. Under the room's lock a message is either
     * stored before the join (and replayed) or after it (and fanned out to this member): never both,
     * never neither.
     */
    private void join(Connection connection, String roomId, Long since) {
        synchronized (rooms.lockFor(roomId)) {
            rooms.join(connection, roomId);
            long latest = history.latestSeq(roomId);
            boolean recovered = true;
            List<History.Message> missed = List.of();
            // exercise:begin replay-since: on a join with since, read what the client missed from the history (at most maxReplay; past that, or a since ahead of the room: recovered=false)
            if (since != null && since > latest) {
                // The client has seen seqs this history does not have: its copy is from another history.
                recovered = false;
            } else if (since != null && since < latest) {
                long from = since;
                if (latest - since > config.maxReplay()) {
                    from = latest - config.maxReplay();
                    recovered = false;
                }
                missed = history.after(roomId, from, config.maxReplay());
            }
            // exercise:end replay-since
            connection.send(Protocol.joined(roomId, latest, recovered));
            missed.forEach(m -> connection.send(Protocol.message(m)));
        }
    }

    private static Connection connection(WsContext ctx) {
        return ctx.attribute(CONNECTION);
    }

    /** Starts a server and returns once it accepts connections. */
    public static ChatServer start(ChatConfig config) {
        ChatServer server = new ChatServer(config);
        server.app.start(config.host(), config.port());
        return server;
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
        ChatServer server = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        log.info("step 3 (history) listening: open {}?roomId=lobby in two browser windows; WebSocket at {}; history in {}",
                server.httpUri(), server.wsUri(), config.database().toAbsolutePath());
    }
}
