package dev.chatlab.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat client that stays in its room through node deaths, drains and network faults: it
 * heartbeats, reconnects with capped exponential backoff and full jitter, rejoins with
 * {@code since}/{@code epoch}, delivers each seq once and in order, and resends unacked messages
 * with their {@code clientMsgId} until the server has stored them.
 *
 * <p>It runs the connections ({@code Connection}) and the timers ({@code Loop}) and decides where it
 * stands; the rest is done by parts it wires to them: {@code Frames} sends the joins and reads the
 * server's frames, {@code Sends} puts the sends on the wire, retries them and times them out, and
 * {@code Stats} counts. What a frame means is decided by parts that hold no socket, thread or clock:
 * {@code Resume} for the seq cursor and the epoch, {@code Outbox} for the sends waiting for their ack,
 * {@code Presence} for the room's members and who is typing.
 *
 * <p>All of its state lives on one thread of its own: Java-WebSocket's callbacks, timers and calls
 * from the application are handed to that thread, which also runs every {@link ClientListener}
 * callback and completes every {@link Sending}. The methods of this class may be called from any
 * thread.
 */
public final class ResilientClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    /** How long {@link #typing()} waits for the client's thread before giving up on the signal. */
    private static final Duration TYPING_WAIT = Duration.ofSeconds(1);

    /** Where the client stands. */
    public enum State {
        /** Built, not started. */
        NEW,
        /** Started, not yet in its room. */
        CONNECTING,
        /** In its room. */
        CONNECTED,
        /** Lost its connection after having been in its room; resuming. */
        RECONNECTING,
        /** Closed by the application, or given up for good. */
        CLOSED
    }

    private final ClientSettings settings;
    private final String clientId;
    private final Loop loop;
    private final AtomicLong sendNumbers = new AtomicLong();
    private final Emitter emitter;
    private final Stats stats = new Stats();

    // Confined to the loop thread.
    private final Backoff reconnectBackoff;
    private final Sends sends;
    private final Frames frames;
    private Connection connection;
    private long connectionNumbers;
    private int uriIndex = -1;
    private int attemptsSinceJoined;
    private boolean everJoined;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private ScheduledFuture<?> reconnectTask;

    // Published for the accessors.
    private volatile State state = State.NEW;
    private volatile String node;

    /** Built by {@link ClientBuilder#build()}. */
    ResilientClient(ClientSettings settings, LongSupplier clock) {
        this.settings = settings;
        this.clientId = settings.clientId();
        this.emitter = new Emitter(clientId, settings.listener());
        this.loop = new Loop(clientId);
        this.reconnectBackoff = settings.backoff();
        this.sends = new Sends(settings, loop, emitter, () -> connection);
        this.frames = new Frames(settings, loop, emitter, stats, sends, reconnectBackoff, clock,
                () -> connection, standing);
    }

    /** A builder for a client of {@code roomId} that connects to {@code uris} in turn (normally one: the load balancer's). */
    public static ClientBuilder builder(String roomId, URI... uris) {
        return new ClientBuilder(roomId, List.of(uris));
    }

    // ---- the application's side ----

    /** Starts connecting; returns at once. The listener hears {@code connected} once the client is in its room. */
    public void start() {
        loop.post(() -> {
            if (state != State.NEW) {
                return;
            }
            state = State.CONNECTING;
            timers.add(loop.every(settings.heartbeatInterval(), this::heartbeat));
            long watch = Math.max(10, Math.min(settings.deadAfter().toMillis(), settings.connectTimeout().toMillis()) / 4);
            timers.add(loop.every(Duration.ofMillis(watch), this::watchdog));
            scheduleConnect(Duration.ZERO);
        });
    }

    /**
     * Sends a message to the room. It is kept until the server acks it, sent now if the client is in
     * its room and otherwise after the next join, and sent again with the same {@code clientMsgId}
     * after every reconnect until acked, so the server stores it once.
     */
    public Sending send(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a chat message cannot be empty");
        }
        String id = clientId + "-" + sendNumbers.incrementAndGet();
        Sending sending = new Sending(id, text);
        if (!loop.post(() -> accept(sending))) {
            sending.completeExceptionally(new SendFailedException(id, "closed", "the client is closed"));
        }
        return sending;
    }

    private void accept(Sending sending) {
        if (state == State.CLOSED) {
            sending.completeExceptionally(new SendFailedException(sending.clientMsgId(), "closed", "the client is closed"));
            return;
        }
        sends.add(sending);
    }

    /**
     * Tells the room's other members that this client's user is typing, if the client is in its room now.
     * Best effort: the signal is never queued or sent again, and false says it did not go out (not connected,
     * not joined, closed). The server relays at most one signal per second of each connection and drops the
     * rest, so calling it about once a second while the user types is enough; the others show the user as
     * typing for 3 s after the last one.
     */
    public boolean typing() {
        return loop.call(() -> {
            Connection c = connection;
            if (state == State.CLOSED || c == null || !c.inRoom()) {
                return false;
            }
            c.transmit(Protocol.TYPING);
            return true;
        }, false, TYPING_WAIT);
    }

    /**
     * Stops for good: closes the connection and ends every send still waiting for its ack (failed if
     * it never went out, unknown otherwise). Calling it again does nothing.
     */
    @Override
    public void close() {
        loop.close(() -> stop("closed by the application", false), CLOSE_WAIT);
    }

    public State state() {
        return state;
    }

    public String clientId() {
        return clientId;
    }

    public String roomId() {
        return settings.roomId();
    }

    /** The node that answered the latest join, or null before the first. */
    public String node() {
        return node;
    }

    /** The seq of the last message delivered (or the room's head at the first join); 0 before anything is known. */
    public long lastSeq() {
        return frames.lastSeq();
    }

    /** The epoch of the room's history from the latest {@code joined}, or null before the first. */
    public String epoch() {
        return frames.epoch();
    }

    /**
     * The room's members as this client last heard (its own name included), sorted and immutable; empty
     * before the first {@code joined} that lists them. It is kept while the client reconnects, and the
     * {@code joined} of the next connection replaces it.
     */
    public Set<String> members() {
        return frames.members();
    }

    /**
     * The members typing now, sorted and immutable: the names whose last typing signal arrived under 3 s ago,
     * without those whose message arrived after it.
     */
    public Set<String> typingNow() {
        return frames.typingNow();
    }

    /** Sends not yet acked, failed or given up on. */
    public int unacked() {
        return sends.unacked();
    }

    /** How many times the client got back into its room after losing a connection it had joined on. */
    public long reconnects() {
        return stats.reconnects();
    }

    /** Seq jumps the server did not announce; each one made the client rejoin to fill it. */
    public long gapsDetected() {
        return stats.gapsDetected();
    }

    /** Messages dropped because their seq had been delivered already (normal after a resume). */
    public long duplicatesDropped() {
        return stats.duplicatesDropped();
    }

    /** Messages delivered to the listener. */
    public long delivered() {
        return stats.delivered();
    }

    /** When the last connection the client had joined on was lost, or null. */
    public Instant lastDisconnectAt() {
        return stats.lastDisconnectAt();
    }

    /** When the client last got back into its room after a lost connection, or null. */
    public Instant lastResumeAt() {
        return stats.lastResumeAt();
    }

    /** From the last lost connection to the {@code joined} that resumed it, or null before the first resume. */
    public Duration lastReconnectTime() {
        return stats.lastReconnectTime();
    }

    @Override
    public String toString() {
        return "ResilientClient[" + clientId + " in " + settings.roomId() + ", " + state + (node == null ? "" : " on " + node)
                + ", last seq " + frames.lastSeq() + ", " + sends.unacked() + " unacked]";
    }

    // ---- connecting ----

    private void scheduleConnect(Duration delay) {
        uriIndex = (uriIndex + 1) % settings.uris().size();
        URI uri = settings.uris().get(uriIndex);
        int attempt = attemptsSinceJoined++;
        emitter.emit(l -> l.connecting(uri, attempt, delay));
        reconnectTask = loop.after(delay, () -> connect(uri));
    }

    private void connect(URI uri) {
        reconnectTask = null;
        if (state == State.CLOSED) {
            return;
        }
        Connection c = new Connection(uri, ++connectionNumbers, clientId, settings.connectTimeout(), settings.deadAfter(),
                events);
        connection = c;
        log.debug("{}: connecting to {}", clientId, uri);
        c.connect();
    }

    /** Hands what a connection says to the loop thread. */
    private final Connection.Events events = new Connection.Events() {
        @Override
        public void opened(Connection c) {
            loop.post(() -> ResilientClient.this.opened(c));
        }

        @Override
        public void received(Connection c, String text) {
            loop.post(() -> ResilientClient.this.received(c, text));
        }

        @Override
        public void closed(Connection c, int code, String reason, boolean remote) {
            loop.post(() -> ResilientClient.this.closed(c, code, reason, remote));
        }
    };

    private void opened(Connection c) {
        if (c == connection) {
            c.opened = true;
            frames.join(c);
        }
    }

    private void received(Connection c, String text) {
        if (c == connection) {
            frames.received(c, text);
        }
    }

    private void heartbeat() {
        Connection c = connection;
        if (c != null && c.opened) {
            c.transmit(Protocol.PING);
        }
    }

    /** Drops a connection that has gone silent, or an attempt or a join that was never answered. */
    private void watchdog() {
        Connection c = connection;
        String reason = c == null ? null : c.deadReason(System.nanoTime());
        if (reason != null) {
            drop(c, reason);
        }
    }

    private void drop(Connection c, String reason) {
        log.debug("{}: dropping the connection to {}: {}", clientId, c.getURI(), reason);
        // Detach first: the close callback this triggers then belongs to a connection that is no longer current.
        lost(c, CloseFrame.ABNORMAL_CLOSE, reason, false);
        c.abort(reason);
    }

    private void closed(Connection c, int code, String reason, boolean remote) {
        if (c == connection) {
            lost(c, code, reason, remote);
        }
    }

    private void lost(Connection c, int code, String reason, boolean remote) {
        connection = null;
        frames.cancelRejoin();
        if (c.joined) {
            stats.lost();
            log.debug("{}: lost the connection to {} ({} {})", clientId, node, code, reason);
        } else {
            log.debug("{}: attempt to {} ended ({} {})", clientId, c.getURI(), code, reason);
        }
        if (everJoined) {
            state = State.RECONNECTING;
        }
        emitter.emit(l -> l.disconnected(code, reason, remote));
        if (state == State.CLOSED) {
            return;
        }
        // Only a code the server sent is a request from the server; anything local is a lost connection.
        Reconnect how = remote ? Reconnect.after(code) : Reconnect.WITH_BACKOFF;
        if (how == Reconnect.NEVER) {
            stop("the server closed the connection with " + code + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")"),
                    true);
            return;
        }
        scheduleConnect(reconnectBackoff.after(how));
    }

    /** What the frames leave to the client: where it stands. */
    private final Frames.Client standing = new Frames.Client() {
        @Override
        public void inRoom(String joinedNode) {
            state = State.CONNECTED;
            everJoined = true;
            reconnectBackoff.reset();
            attemptsSinceJoined = 0;
            node = joinedNode;
        }

        @Override
        public void giveUp(String reason) {
            stop(reason, true);
        }
    };

    // ---- stopping ----

    private void stop(String reason, boolean fatal) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        timers.forEach(Loop::cancel);
        Loop.cancel(reconnectTask);
        frames.cancelRejoin();
        Connection c = connection;
        connection = null;
        if (c != null) {
            c.close(fatal ? CloseFrame.NORMAL : CloseFrame.GOING_AWAY, reason);
            // A dead peer never answers the close frame; drop the socket after a grace period.
            loop.after(CLOSE_GRACE, () -> c.abort(reason));
        }
        sends.close(reason);
        if (fatal) {
            log.warn("{}: giving up: {}", clientId, reason);
            emitter.emit(l -> l.fatal(reason));
        } else {
            log.debug("{}: {}", clientId, reason);
        }
        loop.shutdown();
    }
}
