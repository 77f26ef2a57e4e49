package dev.chatlab.chat;

import io.javalin.websocket.WsContext;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's socket and what the server knows about it: its id, its address, its name (from its token,
 * when it has one), the room it is in, how fast it may send, and how much is waiting to be written to it.
 * Jetty's own outgoing queue has no bound, so this one counts.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    final String id;
    /** The client's address (behind a trusted proxy, the one it forwarded): logs and per-address caps use it. */
    final String clientAddress;
    /** What the client's token says, or null for an anonymous client. */
    final Tokens.Identity identity;
    final RateLimit rateLimit;
    /** How many of this client's bad frames have been logged; past a few, they are only counted. */
    int badFramesLogged;
    private final WsContext socket;
    private final long maxQueuedBytes;
    private final Consumer<Connection> onOverflow;
    private final Metrics metrics;
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile String roomId;
    private volatile String name;
    private volatile boolean closing;
    /** When the client was last heard from, and whether it sends heartbeats at all. */
    volatile long lastHeardNanos = System.nanoTime();
    volatile boolean heartbeats;
    /** The newest seq this client has been sent in its room; guarded by the room's lock. */
    long lastSeq;

    Connection(long number, WsContext socket, String clientAddress, Tokens.Identity identity, RateLimit rateLimit,
               long maxQueuedBytes, Consumer<Connection> onOverflow, Metrics metrics) {
        this.id = "c" + number;
        this.socket = socket;
        this.clientAddress = clientAddress;
        this.identity = identity;
        this.rateLimit = rateLimit;
        this.name = identity != null ? identity.name() : "guest-" + number;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onOverflow = onOverflow;
        this.metrics = metrics;
    }

    /** Queues a frame; a client whose queue is full is handed to {@code onOverflow} instead. */
    void send(String frame) {
        if (closing) {
            return;
        }
        long size = frame.length();
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            onOverflow.accept(this);
            return;
        }
        metrics.framesOut.increment();
        socket.session.sendText(frame, Callback.from(() -> queuedBytes.addAndGet(-size), failure -> {
            queuedBytes.addAndGet(-size);
            log.debug("{}: a write failed: {}", id, failure.toString());
        }));
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Starts the close handshake; nothing more is sent. */
    void close(int code, String reason) {
        closing = true;
        socket.closeSession(code, reason);
    }

    /** Drops the TCP connection at once, for a client that will not finish a close handshake. */
    void disconnect() {
        closing = true;
        if (socket.session.isOpen()) {
            socket.session.disconnect();
        }
    }

    /** True once the node has started closing this connection (or dropped it). */
    boolean isClosing() {
        return closing;
    }

    boolean isOpen() {
        return socket.session.isOpen();
    }

    String roomId() {
        return roomId;
    }

    void roomId(String newRoomId) {
        this.roomId = newRoomId;
    }

    String name() {
        return name;
    }

    void name(String newName) {
        this.name = newName;
    }
}
