package dev.chatlab.chaos;

import dev.chatlab.client.ResilientClient;
import dev.chatlab.client.Sending;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.History;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traffic of a chaos scenario, which knows nothing of faults: resilient clients (the step 5 client) in
 * several rooms, each sending a message every few hundred milliseconds, every send and delivery recorded (each
 * client's {@link Recorder}) for the checker.
 */
public final class Workload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workload.class);

    /**
     * How the clients talk and how they survive.
     *
     * @param clients        how many clients; client i joins room {@code i % rooms}
     * @param rooms          how many rooms
     * @param minPause       the shortest pause between two sends of one client
     * @param maxPause       the longest
     * @param heartbeat      how often each client pings
     * @param deadAfter      how long a silent connection lives before the client drops it
     * @param connectTimeout how long a connection attempt, up to the answer to its join, may take
     * @param backoffBase    the reconnect backoff's first step
     * @param backoffCap     its cap
     * @param soonWithin     after a close with 1012 (a draining node), the client reconnects within a random delay up
     *                       to this, well inside the nodes' presence leave delay, so that a drain shows no leave
     * @param sendTimeout    how long a send waits for its ack before it becomes unknown: every fate is known by then
     */
    public record Settings(int clients, int rooms, Duration minPause, Duration maxPause, Duration heartbeat,
                           Duration deadAfter, Duration connectTimeout, Duration backoffBase, Duration backoffCap,
                           Duration soonWithin, Duration sendTimeout) {

        /**
         * 24 clients in 4 rooms, each sending every 300-500 ms; heartbeat 1 s, dead after 3 s; back within 500 ms of a
         * 1012; sends unknown after 15 s.
         */
        public static Settings standard() {
            return new Settings(24, 4, Duration.ofMillis(300), Duration.ofMillis(500), Duration.ofSeconds(1),
                    Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofSeconds(2),
                    Duration.ofMillis(500), Duration.ofSeconds(15));
        }
    }

    private record Sent(Recorder sender, Sending sending) {
    }

    private final Settings settings;
    private final Checker checker = new Checker();
    private final List<String> rooms;
    private final List<Recorder> members = new ArrayList<>();
    private final Map<Recorder, URI> entries = new LinkedHashMap<>();
    private final Queue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService pacer;
    private volatile boolean sending;
    private volatile boolean closed;

    private Workload(String tag, Settings settings) {
        this.settings = settings;
        List<String> names = new ArrayList<>();
        for (int r = 1; r <= settings.rooms(); r++) {
            names.add(tag + "-r" + r);
        }
        this.rooms = List.copyOf(names);
        this.pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "workload-" + tag);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the clients, client i connecting to {@code entryOf.apply(i)}, in rooms named {@code <tag>-r1…};
     * they join at once but send nothing until {@link #startSending()}.
     */
    public static Workload start(String tag, Settings settings, IntFunction<URI> entryOf, RunClock clock) {
        Workload workload = new Workload(tag, settings);
        for (int i = 0; i < settings.clients(); i++) {
            String name = String.format("c%02d", i);
            String room = workload.rooms.get(i % settings.rooms());
            Recorder recorder = new Recorder(name, room, workload.checker, clock);
            URI entry = entryOf.apply(i);
            ResilientClient client = ResilientClient.builder(room, entry)
                    .name(name)
                    // Unique per scenario, so a clientMsgId says which run and which client it came from.
                    .clientId(tag + "-" + name)
                    .listener(recorder)
                    .heartbeat(settings.heartbeat(), settings.deadAfter())
                    .connectTimeout(settings.connectTimeout())
                    .backoff(settings.backoffBase(), settings.backoffCap())
                    .reconnectSoonWithin(settings.soonWithin())
                    .sendTimeout(settings.sendTimeout())
                    .build();
            recorder.attach(client);
            workload.members.add(recorder);
            workload.entries.put(recorder, entry);
        }
        workload.members.forEach(m -> m.client().start());
        log.info("workload {}: {} clients in {} rooms {}", tag, settings.clients(), settings.rooms(), workload.rooms);
        return workload;
    }

    public List<String> rooms() {
        return rooms;
    }

    public List<Recorder> members() {
        return Collections.unmodifiableList(members);
    }

    public Recorder member(int index) {
        return members.get(index);
    }

    /** The members of {@code room}. */
    public List<Recorder> in(String room) {
        return members.stream().filter(m -> m.room().equals(room)).toList();
    }

    /** The members in their room on {@code node} right now. */
    public List<Recorder> on(String node) {
        return members.stream().filter(m -> m.inRoom() && node.equals(m.node())).toList();
    }

    /** The members that connect through {@code entry}. */
    public List<Recorder> via(URI entry) {
        return members.stream().filter(m -> entries.get(m).equals(entry)).toList();
    }

    /** Every client is in its room. */
    public boolean allInRoom() {
        return members.stream().allMatch(Recorder::inRoom);
    }

    /** Every client has been handed a message stored at or after {@code at}. */
    public boolean allReceivingSince(long at) {
        return members.stream().allMatch(m -> m.receivingSince(at));
    }

    /** How many members each node holds right now. */
    public Map<String, Integer> perNode() {
        Map<String, Integer> counts = new HashMap<>();
        members.stream().filter(Recorder::inRoom).forEach(m -> counts.merge(m.node(), 1, Integer::sum));
        return counts;
    }

    /** Every client starts sending, each at its own pace. */
    public void startSending() {
        sending = true;
        long max = settings.maxPause().toMillis();
        for (Recorder member : members) {
            pacer.schedule(() -> speak(member), ThreadLocalRandom.current().nextLong(max), TimeUnit.MILLISECONDS);
        }
    }

    private void speak(Recorder member) {
        if (!sending) {
            return;
        }
        send(member, member.name() + " says hello");
        long min = settings.minPause().toMillis();
        long max = settings.maxPause().toMillis();
        pacer.schedule(() -> speak(member), ThreadLocalRandom.current().nextLong(min, max + 1), TimeUnit.MILLISECONDS);
    }

    /** A flood under way: extra messages from one member, at a fixed pace, until they are all sent or it is stopped. */
    public static final class Flood {
        private final AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        private final AtomicInteger left;

        private Flood(int count) {
            this.left = new AtomicInteger(count);
        }

        /** Sends no more of the flood. */
        public void stop() {
            left.set(0);
            ScheduledFuture<?> running = task.get();
            if (running != null) {
                running.cancel(false);
            }
        }
    }

    /** {@code member} sends up to {@code count} extra messages of {@code chars} characters, evenly over {@code within}. */
    public Flood flood(Recorder member, int count, int chars, Duration within) {
        String text = member.name() + " floods " + "x".repeat(Math.max(1, chars - 24));
        Flood flood = new Flood(count);
        flood.task.set(pacer.scheduleAtFixedRate(() -> {
            if (flood.left.getAndDecrement() > 0) {
                send(member, text);
            } else {
                flood.stop();
            }
        }, 0, Math.max(1, within.toNanos() / count), TimeUnit.NANOSECONDS));
        return flood;
    }

    private void send(Recorder member, String text) {
        Sending sending = member.client().send(text);
        member.sent(sending.clientMsgId());
        sent.add(new Sent(member, sending));
    }

    /** Every client stops sending; what is in flight goes on until acked, failed or timed out. */
    public void stopSending() {
        sending = false;
    }

    /** Sends made so far. */
    public int sends() {
        return sent.size();
    }

    /** Every send's fate is known: acked, failed, or given up on after the send timeout. */
    public boolean everySendDecided() {
        return sent.stream().allMatch(s -> s.sending().isDone());
    }

    /**
     * Every member has been handed (at least) up to the newest acked seq of its room. Meant for once every send is
     * decided: an ack can complete its future before the message reaches every member, so this may be false for a
     * moment, but a client delivers seqs in order, so once it holds nothing acked is still on its way.
     */
    public boolean everyoneCaughtUp() {
        Map<String, Long> newest = new HashMap<>();
        for (Sent s : sent) {
            if (s.sending().isDone() && !s.sending().isCompletedExceptionally()) {
                newest.merge(s.sender().room(), s.sending().getNow(0L), Math::max);
            }
        }
        return members.stream().filter(Recorder::joined)
                .allMatch(m -> m.client().lastSeq() >= newest.getOrDefault(m.room(), 0L));
    }

    /** What happened, for the checker: every send with its fate as of now, every member and what it was handed. */
    public History history() {
        return History.of(members);
    }

    /** Stops sending and closes every client; sends still waiting end failed (never sent) or unknown. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sending = false;
        pacer.shutdownNow();
        // Before the clients close: their last disconnect ends the run, it is no outage.
        members.forEach(Recorder::leaving);
        members.parallelStream().forEach(m -> m.client().close());
    }
}
