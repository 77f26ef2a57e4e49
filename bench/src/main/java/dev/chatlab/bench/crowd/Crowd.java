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
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import org.HdrHistogram.Histogram;

/**
 * ResilientClients chatting through the swarm: each in its room, each sending a message every so often, every
 * ack and delivery recorded, so that a scenario can break something in between and then ask what was lost, duplicated
 * or reordered, how long the clients of a node took to be back, and how late the messages were.
 */
public final class Crowd implements AutoCloseable {

    /** What one client saw. All callbacks come on the client's own thread, one at a time. */
    private static final class Seen implements ClientListener {
        final int index;
        final int room;
        volatile String node;
        volatile String nodeAtMark;
        final List<long[]> outages = new ArrayList<>(); // {disconnectNanos, connectedNanos or 0}
        final List<Long> unrecoveredAt = new ArrayList<>(); // joins that could not resume without a hole
        final Set<Long> seqs = new HashSet<>();
        final Map<String, Set<Long>> seqsByClientMsgId = new HashMap<>();
        final List<long[]> deliveries = new ArrayList<>(); // {sender, sentNanos, receivedNanos}
        long lastSeq;
        long duplicated;
        long reordered;

        Seen(int index, int room) {
            this.index = index;
            this.room = room;
        }

        @Override
        public synchronized void connected(String nodeId) {
            node = nodeId;
            if (!outages.isEmpty() && outages.get(outages.size() - 1)[1] == 0) {
                outages.get(outages.size() - 1)[1] = System.nanoTime();
            }
        }

        @Override
        public synchronized void disconnected(int code, String reason, boolean remote) {
            if (outages.isEmpty() || outages.get(outages.size() - 1)[1] != 0) {
                outages.add(new long[] {System.nanoTime(), 0});
            }
        }

        @Override
        public synchronized void recovery(boolean recovered, String oldEpoch, String newEpoch) {
            unrecoveredAt.add(System.nanoTime());
        }

