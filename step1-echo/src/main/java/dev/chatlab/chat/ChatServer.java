package dev.chatlab.chat;

import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Step 1: a WebSocket echo server. Every text frame is answered to its sender, and to nobody else. */
public final class ChatServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    private static final String CONNECTION_ID = "connectionId";

    private final ChatConfig config;
    private final Javalin app;
    /** Jetty's HTTP sessions: the server keeps none (see the session cache below). */
    private volatile SessionHandler sessions;
    private final AtomicLong connectionIds = new AtomicLong();

    private ChatServer(ChatConfig config) {
        this.config = config;
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
            javalin.jetty.modifyWebSocketServletFactory(factory -> factory.setIdleTimeout(config.idleTimeout()));
            javalin.routes.get("/", ctx -> ctx.html(page));
            // The same path serves the page (plain GET) and the socket (GET with Upgrade: websocket).
            javalin.routes.ws("/", ws -> {
                ws.onConnect(ctx -> {
                    String id = "c" + connectionIds.incrementAndGet();
                    ctx.attribute(CONNECTION_ID, id);
                    log.info("{} connected from {}", id, ctx.session.getRemoteSocketAddress());
                });
                // exercise:begin echo-reply: answer every text frame, to its sender only, with "Hello, you sent -> " and the frame's text
                ws.onMessage(ctx -> ctx.send("Hello, you sent -> " + ctx.message()));
                // exercise:end echo-reply
                ws.onBinaryMessage(ctx -> ctx.send("Binary frames are not supported here: send text."));
                ws.onClose(ctx -> log.info("{} disconnected ({} {})", id(ctx), ctx.status(), ctx.reason()));
                ws.onError(ctx -> log.warn("{} failed: {}", id(ctx), String.valueOf(ctx.error())));
            });
        });
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
    }

    private static String id(WsContext ctx) {
        return ctx.attribute(CONNECTION_ID);
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
        log.info("step 1 (echo) listening: open {} in a browser; WebSocket at {}", server.httpUri(), server.wsUri());
    }
}
