package dev.chatlab.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 0: one room offered over four transports at once — short polling, long polling, server-sent
 * events and WebSocket — so that a message sent over any of them reaches clients on all four.
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 4096;
    private static final int MAX_FROM = 64;

    private final ChatConfig config;
    private final Room room;
    private final ExecutorService fanout;
    private final ScheduledExecutorService timers;
    private final Map<SseClient, Feed> streams = new ConcurrentHashMap<>();
    private final Map<String, SocketFeed> sockets = new ConcurrentHashMap<>();
    private final Javalin app;
    /** Jetty's HTTP sessions: the server keeps none (see the session cache below). */
    private volatile SessionHandler sessions;

    private record SocketFeed(WsContext ctx, Feed feed) {
    }

    /** What every poll answers: the messages after the cursor, and the cursor to send next time. */
    record Batch(List<Message> messages, long next) {
        static Batch of(List<Message> messages, long after) {
            return new Batch(messages, messages.isEmpty() ? after : messages.get(messages.size() - 1).seq());
        }
    }

    private ChatServer(ChatConfig config) {
        this.config = config;
        this.room = new Room(config.roomCapacity());
        this.fanout = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemonThreads("fanout"));
        this.timers = Executors.newSingleThreadScheduledExecutor(daemonThreads("timers"));
        long heartbeat = config.sseHeartbeat().toMillis();
        timers.scheduleAtFixedRate(() -> fanout.execute(this::heartbeat), heartbeat, heartbeat, TimeUnit.MILLISECONDS);
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
            javalin.routes.ws("/", this::webSocket);
            javalin.routes.get("/poll", this::shortPoll);
            javalin.routes.get("/long-poll", this::longPoll);
            javalin.routes.sse("/events", this::eventStream);
            javalin.routes.post("/messages", this::post);
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

    // ---- sending: POST for the HTTP transports, a text frame for WebSocket ----

    private void post(Context ctx) {
        Draft draft;
        try {
            draft = Draft.parse(ctx.body());
        } catch (IllegalArgumentException bad) {
            ctx.status(400);
            json(ctx, Map.of("error", bad.getMessage()));
            return;
        }
        ctx.status(201);
        json(ctx, room.post(draft.message(), draft.from()));
    }

    /** What a client sends, on every transport: {@code {"message": "hi", "from": "ann"}}. */
    private record Draft(String message, String from) {
        /** Reads a client's JSON; a bad one throws, with a sentence saying what is wrong. */
        static Draft parse(String body) {
            JsonNode node;
            try {
                node = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the body is not JSON");
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object like {\"message\": \"hi\"}");
            }
            JsonNode text = node.path("message");
            if (!text.isTextual() || text.asText().isEmpty()) {
                throw new IllegalArgumentException("message must be a non-empty string");
            }
            if (text.asText().length() > MAX_MESSAGE) {
                throw new IllegalArgumentException("message is longer than " + MAX_MESSAGE + " characters");
            }
            JsonNode from = node.path("from");
            if (!from.isMissingNode() && !from.isNull() && (!from.isTextual() || from.asText().length() > MAX_FROM)) {
                throw new IllegalArgumentException("from must be a string of at most " + MAX_FROM + " characters");
            }
            return new Draft(text.asText(), from.isTextual() ? from.asText() : null);
        }
    }

    // ---- short polling: answer at once with what came after the cursor ----

    private void shortPoll(Context ctx) {
        Long after = cursor(ctx);
        if (after == null) {
            return;
        }
        json(ctx, Batch.of(room.after(after), after));
    }

    // ---- long polling: hold the request until a message arrives or the timeout passes ----

    private void longPoll(Context ctx) {
        Long after = cursor(ctx);
        Duration timeout = timeout(ctx);
        if (after == null || timeout == null) {
            return;
        }
        CompletableFuture<Batch> answer = new CompletableFuture<>();
        Runnable check = () -> {
            if (!answer.isDone() && room.latest() > after) {
                answer.completeAsync(() -> Batch.of(room.after(after), after), fanout);
            }
        };
        room.listen(check);
        // A message posted before listen() is seen by this check; one posted after it, by the listener.
        check.run();
        ScheduledFuture<?> timer = timers.schedule(
                () -> answer.completeAsync(() -> Batch.of(List.of(), after), fanout), timeout.toMillis(), TimeUnit.MILLISECONDS);
        answer.whenComplete((batch, error) -> {
            room.unlisten(check);
            timer.cancel(false);
        });
        // The request holds no thread while it waits: Jetty parks it until the future completes.
        ctx.future(() -> answer.thenAccept(batch -> json(ctx, batch)));
    }

    private Duration timeout(Context ctx) {
        String asked = ctx.queryParam("timeout");
        if (asked == null) {
            return config.longPollTimeout();
        }
        try {
            long millis = Long.parseLong(asked);
            if (millis >= 0) {
                return Duration.ofMillis(Math.min(millis, config.longPollTimeout().toMillis()));
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        ctx.status(400);
        json(ctx, Map.of("error", "timeout must be a number of milliseconds, got '" + asked + "'"));
        return null;
    }

    /** The {@code after} cursor; without one, the client starts from now. Answers 400 and returns null when it is bad. */
    private Long cursor(Context ctx) {
        String after = ctx.queryParam("after");
        if (after == null) {
            return room.latest();
        }
        try {
            long seq = Long.parseLong(after);
            if (seq >= 0) {
                // A cursor from the future (a server restarted since) means "from now".
                return Math.min(seq, room.latest());
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        ctx.status(400);
        json(ctx, Map.of("error", "after must be a seq (a number >= 0), got '" + after + "'"));
        return null;
    }

    // ---- server-sent events: one response that never ends, an event per message ----

    private void eventStream(SseClient client) {
        client.keepAlive();
        long after = lastEventId(client.ctx().header("Last-Event-ID"));
        Feed feed = new Feed(room, after, message -> send(client, message), fanout);
        streams.put(client, feed);
        client.onClose(() -> {
            streams.remove(client);
            feed.close();
        });
        feed.start();
        // A comment, invisible to EventSource: it tells test and bench clients that the stream is live.
        comment(client, "ready");
    }

    // Events, the ready comment and heartbeats come from different threads. Javalin's SseClient does not
    // serialize comments with events, and Jetty refuses a write while another one is blocked: one lock per stream.
    private static void send(SseClient client, Message message) {
        synchronized (client) {
            client.sendData(text(message), String.valueOf(message.seq()));
        }
    }

    private static void comment(SseClient client, String comment) {
        synchronized (client) {
            if (!client.terminated()) {
                client.sendComment(comment);
            }
        }
    }

    private long lastEventId(String header) {
        long latest = room.latest();
        if (header == null) {
            return latest;
        }
        try {
            return Math.max(0, Math.min(Long.parseLong(header.trim()), latest));
        } catch (NumberFormatException e) {
            return latest;
        }
    }

    private void heartbeat() {
        streams.keySet().forEach(client -> comment(client, "ping"));
    }

    // ---- WebSocket: one connection, frames both ways ----

    private void webSocket(WsConfig ws) {
        ws.onConnect(ctx -> {
            Feed feed = new Feed(room, room.latest(), message -> ctx.send(text(message)), fanout);
            sockets.put(ctx.sessionId, new SocketFeed(ctx, feed));
            feed.start();
        });
        ws.onMessage(ctx -> {
            Draft draft;
            try {
                draft = Draft.parse(ctx.message());
            } catch (IllegalArgumentException bad) {
                ctx.send(text(Map.of("error", bad.getMessage())));
                return;
            }
            room.post(draft.message(), draft.from());
        });
        ws.onBinaryMessage(ctx -> ctx.send(text(Map.of("error", "binary frames are not supported here: send text"))));
        ws.onClose(ctx -> {
            SocketFeed socket = sockets.remove(ctx.sessionId);
            if (socket != null) {
                socket.feed().close();
            }
        });
        ws.onError(ctx -> log.debug("websocket {} failed: {}", ctx.sessionId, String.valueOf(ctx.error())));
    }

    // ---- plumbing ----

    /** Whether the server holds the HTTP session with this id: it should hold none, whatever its sockets did. */
    boolean holdsSession(String id) {
        return sessions != null && sessions.getManagedSession(id) != null;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        // Close the long-lived connections first: app.stop() alone would cut WebSockets without a close frame.
        sockets.values().forEach(socket -> {
            socket.feed().close();
            socket.ctx().closeSession(1001, "server stopping");
        });
        streams.keySet().forEach(SseClient::close);
        app.stop();
        fanout.shutdownNow();
    }

    private static void json(Context ctx, Object value) {
        ctx.contentType("application/json").result(text(value));
    }

    private static String text(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
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
        log.info("step 0 (transports) listening: open {} in a browser; WebSocket at {}, polls at {}poll and {}long-poll, "
                + "events at {}events", server.httpUri(), server.wsUri(), server.httpUri(), server.httpUri(), server.httpUri());
    }
}
