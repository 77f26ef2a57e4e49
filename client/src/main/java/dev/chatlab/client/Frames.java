package dev.chatlab.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room over a connection, on a {@link ResilientClient}'s thread: it sends the joins and reads what the server
 * sends. What a frame means is decided by {@code Resume} (the seq cursor and the epoch), {@code Presence} (the members
 * and who is typing) and, for acks and refused sends, the {@code Outbox} behind {@link Sends}; this part acts on it:
 * it tells the listener, keeps the {@link Stats} and publishes what the accessors read. A join goes out when a
 * connection opens, again on the same connection when the seqs say something is missing (a resync), and again after
 * the backoff when the server could not answer it. Where the client stands (in its room, or given up) is the client's
 * to change ({@link Client}).
 */
final class Frames {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);

    /** What only the client decides. */
    interface Client {
        /** The answer to a join (not a resync) came: the client is in its room, on {@code node}. */
        void inRoom(String node);

        /** The server will never let the client into its room: give up for good. */
        void giveUp(String reason);
    }

    private final String clientId;
    private final String roomId;
    private final String name;
    private final Loop loop;
    private final Emitter emitter;
    private final Stats stats;
    private final Sends sends;
    /** The client's reconnect backoff: a join retried here counts as an attempt, a join answered resets it. */
    private final Backoff backoff;
    /** Times typing signals, in nanoseconds; only tests replace it. */
    private final LongSupplier clock;
    /** The client's current connection, or null. */
    private final Supplier<Connection> current;
    private final Client client;
    private final Resume resume;
    private final Presence presence;
    private ScheduledFuture<?> rejoinTask;

    // Published for the accessors.
    private volatile long lastSeq;
    private volatile String epoch;
    private volatile SortedSet<String> members;
    private volatile Map<String, Long> typingSignals = Map.of();

    Frames(ClientSettings settings, Loop loop, Emitter emitter, Stats stats, Sends sends, Backoff backoff,
           LongSupplier clock, Supplier<Connection> current, Client client) {
        this.clientId = settings.clientId();
        this.roomId = settings.roomId();
        this.name = settings.name();
        this.loop = loop;
        this.emitter = emitter;
        this.stats = stats;
        this.sends = sends;
        this.backoff = backoff;
        this.clock = clock;
        this.current = current;
        this.client = client;
        this.resume = new Resume(roomId, settings.since(), settings.epoch());
        this.presence = new Presence(roomId);
        this.lastSeq = resume.lastSeq();
        this.epoch = resume.epoch();
        this.members = presence.members();
    }

    long lastSeq() {
        return lastSeq;
    }

    String epoch() {
        return epoch;
    }

    Set<String> members() {
        return members;
    }

    Set<String> typingNow() {
        return Presence.typingAt(typingSignals, clock.getAsLong());
    }

    /** Sends a {@code join} on {@code c}, from the cursor: the first one on a connection, or one more. */
    void join(Connection c) {
        c.join(Protocol.join(roomId, name, resume.since(), resume.epoch()));
    }

    /** No join is to be sent again: the connection is gone, or the client stops. */
    void cancelRejoin() {
        Loop.cancel(rejoinTask);
        rejoinTask = null;
    }

    /** A text frame from {@code c}, the client's current connection. */
    void received(Connection c, String text) {
        JsonNode frame = Protocol.parse(text);
        if (frame == null) {
            log.warn("{}: ignoring a frame that is not a JSON object: {}", clientId, abbreviate(text));
            return;
        }
        JsonNode payload = frame.path("payload");
        switch (frame.path("type").asText("")) {
            case "joined" -> joined(c, payload);
            case "message" -> message(c, payload);
            case "ack" -> sends.ack(Protocol.text(payload, "clientMsgId"), payload.path("seq").asLong(-1));
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
        cancelRejoin();
        lastSeq = resume.lastSeq();
        epoch = resume.epoch();
        Optional<SortedSet<String>> view = presence.joined(payload);
        view.ifPresent(changed -> members = changed);
        boolean resync = c.resyncing;
        if (answer) {
            c.resyncing = false;
            c.joined = true;
        }
        if (answer && !resync) {
            String node = Protocol.text(payload, "node");
            client.inRoom(node);
            Duration took = stats.backInRoom();
            if (took != null) {
                log.debug("{}: back in {} on {} after {} ms, from seq {}", clientId, roomId, node, took.toMillis(),
                        resume.since());
            } else {
                log.debug("{}: joined {} on {} at seq {}", clientId, roomId, node, joined.head());
            }
            emitter.emit(l -> l.connected(node));
        }
        if (!joined.lossless()) {
            log.warn("{}: {} did not resume without loss (recovered {}, epoch {} -> {})", clientId, roomId,
                    joined.recovered(), joined.oldEpoch(), joined.newEpoch());
            emitter.emit(l -> l.recovery(joined.recovered(), joined.oldEpoch(), joined.newEpoch()));
        }
        view.ifPresent(changed -> emitter.emit(l -> l.members(changed)));
        if (answer) {
            sends.due(c);
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
                stats.messageDelivered();
                presence.message(m.from());
                typingSignals = presence.typingSignals();
                emitter.emit(l -> l.message(m));
            }
            case DUPLICATE -> stats.duplicateDropped();
            case OTHER_HISTORY -> {
                log.warn("{}: seq {} of another history ({}, not {}); rejoining", clientId, m.seq(), m.epoch(),
                        resume.epoch());
                resync(c);
            }
            case GAP -> {
                stats.gapDetected();
                log.warn("{}: seq jumped from {} to {} in {}; rejoining to fill the gap", clientId, resume.since(), m.seq(),
                        roomId);
                emitter.emit(l -> l.gapDetected(decision.expected(), m.seq()));
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
        join(c);
    }

    private void presence(JsonNode payload) {
        presence.presence(payload).ifPresentOrElse(changed -> {
            members = changed;
            emitter.emit(l -> l.members(changed));
        }, () -> log.debug("{}: presence event that changes nothing here: {}", clientId, payload));
    }

    private void typing(JsonNode payload) {
        presence.typing(payload, clock.getAsLong()).ifPresent(typist -> {
            typingSignals = presence.typingSignals();
            emitter.emit(l -> l.typing(typist));
        });
    }

    private void error(Connection c, JsonNode payload) {
        String code = payload.path("code").asText("");
        String message = payload.path("message").asText("");
        String id = Protocol.text(payload, "clientMsgId");
        if (id != null) {
            if (sends.refused(id, code, message)) {
                resync(c);
            }
            return;
        }
        log.debug("{}: server error {}: {}", clientId, code, message);
        emitter.emit(l -> l.error(code, message));
        if (c.awaitingJoined) {
            if ("invalid_room".equals(code) || "forbidden".equals(code)) {
                // Asking again changes nothing: the room id is malformed, or this client may not enter it.
                client.giveUp("the server refused room " + roomId + ": " + message);
            } else if (rejoinTask == null) {
                // The join itself failed (Redis unavailable, say): try it again on the same connection.
                Duration delay = backoff.next();
                // The join was answered; the watchdog's wait for the next answer starts when the next join goes out.
                c.joinSentNanos = System.nanoTime() + delay.toNanos();
                rejoinTask = loop.after(delay, () -> {
                    rejoinTask = null;
                    if (c == current.get() && c.awaitingJoined) {
                        join(c);
                    }
                });
            }
        } else if ("not_joined".equals(code)) {
            resync(c);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
