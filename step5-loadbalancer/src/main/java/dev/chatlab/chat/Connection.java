package dev.chatlab.chat;

import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
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
    /** Jetty's session underneath, for frames encoded once per room and written in batches. */
    private final CoreSession core;
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
        this.core = ((WebSocketSession) socket.session).getCoreSession();
        this.clientAddress = clientAddress;
        this.identity = identity;
        this.rateLimit = rateLimit;
        this.name = identity != null ? identity.name() : "guest-" + number;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onOverflow = onOverflow;
        this.metrics = metrics;
    }

    /** Sends a frame now; a client whose queue is full is handed to {@code onOverflow} instead. */
    void send(String frame) {
        long size = frame.length();
        if (reserve(size)) {
            socket.session.sendText(frame, Callback.from(() -> queuedBytes.addAndGet(-size), failure -> written(size, failure)));
        }
    }

    /**
     * Adds a text frame, already encoded as UTF-8 (shared by every member: each gets its own view), behind
     * whatever this socket has queued, without writing it yet: {@link #flush} writes everything queued in
     * one system call. Frames keep their order with those sent by {@link #send}. False when nothing was
     * queued (the connection is closing, or its queue was full and it has been handed to {@code onOverflow}).
     */
    boolean queue(ByteBuffer utf8) {
        long size = utf8.remaining();
        if (!reserve(size)) {
            return false;
        }
        core.sendFrame(new Frame(OpCode.TEXT, true, utf8.slice()),
                org.eclipse.jetty.util.Callback.from(() -> queuedBytes.addAndGet(-size), failure -> written(size, failure)), true);
        return true;
    }

    /** Writes whatever {@link #queue} has left waiting. */
    void flush() {
        core.flush(org.eclipse.jetty.util.Callback.NOOP);
    }

    /** Counts {@code size} more bytes as waiting, if the bound allows; else hands the client to {@code onOverflow}. */
    private boolean reserve(long size) {
        if (closing) {
            return false;
        }
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            onOverflow.accept(this);
            return false;
        }
        metrics.framesOut.increment();
        return true;
    }

    private void written(long size, Throwable failure) {
        queuedBytes.addAndGet(-size);
        log.debug("{}: a write failed: {}", id, failure.toString());
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Starts the close handshake; nothing more is sent. */
    void close(int code, String reason) {
        closing = true;
        socket.session.close(code, reason, Callback.NOOP);
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
