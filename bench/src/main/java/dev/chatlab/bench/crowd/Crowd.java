package dev.chatlab.bench.crowd;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Pause;
import dev.chatlab.bench.Table;
import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import dev.chatlab.client.Sending;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.History;
import dev.chatlab.testkit.history.Recorder;
import dev.chatlab.testkit.history.Verdict;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import org.HdrHistogram.Histogram;

/**
 * ResilientClients chatting through the swarm: each in its room, each sending a message every so often, every
 * send, ack and delivery recorded by the testkit's recorder (on {@link System#nanoTime()}), so that a scenario can break
 * something in between and then ask the testkit's checker what was lost, duplicated or reordered, how long the clients
 * of a node took to be back, and how late the messages were.
 */
public final class Crowd implements AutoCloseable {

    /** One client's recorder, as its listener. All callbacks come on the client's own thread, one at a time. */
    private static final class Member extends Recorder<ChatMessage> implements ClientListener {
        final int index;
        volatile String nodeAtMark;

        Member(int index, int room, Checker checker) {
            super("c" + index, "room-" + room, checker, System::nanoTime, Keep.EVERYTHING);
            this.index = index;
        }

        @Override
        public void message(ChatMessage m) {
            message(m, m.seq(), m.epoch(), m.clientMsgId(), m.text(), m.sentAt());
        }

        /** The first outage that began at or after {@code nanos} and has ended. */
        Optional<History.Reconnect> backSince(long nanos) {
            return reconnects().stream().filter(r -> r.disconnectedAt() >= nanos).findFirst();
        }
    }

    /**
     * How the clients of one node came back after an event.
     *
     * @param movers        clients on the node when the crowd was marked
     * @param notBack       of them, not connected again since the event
     * @param unrecovered   of them, rejoined without their room's history intact (a hole, or another epoch)
     * @param reconnect     microseconds from each one's disconnect to its {@code connected}
     * @param sinceEvent    microseconds from the event to each one's {@code connected}
     */
    public record Resumes(int movers, int notBack, int unrecovered, Histogram reconnect, Histogram sinceEvent) {
    }

    /**
     * The checker's verdict on every message sent, as failover and storm report it.
     *
     * @param sent        sends
     * @param acked       acked by the server
     * @param unacked     not acked in the end (failed, unknown or still pending)
     * @param lost        (member, acked message of its room) pairs never delivered, whether the member was told or not
     * @param duplicated  deliveries of a seq a member already had, plus duplicates the clients dropped themselves
     * @param storedTwice messages stored under two seqs (one clientMsgId)
     * @param reordered   deliveries of a seq after a later one
     */
    public record Integrity(long sent, long acked, long unacked, long lost, long duplicated, long storedTwice, long reordered) {

        static Integrity of(Verdict v) {
            return new Integrity(v.sends(), v.acked(), v.sends() - v.acked(), v.lost() + v.announcedLosses(),
                    v.repeatedSeqs() + v.rawDuplicates(), v.messagesStoredTwice(), v.reordered());
        }

        /** Its rows, as failover and storm print them. */
        public void addTo(Table table) {
            table.row("messages sent", f("%,d", sent));
            table.row("acked", f("%,d", acked));
            table.row("unacked at the end", f("%,d", unacked));
            table.row("lost (acked, not delivered to a member)", f("%,d", lost));
            table.row("duplicated deliveries", f("%,d", duplicated));
            table.row("stored twice (one clientMsgId, two seqs)", f("%,d", storedTwice));
            table.row("reordered", f("%,d", reordered));
        }

        public void addTo(Map<String, Object> json) {
            json.put("sent", sent);
            json.put("acked", acked);
            json.put("unacked", unacked);
            json.put("lost", lost);
            json.put("duplicated", duplicated);
            json.put("storedTwice", storedTwice);
            json.put("reordered", reordered);
        }

        public String verdict() {
            return lost == 0 ? "0 lost: every acked message reached every member of its room."
                    : "LOST MESSAGES: " + lost + " (acked, yet some member never got them).";
        }
    }

    private final List<ResilientClient> clients = new ArrayList<>();
    private final List<Member> members = new ArrayList<>();
    private final Checker checker = new Checker();
    private final List<Sending> sendings = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    private final AtomicBoolean sending = new AtomicBoolean();

    private Crowd() {
    }

