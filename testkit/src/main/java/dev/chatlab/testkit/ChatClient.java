package dev.chatlab.testkit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A recording WebSocket client for tests: it keeps every frame it receives, in order, in thread-safe
 * storage, remembers how the connection closed, and offers the waits tests need ("joined", "closed").
 */
public final class ChatClient implements AutoCloseable {
    /** Close code Java-WebSocket reports before any close frame arrived. */
    public static final int NOT_CLOSED = -1;

    private final String name;
    private final Recorder socket;
    private final List<String> raw = new CopyOnWriteArrayList<>();
    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final AtomicInteger closeCode = new AtomicInteger(NOT_CLOSED);
    private final AtomicReference<String> closeReason = new AtomicReference<>();
    private final AtomicReference<Exception> error = new AtomicReference<>();
    private volatile ServerHandshake handshake;

    private ChatClient(String name, URI uri, Map<String, String> headers) {
        this.name = name;
        this.socket = new Recorder(uri, headers);
        // Tests decide when a connection is dead; the library's own ping watchdog would race them.
        this.socket.setConnectionLostTimeout(0);
    }

    /** Opens a connection and waits until the handshake is done; fails the test if it is refused. */
    public static ChatClient connect(URI uri) {
        return connect("client", uri, Map.of());
    }

    public static ChatClient connect(String name, URI uri) {
        return connect(name, uri, Map.of());
    }

    public static ChatClient connect(String name, URI uri, Map<String, String> headers) {
        ChatClient client = new ChatClient(name, uri, headers);
        try {
            if (!client.socket.connectBlocking(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " could not connect to " + uri + ": closed with "
                        + client.closeCode() + " " + client.closeReason() + errorText(client.error.get()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to " + uri, e);
        }
        return client;
    }

    /** Opens a connection without waiting; for tests that expect the handshake to be refused. */
    public static ChatClient attempt(URI uri, Map<String, String> headers) {
        ChatClient client = new ChatClient("attempt", uri, headers);
        client.socket.connect();
        return client;
    }

    private static String errorText(Exception e) {
        return e == null ? "" : " (" + e + ")";
    }

    public String name() {
        return name;
    }

    // ---- sending ----

    public ChatClient sendRaw(String text) {
        socket.send(text);
        return this;
    }

    public ChatClient sendBinary(byte[] data) {
        socket.send(data);
        return this;
    }

    /** Sends a {@code join} frame without waiting for the answer. */
    public ChatClient join(String roomId) {
        return sendRaw(Frames.join(roomId));
    }

    /** Joins a room and waits for the server's {@code joined} frame for it. */
    public ChatClient joinAndWait(String roomId) {
        return sendAndAwaitJoined(roomId, Frames.join(roomId));
    }

    /** Joins a room asking for everything after {@code since}, and waits for the {@code joined} frame. */
    public ChatClient joinAndWait(String roomId, long since) {
        return sendAndAwaitJoined(roomId, Frames.join(roomId, since));
    }

    private ChatClient sendAndAwaitJoined(String roomId, String joinFrame) {
        int before = framesOfType("joined").size();
        sendRaw(joinFrame);
        await(name + " joins " + roomId).atMost(ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(ofMillis(5))
                .failFast(name + " was disconnected", this::isClosed)
                .until(() -> framesOfType("joined").stream().skip(before)
                        .anyMatch(f -> roomId.equals(Frames.payloadOf(f).path("roomId").asText())));
        return this;
    }

    /** The payload of the newest {@code joined} frame. */
    public JsonNode lastJoined() {
        List<JsonNode> joined = framesOfType("joined");
        if (joined.isEmpty()) {
            throw new IllegalStateException(name + " has not joined");
        }
        return Frames.payloadOf(joined.get(joined.size() - 1));
    }

    /** Sends a {@code message} frame. */
    public ChatClient say(String text) {
        return sendRaw(Frames.message(text));
    }

    // ---- what arrived ----

    /** Every text frame received, as sent by the server. */
    public List<String> rawFrames() {
        return List.copyOf(raw);
    }

    /** Every text frame received, parsed (a non-JSON frame is a text node). */
    public List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    public List<JsonNode> framesOfType(String type) {
        return frames.stream().filter(f -> type.equals(Frames.type(f))).collect(Collectors.toList());
    }

    /** The {@code payload.message} of every {@code message} frame, in arrival order. */
    public List<String> texts() {
        return framesOfType("message").stream()
                .map(f -> Frames.payloadOf(f).path("message").asText())
                .collect(Collectors.toList());
    }

    /** The {@code payload.seq} of every {@code message} frame, in arrival order. */
    public List<Long> seqs() {
        return framesOfType("message").stream()
                .map(f -> Frames.payloadOf(f).path("seq").asLong())
                .collect(Collectors.toList());
    }

    /** The {@code payload.code} of every {@code error} frame, in arrival order. */
    public List<String> errorCodes() {
        return framesOfType("error").stream()
                .map(f -> Frames.payloadOf(f).path("code").asText())
                .collect(Collectors.toList());
    }

    /** The HTTP handshake the server answered with, once open. */
    public ServerHandshake handshake() {
        return handshake;
    }

    // ---- connection state ----

    public boolean isOpen() {
        return socket.isOpen();
    }

    public boolean isClosed() {
        return socket.isClosed() || closeCode.get() != NOT_CLOSED;
    }

    public int closeCode() {
        return closeCode.get();
    }

    public String closeReason() {
        return closeReason.get();
    }

    /** Waits until the server closes this connection and returns the close code. */
    public int awaitClose(Duration atMost) {
        await(name + " is closed").atMost(atMost).until(this::isClosed);
        return closeCode();
    }

    @Override
    public void close() {
        try {
            socket.closeBlocking();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + (isOpen() ? " (open)" : " (closed " + closeCode() + ")") + " received " + raw;
    }

    private final class Recorder extends WebSocketClient {
        Recorder(URI uri, Map<String, String> headers) {
            super(uri, headers);
        }

        @Override
        public void onOpen(ServerHandshake serverHandshake) {
            handshake = serverHandshake;
        }

        @Override
        public void onMessage(String message) {
            raw.add(message);
            frames.add(Frames.parse(message));
        }

        @Override
        public void onMessage(ByteBuffer bytes) {
            String text = StandardCharsets.UTF_8.decode(bytes).toString();
            raw.add(text);
            frames.add(Frames.parse(text));
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            closeReason.set(reason);
            closeCode.set(code);
        }

        @Override
        public void onError(Exception ex) {
            error.set(ex);
        }
    }
}
