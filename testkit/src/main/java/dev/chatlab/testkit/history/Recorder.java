package dev.chatlab.testkit.history;

import dev.chatlab.testkit.history.History.Member;
import dev.chatlab.testkit.history.History.Receive;
import dev.chatlab.testkit.history.History.Reconnect;
import dev.chatlab.testkit.history.History.Send;
import java.net.URI;
import java.time.Duration;
import java.util.AbstractList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One chat client's recorder, for one member of one room: whatever drives the client (a resilient client's listener,
 * a load generator reading frames) tells it, in order, what the client went through; it feeds its member's
 * {@link Checker.Receiver} as the events arrive and keeps them for tests to wait on and for the run's
 * {@link History}.
 *
 * <p>Its event methods have the names and signatures of the chat client's {@code ClientListener} callbacks, but for
 * the message itself. The testkit cannot see the client (the client's own tests use the testkit), so a listener is a
 * subclass with that one method:
 *
 * <pre>{@code
 * class Member extends Recorder<ChatMessage> implements ClientListener {
 *     public void message(ChatMessage m) { message(m, m.seq(), m.epoch(), m.clientMsgId(), m.text(), m.sentAt()); }
 * }
 * }</pre>
 *
 * <p>Events come on one thread at a time (a client's callbacks do). The lists are live and read-only, and may be read
 * from any thread meanwhile. With {@link Keep#COUNTS} nothing is kept per message (deliveries, sends and their fates,
 * error frames, the log): the checker is fed and the counts kept, for a load whose deliveries run to millions.
 *
 * @param <M> the message type the client hands over (its {@code ChatMessage}), kept in {@link #messages}
 */
public class Recorder<M> {
    /** What a recorder keeps besides feeding its checker. */
    public enum Keep {
        /** Every event, for tests and for the run's history. */
        EVERYTHING,
        /** Counts, and the connection's events (joins, closes, reconnects, recoveries, gaps); nothing per message. */
        COUNTS
    }

    /** A connection attempt to {@code uri} after {@code delay}; {@code attempt} counts from 0 since the last join. */
    public record Attempt(URI uri, int attempt, Duration delay) {
    }

    public record Ack(String clientMsgId, long seq) {
    }

    /** A rejoin that could not resume without a hole ({@code recovered} false), or in another epoch. */
    public record Recovery(boolean recovered, String oldEpoch, String newEpoch) {
    }

    /** The server skipped from {@code expected} to {@code got}; the client rejoined to fill it. */
    public record Gap(long expected, long got) {
    }

    /** A connection that ended: closed by the server ({@code remote}), dropped by the client, or never made (-1). */
    public record Disconnect(int code, String reason, boolean remote) {
    }

    /** A (re)join answered by {@code node}, at {@code at}. */
    public record Joined(String node, long at) {
    }

    /** A {@link Disconnect}, and when it happened. */
    public record Closed(int code, String reason, boolean remote, long at) {
    }

    /** A message handed to the application, and when. */
    public record Delivered<T>(T message, long seq, String epoch, String clientMsgId, String text, long sentAt, long at) {
    }

    private record Timed<T>(T what, long at) {
    }

    private final String name;
    private final String room;
    private final Checker checker;
    private final Checker.Receiver receiver;
    private final LongSupplier clock;
    private final boolean keepAll;
    private volatile LongSupplier lastSeq = () -> 0;
    private volatile LongSupplier duplicatesDropped = () -> 0;
    private volatile String node;
    private volatile boolean inRoom;
    private volatile boolean leaving;
    private volatile long downSince = -1;
    private volatile long newestSentAt = Long.MIN_VALUE;
    private volatile long errorCount;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final List<Attempt> attempted = new CopyOnWriteArrayList<>();
    private final List<Joined> joins = new CopyOnWriteArrayList<>();
    private final List<Delivered<M>> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<Ack> acked = new CopyOnWriteArrayList<>();
    private final List<String> failedIds = new CopyOnWriteArrayList<>();
    private final List<String> unknownIds = new CopyOnWriteArrayList<>();
    private final List<Timed<Recovery>> told = new CopyOnWriteArrayList<>();
    private final List<Timed<Gap>> caught = new CopyOnWriteArrayList<>();
    private final List<Closed> closes = new CopyOnWriteArrayList<>();
    private final List<Reconnect> reconnects = new CopyOnWriteArrayList<>();
    private final List<String> errorCodes = new CopyOnWriteArrayList<>();
    private final List<String> fatalReasons = new CopyOnWriteArrayList<>();

    /** Every event as a line, in order. */
    public final List<String> log = Collections.unmodifiableList(logged);
    public final List<Attempt> attempts = Collections.unmodifiableList(attempted);
    /** The node of each (re)join. */
    public final List<String> connected = view(joins, Joined::node);
    /** What the application was handed, in order. */
    public final List<M> messages = view(deliveries, Delivered::message);
    public final List<Ack> acks = Collections.unmodifiableList(acked);
    /** The clientMsgIds of sends refused for good. */
    public final List<String> failed = Collections.unmodifiableList(failedIds);
    /** The clientMsgIds of sends given up on. */
    public final List<String> unknown = Collections.unmodifiableList(unknownIds);
    public final List<Recovery> recoveries = view(told, Timed::what);
    public final List<Gap> gaps = view(caught, Timed::what);
    public final List<Disconnect> disconnects = view(closes, c -> new Disconnect(c.code(), c.reason(), c.remote()));
    /** The codes of {@code error} frames not tied to a send. */
    public final List<String> errors = Collections.unmodifiableList(errorCodes);
    public final List<String> fatal = Collections.unmodifiableList(fatalReasons);

    /** A recorder that keeps everything, on the wall clock (milliseconds), with a checker of its own. */
    public Recorder(String name, String room) {
        this(name, room, new Checker(), System::currentTimeMillis, Keep.EVERYTHING);
    }

    /** A recorder for member {@code name} of {@code room}, feeding {@code checker}, its events timed by {@code clock}. */
    public Recorder(String name, String room, Checker checker, LongSupplier clock, Keep keep) {
        this.name = Objects.requireNonNull(name, "name");
        this.room = Objects.requireNonNull(room, "room");
        this.checker = Objects.requireNonNull(checker, "checker");
        this.receiver = checker.receiver(name, room);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.keepAll = keep == Keep.EVERYTHING;
    }

    /**
     * Where the seq its client has reached (read at its first join: it is owed every message after) and its count of
     * duplicates dropped on the wire are read from; call before the client starts.
     */
    public void watch(LongSupplier newLastSeq, LongSupplier newDuplicatesDropped) {
        this.lastSeq = Objects.requireNonNull(newLastSeq, "lastSeq");
        this.duplicatesDropped = Objects.requireNonNull(newDuplicatesDropped, "duplicatesDropped");
        receiver.rawDuplicates(newDuplicatesDropped);
    }

    /** From now on the client is being closed on purpose: its last disconnect is no outage, and is not recorded. */
    public void leaving() {
        leaving = true;
    }

    /** The application sent {@code clientMsgId} (its fate comes with {@link #acked}, {@link #sendFailed} or {@link #sendUnknown}). */
    public void sent(String clientMsgId) {
        checker.invoked(name, room, clientMsgId, clock.getAsLong());
        if (keepAll) {
            sent.add(clientMsgId);
            logged.add("sent " + clientMsgId);
        }
    }

    // ---- the client's events ----

    public void connecting(URI uri, int attempt, Duration delay) {
        attempted.add(new Attempt(uri, attempt, delay));
        log("connecting " + uri + " #" + attempt + " in " + delay.toMillis() + " ms");
    }

    public void connected(String joinedNode) {
        long now = clock.getAsLong();
        node = joinedNode;
        joins.add(new Joined(joinedNode, now));
        log("connected " + joinedNode);
        if (receiver.joinedAtSeq() == null) {
            // At the first join the client starts at the room's head: it is owed every seq after this one.
            receiver.joined(lastSeq.getAsLong());
        } else if (downSince >= 0) {
            Reconnect reconnect = new Reconnect(name, downSince, now);
            reconnects.add(reconnect);
            checker.reconnected(reconnect);
        }
        downSince = -1;
        inRoom = true;
    }

    /**
     * The application was handed {@code message}: seq {@code seq} of {@code epoch} (see {@link Receive#epoch()}), sent
     * as {@code clientMsgId} (or null), saying {@code text}, stored by the server at {@code sentAt} (epoch ms, or 0).
     */
    public void message(M message, long seq, String epoch, String clientMsgId, String text, long sentAt) {
        long at = clock.getAsLong();
        receiver.delivered(seq, epoch, clientMsgId, at);
        if (sentAt > newestSentAt) {
            newestSentAt = sentAt;
        }
        if (keepAll) {
            deliveries.add(new Delivered<>(message, seq, epoch, clientMsgId, text, sentAt, at));
            logged.add("message " + seq + " " + text);
        }
    }

    public void acked(String clientMsgId, long seq) {
        checker.acked(clientMsgId, seq);
        if (keepAll) {
            acked.add(new Ack(clientMsgId, seq));
            logged.add("acked " + clientMsgId + " as " + seq);
        }
    }

    public void sendFailed(String clientMsgId, String reason) {
        checker.failed(clientMsgId);
        if (keepAll) {
            failedIds.add(clientMsgId);
            logged.add("failed " + clientMsgId + ": " + reason);
        }
    }

    public void sendUnknown(String clientMsgId, String reason) {
        checker.unknown(clientMsgId);
        if (keepAll) {
            unknownIds.add(clientMsgId);
            logged.add("unknown " + clientMsgId + ": " + reason);
        }
    }

    public void recovery(boolean recovered, String oldEpoch, String newEpoch) {
        long at = clock.getAsLong();
        receiver.recovery(at);
        told.add(new Timed<>(new Recovery(recovered, oldEpoch, newEpoch), at));
        log("recovery " + recovered + " " + oldEpoch + " -> " + newEpoch);
    }

    public void gapDetected(long expected, long got) {
        long at = clock.getAsLong();
        receiver.gap(expected, got);
        caught.add(new Timed<>(new Gap(expected, got), at));
        log("gap: expected " + expected + ", got " + got);
    }

    public void disconnected(int code, String reason, boolean remote) {
        if (leaving) {
            return;
        }
        long now = clock.getAsLong();
        closes.add(new Closed(code, reason, remote, now));
        log("disconnected " + code + " " + reason + (remote ? " (remote)" : ""));
        // Failed attempts while away also end here; the outage started at the first one.
        if (inRoom) {
            downSince = now;
        }
        inRoom = false;
    }

    public void error(String code, String message) {
        errorCount++;
        if (keepAll) {
            errorCodes.add(code);
            logged.add("error " + code + ": " + message);
        }
    }

    public void fatal(String reason) {
        fatalReasons.add(reason);
        log("fatal " + reason);
    }

    private void log(String line) {
        if (keepAll) {
            logged.add(line);
        }
    }

    // ---- what it knows ----

    public String name() {
        return name;
    }

    public String room() {
        return room;
    }

    public Checker checker() {
        return checker;
    }

    /** The node of the latest join, or null before the first. */
    public String node() {
        return node;
    }

    /** In its room right now. */
    public boolean inRoom() {
        return inRoom;
    }

    /** Joined its room at least once. */
    public boolean joined() {
        return receiver.joinedAtSeq() != null;
    }

    /** Messages handed to the application so far. */
    public long delivered() {
        return receiver.delivered();
    }

    /** Error frames so far. */
    public long errorCount() {
        return errorCount;
    }

    /** When the outage it is in began, or -1 while it is in its room (or has not been in it yet). */
    public long downSince() {
        return downSince;
    }

    /**
     * Whether it has been handed a message that the server stored at or after {@code at}: it hears live traffic. The
     * server stamps {@code sentAt} from the same machine's wall clock.
     */
    public boolean receivingSince(long at) {
        return newestSentAt >= at;
    }

    /** When it was first handed a message stored at or after {@code at}; empty while it has not been. */
    public Optional<Long> firstReceivedOfSince(long at) {
        return deliveries.stream().filter(d -> d.sentAt() >= at).findFirst().map(Delivered::at);
    }

    public List<Delivered<M>> deliveries() {
        return Collections.unmodifiableList(deliveries);
    }

    public List<Joined> joins() {
        return Collections.unmodifiableList(joins);
    }

    public List<Closed> closes() {
        return Collections.unmodifiableList(closes);
    }

    /** Each outage it came back from: from the first disconnect to the next join. */
    public List<Reconnect> reconnects() {
        return Collections.unmodifiableList(reconnects);
    }

    public List<Long> seqs() {
        return deliveries.stream().map(Delivered::seq).toList();
    }

    public List<String> texts() {
        return deliveries.stream().map(Delivered::text).toList();
    }

    /** Its sends, each with its fate as of now (unknown while it waits). */
    public List<Send> sends() {
        return sent.stream().map(checker::send).filter(Objects::nonNull).toList();
    }

    /** Its part of the run's history: its sends, its membership once it joined, and what it was handed and told. */
    public History history() {
        Long joinedAt = receiver.joinedAtSeq();
        List<Member> member = joinedAt == null ? List.of()
                : List.of(new Member(name, room, joinedAt, duplicatesDropped.getAsLong()));
        List<Receive> receives = deliveries.stream()
                .map(d -> new Receive(name, room, d.seq(), d.epoch(), d.clientMsgId(), d.at())).toList();
        List<History.Recovery> recovered = told.stream().map(t -> new History.Recovery(name, room, t.at())).toList();
        List<History.Gap> gapped = caught.stream()
                .map(t -> new History.Gap(name, room, t.what().expected(), t.what().got(), t.at())).toList();
        return new History(sends(), member, receives, recovered, reconnects, gapped);
    }

    @Override
    public String toString() {
        return name + " in " + room + (logged.isEmpty() ? "" : ":\n" + String.join("\n", logged));
    }

    /** {@code list} read through {@code f}: live, read-only. */
    private static <T, R> List<R> view(List<T> list, Function<T, R> f) {
        return new AbstractList<>() {
            @Override
            public R get(int index) {
                return f.apply(list.get(index));
            }

            @Override
            public int size() {
                return list.size();
            }
        };
    }
}
