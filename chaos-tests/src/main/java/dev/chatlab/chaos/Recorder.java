package dev.chatlab.chaos;

import dev.chatlab.chaos.Recorded.Gap;
import dev.chatlab.chaos.Recorded.Member;
import dev.chatlab.chaos.Recorded.Receive;
import dev.chatlab.chaos.Recorded.Reconnect;
import dev.chatlab.chaos.Recorded.Recovery;
import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;

/**
 * One member of a chaos workload: it listens to its resilient client and keeps, in the order they happened,
 * everything the client was handed and went through, from which the run's {@link Recorded.History} is made.
 */
public final class Recorder implements ClientListener {
    /** A connection that ended: its close code, whether the server sent it, and when. */
    public record Closed(int code, boolean remote, long at) {
    }

    /** A (re)join answered by {@code node}. */
    public record Joined(String node, long at) {
    }

    private record Got(ChatMessage message, long at) {
    }

    private final String name;
    private final String room;
    private final RunClock clock;
    private volatile ResilientClient client;
    private volatile LongSupplier lastSeq = () -> 0;
    private volatile LongSupplier duplicatesDropped = () -> 0;

    // Written on the client's own thread, read by the scenario's: concurrent collections and volatile fields only.
    private final Queue<Got> got = new ConcurrentLinkedQueue<>();
    private final Queue<Recovery> recoveries = new ConcurrentLinkedQueue<>();
    private final Queue<Reconnect> reconnects = new ConcurrentLinkedQueue<>();
    private final Queue<Gap> gaps = new ConcurrentLinkedQueue<>();
    private final Queue<Closed> closes = new ConcurrentLinkedQueue<>();
    private final Queue<Joined> joins = new ConcurrentLinkedQueue<>();
    private volatile Long joinedAtSeq;
    private volatile boolean inRoom;
    private volatile long downSince = -1;
    private volatile long newestSentAt = Long.MIN_VALUE;
    private volatile boolean leaving;

    public Recorder(String name, String room, RunClock clock) {
        this.name = name;
        this.room = room;
        this.clock = clock;
    }

    /** The client this recorder listens to; call before the client starts. */
    public void attach(ResilientClient newClient) {
        this.client = newClient;
        watch(newClient::lastSeq, newClient::duplicatesDropped);
    }

    /** Where the seq the client has reached and its count of dropped duplicates are read from. */
    void watch(LongSupplier newLastSeq, LongSupplier newDuplicatesDropped) {
        this.lastSeq = newLastSeq;
        this.duplicatesDropped = newDuplicatesDropped;
    }

    /** From now on the client is being closed on purpose: its last disconnect is not an outage. */
    void leaving() {
        leaving = true;
    }

    public String name() {
        return name;
    }

    public String room() {
        return room;
    }

    public ResilientClient client() {
        return client;
    }

    /** The node of the latest join, or null before the first. */
    public String node() {
        ResilientClient c = client;
        return c == null ? null : c.node();
    }

    /** In its room right now. */
    public boolean inRoom() {
        return inRoom;
    }

    /** Joined its room at least once. */
    public boolean joined() {
        return joinedAtSeq != null;
    }

    /** Messages handed to the application so far. */
    public int delivered() {
        return got.size();
    }

    /**
     * Whether it has been handed a message that its sender's node stored at or after {@code at}: it hears live
     * traffic. The node stamps {@code sentAt} from the same machine's clock the {@link RunClock} follows.
     */
    public boolean receivingSince(long at) {
        return newestSentAt >= at;
    }

    /** When it was first handed a message stored at or after {@code at}; empty while it has not been. */
    public Optional<Long> firstReceivedOfSince(long at) {
        for (Got g : got) {
            if (g.message.sentAt() >= at) {
                return Optional.of(g.at);
            }
        }
        return Optional.empty();
    }

    public List<Closed> closes() {
        return List.copyOf(closes);
    }

    public List<Joined> joins() {
        return List.copyOf(joins);
    }

    public List<Reconnect> reconnects() {
        return List.copyOf(reconnects);
    }

    // ---- the client's events ----

    @Override
    public void connected(String node) {
        long now = clock.now();
        joins.add(new Joined(node, now));
        if (joinedAtSeq == null) {
            // At the first join the client starts at the room's head: it expects every seq after this one.
            joinedAtSeq = lastSeq.getAsLong();
        } else if (downSince >= 0) {
            reconnects.add(new Reconnect(name, downSince, now));
        }
        downSince = -1;
        inRoom = true;
    }

    @Override
    public void disconnected(int code, String reason, boolean remote) {
        if (leaving) {
            return;
        }
        long now = clock.now();
        closes.add(new Closed(code, remote, now));
        // Failed attempts while away also end here; the outage started at the first one.
        if (inRoom) {
            downSince = now;
        }
        inRoom = false;
    }

    @Override
    public void message(ChatMessage message) {
        got.add(new Got(message, clock.now()));
        if (message.sentAt() > newestSentAt) {
            newestSentAt = message.sentAt();
        }
    }

    @Override
    public void recovery(boolean recovered, String oldEpoch, String newEpoch) {
        recoveries.add(new Recovery(name, room, clock.now()));
    }

    @Override
    public void gapDetected(long expected, long gotSeq) {
        gaps.add(new Gap(name, room, expected, gotSeq, clock.now()));
    }

    // ---- the history ----

    /** Its membership, once it has joined. */
    Optional<Member> member() {
        Long joined = joinedAtSeq;
        return joined == null ? Optional.empty()
                : Optional.of(new Member(name, room, joined, duplicatesDropped.getAsLong()));
    }

    List<Receive> receives() {
        List<Receive> receives = new ArrayList<>(got.size());
        for (Got g : got) {
            ChatMessage m = g.message;
            receives.add(new Receive(name, room, m.seq(), m.epoch(), m.clientMsgId(), g.at));
        }
        return receives;
    }

    List<Recovery> recoveries() {
        return List.copyOf(recoveries);
    }

    List<Gap> gaps() {
        return List.copyOf(gaps);
    }

    @Override
    public String toString() {
        ResilientClient c = client;
        return name + " in " + room + (c == null ? "" : " (" + c + ")");
    }
}
