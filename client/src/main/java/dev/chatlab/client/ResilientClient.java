package dev.chatlab.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat client that stays in its room through node deaths, drains and network faults: it
 * heartbeats, reconnects with capped exponential backoff and full jitter, rejoins with
 * {@code since}/{@code epoch}, delivers each seq once and in order, and resends unacked messages
 * with their {@code clientMsgId} until the server has stored them.
 *
 * <p>It runs the connections ({@code Connection}) and the timers ({@code Loop}); what the server's
 * frames mean is decided by parts that hold no socket, thread or clock: {@code Resume} for the
 * seq cursor and the epoch, {@code Outbox} for the sends waiting for their ack, {@code Presence} for the
 * room's members and who is typing.
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
    /** Times typing signals, in nanoseconds; only tests replace it. */
    private final LongSupplier clock;

    // Confined to the loop thread.
    private final Resume resume;
    private final Outbox outbox;
    private final Presence presence;
    private final Backoff reconnectBackoff;
    private Connection connection;
    private long connectionNumbers;
    private int uriIndex = -1;
    private int attemptsSinceJoined;
    private boolean everJoined;
    private long disconnectedAtNanos = -1;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> rejoinTask;
    private ScheduledFuture<?> sendTimeoutTask;

    // Published for the accessors.
    private volatile State state = State.NEW;
    private volatile String node;
    private volatile long lastSeq;
    private volatile String currentEpoch;
    private volatile int unackedCount;
    private volatile long reconnects;
    private volatile long gapsDetected;
    private volatile long duplicatesDropped;
    private volatile long delivered;
    private volatile Instant lastDisconnectAt;
    private volatile Instant lastResumeAt;
    private volatile Duration lastReconnectTime;
    private volatile SortedSet<String> members;
    private volatile Map<String, Long> typingSignals = Map.of();

    private ResilientClient(ClientSettings settings, LongSupplier clock) {
        this.settings = settings;
        this.clientId = settings.clientId();
        this.clock = clock;
        this.loop = new Loop(clientId);
        this.resume = new Resume(settings.roomId(), settings.since(), settings.epoch());
        this.outbox = new Outbox(settings.sendTimeout(), settings.backoff());
        this.presence = new Presence(settings.roomId());
        this.members = presence.members();
        this.reconnectBackoff = settings.backoff();
        this.lastSeq = resume.lastSeq();
        this.currentEpoch = resume.epoch();
    }

    /** A builder for a client of {@code roomId} that connects to {@code uris} in turn (normally one: the load balancer's). */
    public static Builder builder(String roomId, URI... uris) {
        return new Builder(roomId, List.of(uris));
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
        return lastSeq;
    }

    /** The epoch of the room's history from the latest {@code joined}, or null before the first. */
    public String epoch() {
        return currentEpoch;
    }

    /**
     * The room's members as this client last heard (its own name included), sorted and immutable; empty
     * before the first {@code joined} that lists them. It is kept while the client reconnects, and the
     * {@code joined} of the next connection replaces it.
     */
    public Set<String> members() {
        return members;
    }

    /**
     * The members typing now, sorted and immutable: the names whose last typing signal arrived under 3 s ago,
     * without those whose message arrived after it.
     */
    public Set<String> typingNow() {
        return Presence.typingAt(typingSignals, clock.getAsLong());
    }

    /** Sends not yet acked, failed or given up on. */
    public int unacked() {
        return unackedCount;
    }

    /** How many times the client got back into its room after losing a connection it had joined on. */
    public long reconnects() {
        return reconnects;
    }

    /** Seq jumps the server did not announce; each one made the client rejoin to fill it. */
    public long gapsDetected() {
        return gapsDetected;
    }

    /** Messages dropped because their seq had been delivered already (normal after a resume). */
    public long duplicatesDropped() {
        return duplicatesDropped;
    }

    /** Messages delivered to the listener. */
    public long delivered() {
        return delivered;
    }

    /** When the last connection the client had joined on was lost, or null. */
    public Instant lastDisconnectAt() {
        return lastDisconnectAt;
    }

    /** When the client last got back into its room after a lost connection, or null. */
    public Instant lastResumeAt() {
        return lastResumeAt;
    }

    /** From the last lost connection to the {@code joined} that resumed it, or null before the first resume. */
    public Duration lastReconnectTime() {
        return lastReconnectTime;
    }

    @Override
    public String toString() {
        return "ResilientClient[" + clientId + " in " + settings.roomId() + ", " + state + (node == null ? "" : " on " + node)
                + ", last seq " + lastSeq + ", " + unackedCount + " unacked]";
    }

    // ---- connecting ----

    private void scheduleConnect(Duration delay) {
        uriIndex = (uriIndex + 1) % settings.uris().size();
        URI uri = settings.uris().get(uriIndex);
        int attempt = attemptsSinceJoined++;
        emit(l -> l.connecting(uri, attempt, delay));
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
        if (c != connection) {
            return;
        }
        c.opened = true;
        sendJoin(c);
    }

    private void sendJoin(Connection c) {
        c.join(Protocol.join(settings.roomId(), settings.name(), resume.since(), resume.epoch()));
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
        if (c != connection) {
            return;
        }
        lost(c, code, reason, remote);
    }

    private void lost(Connection c, int code, String reason, boolean remote) {
        connection = null;
        Loop.cancel(rejoinTask);
        rejoinTask = null;
        if (c.joined) {
            lastDisconnectAt = Instant.now();
            disconnectedAtNanos = System.nanoTime();
            log.debug("{}: lost the connection to {} ({} {})", clientId, node, code, reason);
        } else {
            log.debug("{}: attempt to {} ended ({} {})", clientId, c.getURI(), code, reason);
        }
        if (everJoined) {
            state = State.RECONNECTING;
        }
        emit(l -> l.disconnected(code, reason, remote));
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

    // ---- what the server sends ----

    private void received(Connection c, String text) {
        if (c != connection) {
            return;
        }
        JsonNode frame = Protocol.parse(text);
        if (frame == null) {
            log.warn("{}: ignoring a frame that is not a JSON object: {}", clientId, abbreviate(text));
            return;
        }
        JsonNode payload = frame.path("payload");
        switch (frame.path("type").asText("")) {
            case "joined" -> joined(c, payload);
            case "message" -> message(c, payload);
            case "ack" -> ack(payload);
            case "presence" -> presence(payload);
            case "typing" -> typing(payload);
            case "error" -> error(c, payload);
            case "pong" -> {
                // Its arrival is all the heartbeat needs.
            }
            default -> log.debug("{}: ignoring a frame of unknown type: {}", clientId, abbreviate(text));
        }
    }

    private void joined(Connection c, JsonNode payload) {
        Resume.Joined joined = resume.joined(payload).orElse(null);
        if (joined == null) {
            log.warn("{}: ignoring joined for another room: {}", clientId, payload);
            return;
        }
        boolean answer = c.awaitingJoined;
        c.awaitingJoined = false;
        Loop.cancel(rejoinTask);
        rejoinTask = null;
        lastSeq = resume.lastSeq();
        currentEpoch = resume.epoch();
        Optional<SortedSet<String>> view = presence.joined(payload);
        view.ifPresent(changed -> members = changed);
        boolean resync = c.resyncing;
        if (answer) {
            c.resyncing = false;
            c.joined = true;
        }
        if (answer && !resync) {
            state = State.CONNECTED;
            everJoined = true;
            reconnectBackoff.reset();
            attemptsSinceJoined = 0;
            String joinedNode = Protocol.text(payload, "node");
            node = joinedNode;
            if (disconnectedAtNanos >= 0) {
                Duration took = Duration.ofNanos(System.nanoTime() - disconnectedAtNanos);
                disconnectedAtNanos = -1;
                lastReconnectTime = took;
                lastResumeAt = Instant.now();
                reconnects++;
                log.debug("{}: back in {} on {} after {} ms, from seq {}", clientId, settings.roomId(), joinedNode,
                        took.toMillis(), resume.since());
            } else {
                log.debug("{}: joined {} on {} at seq {}", clientId, settings.roomId(), joinedNode, joined.head());
            }
            emit(l -> l.connected(joinedNode));
        }
        if (!joined.lossless()) {
            log.warn("{}: {} did not resume without loss (recovered {}, epoch {} -> {})", clientId, settings.roomId(),
                    joined.recovered(), joined.oldEpoch(), joined.newEpoch());
            emit(l -> l.recovery(joined.recovered(), joined.oldEpoch(), joined.newEpoch()));
        }
        view.ifPresent(changed -> emit(l -> l.members(changed)));
        if (answer) {
            sendDue(c);
        }
    }

    private void message(Connection c, JsonNode payload) {
        if (c.awaitingJoined) {
            // Sent before the join now pending; the replay that follows its joined brings it again.
            return;
        }
        Resume.Decision decision = resume.message(payload);
        ChatMessage m = decision.message();
        switch (decision.action()) {
            case DELIVER -> {
                lastSeq = resume.lastSeq();
                delivered++;
                presence.message(m.from());
                typingSignals = presence.typingSignals();
                emit(l -> l.message(m));
            }
            case DUPLICATE -> duplicatesDropped++;
            case OTHER_HISTORY -> {
                log.warn("{}: seq {} of another history ({}, not {}); rejoining", clientId, m.seq(), m.epoch(),
                        resume.epoch());
                resync(c);
            }
            case GAP -> {
                gapsDetected++;
                log.warn("{}: seq jumped from {} to {} in {}; rejoining to fill the gap", clientId, resume.since(), m.seq(),
                        settings.roomId());
                emit(l -> l.gapDetected(decision.expected(), m.seq()));
                resync(c);
            }
        }
    }

    /** Joins again on the same connection, asking for everything after the cursor. */
    private void resync(Connection c) {
        if (c.awaitingJoined) {
            return;
        }
        c.resyncing = true;
        sendJoin(c);
    }

    private void presence(JsonNode payload) {
        presence.presence(payload).ifPresentOrElse(changed -> {
            members = changed;
            emit(l -> l.members(changed));
        }, () -> log.debug("{}: presence event that changes nothing here: {}", clientId, payload));
    }

    private void typing(JsonNode payload) {
        presence.typing(payload, clock.getAsLong()).ifPresent(name -> {
            typingSignals = presence.typingSignals();
            emit(l -> l.typing(name));
        });
    }

    private void ack(JsonNode payload) {
        String id = Protocol.text(payload, "clientMsgId");
        long seq = payload.path("seq").asLong(-1);
        outbox.ack(id, seq).ifPresent(acked -> {
            if (acked.late()) {
                log.debug("{}: late ack for {} (seq {}) after it was given up on", clientId, id, seq);
            }
            end(acked);
        });
    }

    private void error(Connection c, JsonNode payload) {
        String code = payload.path("code").asText("");
        String message = payload.path("message").asText("");
        String id = Protocol.text(payload, "clientMsgId");
        if (id != null) {
            refused(c, id, code, message);
            return;
        }
        log.debug("{}: server error {}: {}", clientId, code, message);
        emit(l -> l.error(code, message));
        if (c.awaitingJoined) {
            if ("invalid_room".equals(code) || "forbidden".equals(code)) {
                // Asking again changes nothing: the room id is malformed, or this client may not enter it.
                stop("the server refused room " + settings.roomId() + ": " + message, true);
            } else if (rejoinTask == null) {
                // The join itself failed (Redis unavailable, say): try it again on the same connection.
                Duration delay = reconnectBackoff.next();
                // The join was answered; the watchdog's wait for the next answer starts when the next join goes out.
                c.joinSentNanos = System.nanoTime() + delay.toNanos();
                rejoinTask = loop.after(delay, () -> {
                    rejoinTask = null;
                    if (c == connection && c.awaitingJoined) {
                        sendJoin(c);
                    }
                });
            }
        } else if ("not_joined".equals(code)) {
            resync(c);
        }
    }

    /** An {@code error} for one of the client's sends. */
    private void refused(Connection c, String id, String code, String message) {
        Outbox.Refused refused = outbox.error(id, code, message);
        switch (refused.refusal()) {
            case NOT_WAITING -> log.debug("{}: error {} for {}, which is no longer waiting", clientId, code, id);
            case RETRY -> {
                if (refused.retryIn() != null) {
                    scheduleRetry(refused.retryIn());
                }
            }
            case REJOIN -> resync(c);
            case FAILED -> end(refused.failed());
        }
    }

    // ---- sending ----

    private void accept(Sending sending) {
        if (state == State.CLOSED) {
            sending.completeExceptionally(new SendFailedException(sending.clientMsgId(), "closed", "the client is closed"));
            return;
        }
        Connection c = connection;
        transmit(c, outbox.add(sending, System.nanoTime(), inRoomOn(c)));
        unackedCount = outbox.size();
        watchSendTimeouts();
    }

    /** The number of the connection the client is in its room on, or {@link Outbox#NOWHERE}. */
    private static long inRoomOn(Connection c) {
        return c != null && c.inRoom() ? c.number : Outbox.NOWHERE;
    }

    /** Sends, in original order, every unacked message not yet sent on this connection. */
    private void sendDue(Connection c) {
        Loop.cancel(retryTask);
        retryTask = null;
        transmit(c, outbox.due(c.number));
    }

    private void scheduleRetry(Duration delay) {
        retryTask = loop.after(delay, () -> {
            retryTask = null;
            Connection c = connection;
            transmit(c, outbox.retry(inRoomOn(c)));
        });
    }

    /** Keeps a timer on the deadline of the oldest send waiting, while there is one. */
    private void watchSendTimeouts() {
        if (sendTimeoutTask != null) {
            return;
        }
        outbox.nextDeadline().ifPresent(deadline -> sendTimeoutTask = loop.after(
                Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> {
                    sendTimeoutTask = null;
                    outbox.expire(System.nanoTime()).forEach(this::end);
                    watchSendTimeouts();
                }));
    }

    private static void transmit(Connection c, List<Sending> sends) {
        for (Sending s : sends) {
            c.transmit(Protocol.message(s.text(), s.clientMsgId()));
        }
    }

    /** Tells the listener how a send ended, then completes its {@link Sending}. */
    private void end(Outbox.Ending ending) {
        unackedCount = outbox.size();
        emit(ending::report);
        ending.complete();
    }

    // ---- stopping ----

    private void stop(String reason, boolean fatal) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        timers.forEach(Loop::cancel);
        Loop.cancel(reconnectTask);
        Loop.cancel(retryTask);
        Loop.cancel(rejoinTask);
        Loop.cancel(sendTimeoutTask);
        Connection c = connection;
        connection = null;
        if (c != null) {
            c.close(fatal ? CloseFrame.NORMAL : CloseFrame.GOING_AWAY, reason);
            // A dead peer never answers the close frame; drop the socket after a grace period.
            loop.after(CLOSE_GRACE, () -> c.abort(reason));
        }
        outbox.close(reason).forEach(this::end);
        if (fatal) {
            log.warn("{}: giving up: {}", clientId, reason);
            emit(l -> l.fatal(reason));
        } else {
            log.debug("{}: {}", clientId, reason);
        }
        loop.shutdown();
    }

    // ---- plumbing ----

    private void emit(Consumer<ClientListener> event) {
        try {
            event.accept(settings.listener());
        } catch (RuntimeException e) {
            log.warn("{}: listener failed", clientId, e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    /** Settings for a {@link ResilientClient}; every one has a default except the room and the URIs. */
    public static final class Builder {
        private final String roomId;
        private List<URI> uris;
        private String name;
        private Long since;
        private String epoch;
        private String clientId;
        private ClientListener listener = new ClientListener() {
        };
        private Duration heartbeatInterval = Duration.ofSeconds(5);
        private Duration deadAfter;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration sendTimeout = Duration.ZERO;
        private Duration backoffBase = Duration.ofMillis(250);
        private Duration backoffCap = Duration.ofSeconds(10);
        private Duration soon = Duration.ofSeconds(1);
        private RandomGenerator random = RandomGenerator.getDefault();
        private LongSupplier clock = System::nanoTime;

        private Builder(String roomId, List<URI> uris) {
            this.roomId = roomId;
            this.uris = uris;
        }

        /** The server URIs, tried in turn: each new connection attempt goes to the next one. */
        public Builder uris(List<URI> newUris) {
            this.uris = List.copyOf(newUris);
            return this;
        }

        /** The name other members see (1-32 characters); the server picks one when not given. */
        public Builder name(String newName) {
            this.name = newName;
            return this;
        }

        /** Resume from {@code seq} of history {@code epoch} (null when unknown) instead of starting at the room's head. */
        public Builder resumeFrom(long seq, String historyEpoch) {
            this.since = seq;
            this.epoch = historyEpoch;
            return this;
        }

        /** The prefix of every {@code clientMsgId}; unique per client instance (a random one by default). */
        public Builder clientId(String newClientId) {
            this.clientId = newClientId;
            return this;
        }

        public Builder listener(ClientListener newListener) {
            this.listener = Objects.requireNonNull(newListener, "listener");
            return this;
        }

        /** How often to ping (default 5 s); a connection silent for {@code deadAfter} (default 3 × interval) is dropped. */
        public Builder heartbeat(Duration interval, Duration newDeadAfter) {
            this.heartbeatInterval = interval;
            this.deadAfter = newDeadAfter;
            return this;
        }

        /** How long a connection attempt may take, up to the server's answer to the join (default 5 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Reconnect delays: attempt n waits random(0, min(cap, base × 2^n)); defaults 250 ms and 10 s. */
        public Builder backoff(Duration base, Duration cap) {
            this.backoffBase = base;
            this.backoffCap = cap;
            return this;
        }

        /** After close code 1012, reconnect within random(0, {@code within}) (default 1 s). */
        public Builder reconnectSoonWithin(Duration within) {
            this.soon = within;
            return this;
        }

        /** Give up waiting for an ack after {@code timeout} (the send becomes unknown); {@link Duration#ZERO}, the default, waits for ever. */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = timeout;
            return this;
        }

        /** The source of the backoff's jitter; seed one to make delays reproducible. */
        public Builder random(RandomGenerator newRandom) {
            this.random = Objects.requireNonNull(newRandom, "random");
            return this;
        }

        /** The nanosecond clock typing signals are timed by ({@link System#nanoTime()}); for tests. */
        Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** Checks the settings (an {@link IllegalArgumentException} names the one that cannot work) and builds the client. */
        public ResilientClient build() {
            return new ResilientClient(new ClientSettings(uris, roomId, name, since, epoch, clientId, listener,
                    heartbeatInterval, deadAfter, connectTimeout, sendTimeout, backoffBase, backoffCap, soon, random), clock);
        }
    }
}
