package dev.chatlab.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Utf8StringBuilder;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's socket, on Jetty's core WebSocket API, and what the server knows about it: its id, its address, its
 * name (from its token, when it has one), the room it is in, how fast it may send, and how much is waiting to be
 * written to it.
 *
 * <p>Jetty's core hands over frames, not messages: this class joins a fragmented message (refusing one past the
 * limit with 1009, and text that is not UTF-8 with 1007) and answers pings; Jetty's core completes the close
 * handshake. Nothing of the HTTP upgrade request is kept: the socket costs its session, this
 * object and what is queued for it.
 *
 * <p>Writes go through the session's one flusher: a frame sent while the socket is idle is written at once, frames
 * sent while a write is pending are gathered into the next write. A broadcast frame's bytes are encoded once per
 * message and shared by every member ({@link #share}); server frames are not masked, so they are the same bytes for
 * everyone.
 */
final class Connection implements FrameHandler {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** A delivery round's frames for one member are flushed at least every this many bytes. */
    private static final long FLUSH_AT = 16 * 1024;

    /** What the server does when a socket opens, brings a whole message, or closes. */
    interface Events {
        void opened(Connection connection);

        /** A whole text message, with the bytes it took on the wire. */
        void text(Connection connection, String text, int bytes);

        /** A whole binary message, of which only its size is kept. */
        void binary(Connection connection, int bytes);

        void closed(Connection connection, int code, String reason);
    }

    final String id;
    /** The client's address (behind a trusted proxy, the one it forwarded): logs and per-address caps use it. */
    final String clientAddress;
    /** What the client's token says, or null for an anonymous client. */
    final Tokens.Identity identity;
    final RateLimit rateLimit;
    /** How many of this client's bad frames have been logged; past a few, they are only counted. */
    int badFramesLogged;
    private final Events events;
    private final long maxQueuedBytes;
    private final long maxMessageBytes;
    private final Consumer<Connection> onOverflow;
    private final Metrics metrics;
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Bytes of the current delivery round not yet flushed (the delivery thread alone touches it), and the most a round may hold before a flush. */
    private long batched;
    private final long flushAt;
    private volatile CoreSession session;
    private volatile String roomId;
    private volatile String name;
    private volatile boolean closing;
    /** When the client was last heard from, and whether it sends heartbeats at all. */
    volatile long lastHeardNanos = System.nanoTime();
    volatile boolean heartbeats;
    /** The newest seq this client has been sent in its room; guarded by the room's lock. */
    long lastSeq;
    /**
     * The name this connection is present as in its room, fixed when it joined (a later join may rename an anonymous
     * client; its presence moves with that join). Written under the room's lock; the delivery thread reads it.
     */
    private volatile String presenceName;
    /** When this connection's last typing signal was relayed (nanoTime); its frames come one at a time. */
    long lastTypingNanos;
    boolean typedYet;

    // A message arriving in fragments (frames come one at a time, never two at once for one socket).
    private byte messageType;
    private long messageBytes;
    private Utf8StringBuilder text;

    Connection(long number, String clientAddress, Tokens.Identity identity, RateLimit rateLimit, long maxQueuedBytes,
               long maxMessageBytes, Events events, Consumer<Connection> onOverflow, Metrics metrics) {
        this.id = "c" + number;
        this.clientAddress = clientAddress;
        this.identity = identity;
        this.rateLimit = rateLimit;
        this.name = identity != null ? identity.name() : "guest-" + number;
        this.maxQueuedBytes = maxQueuedBytes;
        this.flushAt = Math.max(1, Math.min(FLUSH_AT, maxQueuedBytes / 4));
        this.maxMessageBytes = maxMessageBytes;
        this.events = events;
        this.onOverflow = onOverflow;
        this.metrics = metrics;
    }

    // ---- incoming ----

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        this.session = coreSession;
        events.opened(this);
        callback.succeeded();
        // Jetty's core reads the next frame only when asked: one at a time, each after the last was handled.
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        byte opCode = frame.getOpCode();
        if (opCode == OpCode.TEXT || opCode == OpCode.BINARY) {
            // Jetty's core refuses a new message in the middle of a fragmented one (1002) before it gets here.
            messageType = opCode;
            messageBytes = 0;
            text = opCode == OpCode.TEXT ? new Utf8StringBuilder(frame.getPayloadLength()) : null;
        } else if (opCode == OpCode.PING) {
            // Jetty's core leaves the pong to the handler: the same payload back, in order with everything else sent.
            ByteBuffer payload = ByteBuffer.allocate(frame.getPayloadLength());
            if (frame.hasPayload()) {
                payload.put(frame.getPayload().slice()).flip();
            }
            session.sendFrame(new Frame(OpCode.PONG, payload), Callback.NOOP, false);
            next(callback);
            return;
        } else if (opCode != OpCode.CONTINUATION) {
            // Pong, and close: Jetty's core completes the close handshake once the callback succeeds.
            next(callback);
            return;
        }
        messageBytes += frame.getPayloadLength();
        if (messageBytes > maxMessageBytes) {
            text = null;
            callback.failed(new MessageTooLargeException("a message of more than " + maxMessageBytes + " bytes"));
            return;
        }
        if (text != null && frame.hasPayload()) {
            text.append(frame.getPayload());
        }
        if (!frame.isFin()) {
            next(callback);
            return;
        }
        Utf8StringBuilder whole = text;
        text = null;
        try {
            if (messageType == OpCode.TEXT) {
                String message = whole.takeCompleteString(() -> new BadPayloadException("a text message that is not UTF-8"));
                events.text(this, message, (int) messageBytes);
            } else {
                events.binary(this, (int) messageBytes);
            }
        } catch (BadPayloadException e) {
            callback.failed(e);
            return;
        } catch (RuntimeException e) {
            // One client's frame never takes the node down: it is logged, and the socket goes on.
            log.warn("{}: a frame could not be handled: {}", id, e.toString(), e);
        }
        next(callback);
    }

    /** The frame is handled: on to the next one. */
    private void next(Callback callback) {
        callback.succeeded();
        session.demand();
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        log.debug("{}: {}", id, cause.toString());
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        closing = true;
        try {
            events.closed(this, closeStatus.getCode(), closeStatus.getReason());
        } finally {
            callback.succeeded();
        }
    }

    // ---- outgoing ----

    /** Queues a frame; a client whose queue is full is handed to {@code onOverflow} instead. */
    void send(String frame) {
        if (closing) {
            return;
        }
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        write(ByteBuffer.wrap(bytes), bytes.length);
    }

    /**
     * Queues a frame whose bytes other members share: the buffer itself is never read or moved here. With
     * {@code batch}, the frame waits for {@link #flush()} (or the next frame sent without it).
     */
    void share(ByteBuffer frame, boolean batch) {
        if (closing) {
            return;
        }
        write(frame.duplicate(), frame.remaining(), batch);
        if (batch) {
            // A batch counts against the queue bound like anything else waiting: a big round is written in parts,
            // so a member that keeps up is never taken for a slow consumer because of the round's size.
            batched += frame.remaining();
            if (batched >= flushAt) {
                flush();
            }
        }
    }

    /** Writes whatever frames wait in the batch. */
    void flush() {
        batched = 0;
        CoreSession current = session;
        if (current != null && current.isOutputOpen()) {
            current.flush(Callback.NOOP);
        }
    }

    private void write(ByteBuffer payload, int size) {
        write(payload, size, false);
    }

    private void write(ByteBuffer payload, int size, boolean batch) {
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            onOverflow.accept(this);
            return;
        }
        metrics.framesOut.increment();
        session.sendFrame(new Frame(OpCode.TEXT, payload), new Written(size), batch);
    }

    /** Gives a written (or failed) frame's bytes back to the queue's allowance. */
    private final class Written implements Callback {
        private final int size;

        Written(int size) {
            this.size = size;
        }

        @Override
        public void succeeded() {
            queuedBytes.addAndGet(-size);
        }

        @Override
        public void failed(Throwable failure) {
            queuedBytes.addAndGet(-size);
            log.debug("{}: a write failed: {}", id, failure.toString());
        }
    }

    /** A ping, for clients that never write: its pong (or its failure) tells whether the connection still works. */
    void ping() {
        CoreSession current = session;
        if (!closing && current != null && current.isOutputOpen()) {
            current.sendFrame(new Frame(OpCode.PING), Callback.NOOP, false);
        }
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Starts the close handshake; nothing more is sent. */
    void close(int code, String reason) {
        closing = true;
        CoreSession current = session;
        if (current != null) {
            current.close(code, reason, Callback.NOOP);
        }
    }

    /** Drops the TCP connection at once, for a client that will not finish a close handshake. */
    void disconnect() {
        closing = true;
        CoreSession current = session;
        if (current != null && !current.isClosed()) {
            current.abort();
        }
    }

    /** True once the node has started closing this connection (or dropped it). */
    boolean isClosing() {
        return closing;
    }

    boolean isOpen() {
        CoreSession current = session;
        return current != null && current.isOutputOpen();
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

    String presenceName() {
        return presenceName;
    }

    void presenceName(String newPresenceName) {
        this.presenceName = newPresenceName;
    }

    void name(String newName) {
        this.name = newName;
    }
}