        @Override
        public synchronized void message(ChatMessage m) {
            long now = System.nanoTime();
            if (!seqs.add(m.seq())) {
                duplicated++;
            }
            if (m.seq() <= lastSeq) {
                reordered++;
            }
            lastSeq = Math.max(lastSeq, m.seq());
            if (m.clientMsgId() != null) {
                seqsByClientMsgId.computeIfAbsent(m.clientMsgId(), k -> new HashSet<>()).add(m.seq());
            }
            String[] fields = m.text() == null ? new String[0] : m.text().split("\\|");
            if (fields.length == 4 && fields[0].equals("m")) {
                deliveries.add(new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[3]), now});
            }
        }

        /** The first outage that began at or after {@code nanos}, or null. */
        synchronized long[] outageSince(long nanos) {
            return outages.stream().filter(o -> o[0] >= nanos).findFirst().map(long[]::clone).orElse(null);
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
     * The checker's verdict on every message sent.
     *
     * @param sent        sends
     * @param acked       acked by the server
     * @param unacked     not acked in the end (failed, unknown or still pending)
     * @param lost        (member, acked message of its room) pairs never delivered
     * @param duplicated  deliveries of a seq a member already had, plus duplicates the clients dropped themselves
     * @param storedTwice messages stored under two seqs (one clientMsgId)
     * @param reordered   deliveries whose seq was not above the member's last
     */
    public record Integrity(long sent, long acked, long unacked, long lost, long duplicated, long storedTwice, long reordered) {

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
    private final List<Seen> seen = new ArrayList<>();
    private final int rooms;
    private final Map<String, Long> acked = new ConcurrentHashMap<>(); // clientMsgId -> seq
    private final Map<String, Integer> roomOf = new ConcurrentHashMap<>();
    private final List<Sending> sendings = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
    private final AtomicBoolean sending = new AtomicBoolean();

    private Crowd(int rooms) {
        this.rooms = rooms;
    }

    /**
     * Starts {@code count} ResilientClients (heartbeat 1 s, dead after 3 s, backoff 100 ms..2 s) on {@code uri}, client i
     * in room i mod {@code rooms}, and returns once every one is in its room.
     */
    public static Crowd join(URI uri, int count, int rooms) {
        Crowd crowd = new Crowd(rooms);
        try {
            for (int i = 0; i < count; i++) {
                Seen s = new Seen(i, i % rooms);
                ResilientClient c = ResilientClient.builder("room-" + s.room, uri).name("c" + i)
                        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3)).backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                        .listener(s).build();
                crowd.seen.add(s);
                crowd.clients.add(c);
                c.start();
            }
            if (!Pause.until(() -> crowd.seen.stream().allMatch(s -> s.node != null), Duration.ofSeconds(30))) {
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
            int index = i;
            int room = i % rooms;
            long[] n = {0};
            clock.scheduleAtFixedRate(() -> {
                if (sending.get()) {
                    // The text carries its sender and send time, so that whoever receives it can tell how late it is.
                    Sending s = c.send("m|" + index + "|" + n[0]++ + "|" + System.nanoTime());
                    roomOf.put(s.clientMsgId(), room);
                    sendings.add(s);
                    s.whenComplete((seq, e) -> {
                        if (e == null) {
                            acked.put(s.clientMsgId(), seq);
                        }
                    });
                }
            }, ThreadLocalRandom.current().nextInt((int) Math.max(1, period)), period, TimeUnit.MILLISECONDS);
        }
    }

    /** Clients per node right now, by node id. */
    public Map<String, Long> byNode() {
        Map<String, Long> by = new TreeMap<>();
        seen.forEach(s -> by.merge(String.valueOf(s.node), 1L, Long::sum));
        return by;
    }

    /** Remembers where every client is now: a node's clients, for {@link #resumes} and {@link #latency}, are those there now. */
    public void mark() {
        seen.forEach(s -> s.nodeAtMark = s.node);
    }

    /** Whether every client that was on {@code nodeId} at the mark has connected again since {@code eventNanos}. */
    public boolean allBack(String nodeId, long eventNanos) {
        return seen.stream().filter(s -> nodeId.equals(s.nodeAtMark)).allMatch(s -> {
            long[] outage = s.outageSince(eventNanos);
            return outage != null && outage[1] != 0;
        });
    }

    /** How the clients that were on {@code nodeId} at the mark came back after the event at {@code eventNanos}. */
    public Resumes resumes(String nodeId, long eventNanos) {
        Histogram reconnect = Latency.histogram();
        Histogram sinceEvent = Latency.histogram();
        int movers = 0;
        int notBack = 0;
        int unrecovered = 0;
        for (Seen s : seen) {
            if (!nodeId.equals(s.nodeAtMark)) {
                continue;
            }
            movers++;
            synchronized (s) {
                if (s.unrecoveredAt.stream().anyMatch(t -> t >= eventNanos)) {
                    unrecovered++;
                }
            }
            long[] outage = s.outageSince(eventNanos);
            if (outage == null || outage[1] == 0) {
                notBack++;
                continue;
            }
            reconnect.recordValue((outage[1] - outage[0]) / 1_000);
            sinceEvent.recordValue((outage[1] - eventNanos) / 1_000);
        }
        return new Resumes(movers, notBack, unrecovered, reconnect, sinceEvent);
    }

    /**
     * Microseconds from send to delivery of the messages sent in [{@code fromNanos}, {@code toNanos}) by clients whose
     * index passes {@code senders}, as received by those that pass {@code receivers}.
     */
    public Histogram latency(IntPredicate receivers, IntPredicate senders, long fromNanos, long toNanos) {
        Histogram out = Latency.histogram();
        for (Seen s : seen) {
            if (!receivers.test(s.index)) {
                continue;
            }
            synchronized (s) {
                for (long[] d : s.deliveries) {
                    if (senders.test((int) d[0]) && d[1] >= fromNanos && d[1] < toNanos) {
                        out.recordValue(Math.max(0, (d[2] - d[1]) / 1_000));
                    }
                }
            }
        }
        return out;
    }

    /** A predicate on client indexes: those on {@code nodeId} at the mark, or (negated) those elsewhere. */
    public IntPredicate on(String nodeId) {
        return i -> nodeId.equals(seen.get(i).nodeAtMark);
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
        Pause.until(() -> missing() == 0, Duration.ofSeconds(10));
    }

    private List<Sending> sent() {
        synchronized (sendings) {
            return new ArrayList<>(sendings);
        }
    }

    /** The checker: what happened to every message sent, judged from the acks and every member's deliveries. */
    public Integrity integrity() {
        List<Sending> copy = sent();
        long unacked = copy.stream().filter(s -> !s.isDone() || s.isCompletedExceptionally()).count();
        long duplicated = 0;
        long reordered = 0;
        long storedTwice = 0;
        Map<String, Set<Long>> seqsOf = new HashMap<>();
        for (Seen s : seen) {
            synchronized (s) {
                duplicated += s.duplicated;
                reordered += s.reordered;
                s.seqsByClientMsgId.forEach((id, set) -> seqsOf.computeIfAbsent(id, k -> new HashSet<>()).addAll(set));
            }
        }
        for (Set<Long> set : seqsOf.values()) {
            if (set.size() > 1) {
                storedTwice++;
            }
        }
        duplicated += clients.stream().mapToLong(ResilientClient::duplicatesDropped).sum();
        return new Integrity(copy.size(), acked.size(), unacked, missing(), duplicated, storedTwice, reordered);
    }

    /** (member, acked message of its room) pairs not delivered; every member is in its room throughout. */
    private long missing() {
        long missing = 0;
        Map<Integer, List<Long>> ackedByRoom = new HashMap<>();
        acked.forEach((id, seq) -> ackedByRoom.computeIfAbsent(roomOf.get(id), k -> new ArrayList<>()).add(seq));
        for (Seen s : seen) {
            List<Long> want = ackedByRoom.getOrDefault(s.room, List.of());
            synchronized (s) {
                for (Long seq : want) {
                    if (!s.seqs.contains(seq)) {
                        missing++;
                    }
                }
            }
        }
        return missing;
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