    /**
     * Starts {@code count} ResilientClients (heartbeat 1 s, dead after 3 s, backoff 100 ms..2 s) on {@code uri}, client i
     * in room i mod {@code rooms}, and returns once every one is in its room.
     */
    public static Crowd join(URI uri, int count, int rooms) {
        Crowd crowd = new Crowd();
        try {
            for (int i = 0; i < count; i++) {
                Member m = new Member(i, i % rooms, crowd.checker);
                ResilientClient c = ResilientClient.builder(m.room(), uri).name(m.name())
                        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3)).backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                        .listener(m).build();
                m.watch(c::lastSeq, c::duplicatesDropped);
                crowd.members.add(m);
                crowd.clients.add(c);
                c.start();
            }
            if (!Pause.until(() -> crowd.members.stream().allMatch(m -> m.node() != null), Duration.ofSeconds(30))) {
                throw new IllegalStateException("not every client connected within 30 s");
            }
            say("%d clients connected: %s", count, crowd.byNode());
            return crowd;
        } catch (RuntimeException e) {
            crowd.close();
            throw e;
        }
    }

    /** Every client sends one message every {@code every}, each starting at a random point of the first period. */
    public void chat(Duration every) {
        sending.set(true);
        long period = every.toMillis();
        for (int i = 0; i < clients.size(); i++) {
            ResilientClient c = clients.get(i);
            Member m = members.get(i);
            long[] n = {0};
            clock.scheduleAtFixedRate(() -> {
                if (sending.get()) {
                    // The text carries its sender and send time, so that whoever receives it can tell how late it is.
                    Sending s = c.send("m|" + m.index + "|" + n[0]++ + "|" + System.nanoTime());
                    m.sent(s.clientMsgId());
                    sendings.add(s);
                }
            }, ThreadLocalRandom.current().nextInt((int) Math.max(1, period)), period, TimeUnit.MILLISECONDS);
        }
    }

    /** Clients per node right now, by node id. */
    public Map<String, Long> byNode() {
        Map<String, Long> by = new TreeMap<>();
        members.forEach(m -> by.merge(String.valueOf(m.node()), 1L, Long::sum));
        return by;
    }

    /** Remembers where every client is now: a node's clients, for {@link #resumes} and {@link #latency}, are those there now. */
    public void mark() {
        members.forEach(m -> m.nodeAtMark = m.node());
    }

    /** Whether every client that was on {@code nodeId} at the mark has connected again since {@code eventNanos}. */
    public boolean allBack(String nodeId, long eventNanos) {
        return members.stream().filter(m -> nodeId.equals(m.nodeAtMark)).allMatch(m -> m.backSince(eventNanos).isPresent());
    }

    /** How the clients that were on {@code nodeId} at the mark came back after the event at {@code eventNanos}. */
    public Resumes resumes(String nodeId, long eventNanos) {
        Histogram reconnect = Latency.histogram();
        Histogram sinceEvent = Latency.histogram();
        int movers = 0;
        int notBack = 0;
        int unrecovered = 0;
        for (Member m : members) {
            if (!nodeId.equals(m.nodeAtMark)) {
                continue;
            }
            movers++;
            if (m.history().recoveries().stream().anyMatch(r -> r.at() >= eventNanos)) {
                unrecovered++;
            }
            Optional<History.Reconnect> back = m.backSince(eventNanos);
            if (back.isEmpty()) {
                notBack++;
                continue;
            }
            reconnect.recordValue(back.get().took() / 1_000);
            sinceEvent.recordValue((back.get().resumedAt() - eventNanos) / 1_000);
        }
        return new Resumes(movers, notBack, unrecovered, reconnect, sinceEvent);
    }

    /**
     * Microseconds from send to delivery of the messages sent in [{@code fromNanos}, {@code toNanos}) by clients whose
     * index passes {@code senders}, as received by those that pass {@code receivers}.
     */
    public Histogram latency(IntPredicate receivers, IntPredicate senders, long fromNanos, long toNanos) {
        Histogram out = Latency.histogram();
        for (Member m : members) {
            if (!receivers.test(m.index)) {
                continue;
            }
            for (Recorder.Delivered<ChatMessage> d : m.deliveries()) {
                // m|<sender>|<n>|<send nanoTime>
                String[] fields = d.text() == null ? new String[0] : d.text().split("\\|");
                if (fields.length == 4 && fields[0].equals("m") && senders.test(Integer.parseInt(fields[1]))) {
                    long sentNanos = Long.parseLong(fields[3]);
                    if (sentNanos >= fromNanos && sentNanos < toNanos) {
                        out.recordValue(Math.max(0, (d.at() - sentNanos) / 1_000));
                    }
                }
            }
        }
        return out;
    }

    /** A predicate on client indexes: those on {@code nodeId} at the mark, or (negated) those elsewhere. */
    public IntPredicate on(String nodeId) {
        return i -> nodeId.equals(members.get(i).nodeAtMark);
    }

    /** Stops sending, then waits (at most 30 s) for every ack and (at most 10 s) for every acked message to be delivered. */
    public void stop() {
        sending.set(false);
        clock.shutdown();
        try {
            clock.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Sending> copy = sent();
        say("stopped sending; %,d sends; waiting for their acks", copy.size());
        Pause.until(() -> copy.stream().allMatch(CompletableFuture::isDone), Duration.ofSeconds(30));
        Pause.until(() -> integrity().lost() == 0, Duration.ofSeconds(10));
    }

    private List<Sending> sent() {
        synchronized (sendings) {
            return new ArrayList<>(sendings);
        }
    }

    /** The checker's verdict on what happened to every message sent, from every send, ack and member's deliveries. */
    public Integrity integrity() {
        return Integrity.of(checker.verdict());
    }

    /** Reconnect figures in milliseconds, as the JSON has them. */
    public static Map<String, Object> millis(Histogram micros) {
        Latency l = Latency.of(micros);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("p50", l.p50() / 1000.0);
        out.put("p99", l.p99() / 1000.0);
        out.put("max", l.max() / 1000.0);
        return out;
    }

    @Override
    public void close() {
        clock.shutdownNow();
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        });
    }
}
