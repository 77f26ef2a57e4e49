package dev.chatlab.bench.failover;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Bench;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Table;
import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import dev.chatlab.client.Sending;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A node killed under steady traffic: how long its clients take to be back, and whether anything acked went missing. */
@Command(name = "failover", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts the step 5 swarm (Redis, 3 nodes, HAProxy) through the testkit, connects ResilientClients "
                + "(heartbeat 1 s, dead after 3 s, backoff 100 ms..2 s), each sending one message every 2 s; kills one node "
                + "with SIGKILL after --before, keeps sending for --after, then waits for every ack. Reports the killed node's "
                + "clients' reconnect time (disconnect -> connected) and lost/duplicated/reordered/unacked messages.")
public final class FailoverCommand implements Callable<Integer> {
    @Option(names = "--clients", defaultValue = "300", description = "(default: ${DEFAULT-VALUE})")
    int clients;
    @Option(names = "--rooms", defaultValue = "30", description = "(default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--every", defaultValue = "2000", description = "ms between one client's sends (default: ${DEFAULT-VALUE})")
    int everyMillis;
    @Option(names = "--before", defaultValue = "10", description = "seconds of traffic before the kill (default: ${DEFAULT-VALUE})")
    int before;
    @Option(names = "--after", defaultValue = "15", description = "seconds of traffic after it (default: ${DEFAULT-VALUE})")
    int after;
    @Option(names = "--results", description = "where failover.jsonl and failover.md go (default: bench/results)")
    Path results;
    @Option(names = "--no-save", description = "print only")
    boolean noSave;

    /** What one client saw. All callbacks come on the client's own thread, one at a time. */
    static final class Seen implements ClientListener {
        final int index;
        final String room;
        volatile String nodeBeforeKill;
        volatile String node;
        final List<long[]> outages = new ArrayList<>(); // {disconnectNanos, connectedNanos or 0}
        final Set<Long> seqs = new HashSet<>();
        final Map<String, Set<Long>> seqsByClientMsgId = new HashMap<>();
        long lastSeq;
        long duplicated;
        long reordered;

        Seen(int index, String room) {
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
        public synchronized void message(ChatMessage m) {
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
        }
    }

    @Override
    public Integer call() throws Exception {
        Report report = new Report("failover", "bench failover");
        report.announce("failover (step 5 swarm, one node SIGKILLed)");
        Path jar = Bench.repositoryRoot().resolve("step5-loadbalancer/target/step5-loadbalancer.jar");
        List<ResilientClient> all = new ArrayList<>();
        List<Seen> seen = new ArrayList<>();
        Map<String, Long> acked = new ConcurrentHashMap<>(); // clientMsgId -> seq
        Map<String, Integer> roomOf = new ConcurrentHashMap<>();
        List<Sending> sendings = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        try (Swarm swarm = Swarm.start(jar, 3, Balancing.LEAST_CONNECTIONS, List.of())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!swarm.allNodesInRotation() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            for (int i = 0; i < clients; i++) {
                String room = "room-" + (i % rooms);
                Seen s = new Seen(i, room);
                ResilientClient c = ResilientClient.builder(room, swarm.wsUri()).name("c" + i)
                        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3)).backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                        .listener(s).build();
                seen.add(s);
                all.add(c);
                c.start();
            }
            if (!dev.chatlab.bench.Pause.until(() -> seen.stream().allMatch(s -> s.node != null), Duration.ofSeconds(30))) {
                throw new IllegalStateException("not every client connected within 30 s");
            }
            say("%d clients connected: %s", clients, countBy(seen));
            java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
            for (int i = 0; i < clients; i++) {
                ResilientClient c = all.get(i);
                int room = i % rooms;
                int[] n = {0};
                clock.scheduleAtFixedRate(() -> {
                    if (sending.get()) {
                        Sending s = c.send("m|" + c.clientId() + "|" + n[0]++);
                        roomOf.put(s.clientMsgId(), room);
                        sendings.add(s);
                        s.whenComplete((seq, e) -> {
                            if (e == null) {
                                acked.put(s.clientMsgId(), seq);
                            }
                        });
                    }
                }, ThreadLocalRandom.current().nextInt(everyMillis), everyMillis, TimeUnit.MILLISECONDS);
            }
            Thread.sleep(before * 1000L);
            seen.forEach(s -> s.nodeBeforeKill = s.node);
            ChatNodeProcess victim = swarm.node(2);
            long killAt = System.nanoTime();
            victim.kill();
            say("SIGKILLed %s", victim);
            Thread.sleep(after * 1000L);
            sending.set(false);
            clock.shutdown();
            clock.awaitTermination(5, TimeUnit.SECONDS);
            say("stopped sending; %,d sends; waiting for their acks", sendings.size());
            List<Sending> copy;
            synchronized (sendings) {
                copy = new ArrayList<>(sendings);
            }
            dev.chatlab.bench.Pause.until(() -> copy.stream().allMatch(java.util.concurrent.CompletableFuture::isDone), Duration.ofSeconds(30));
            // And for deliveries of everything acked to settle.
            dev.chatlab.bench.Pause.until(() -> missing(seen, acked, roomOf) == 0, Duration.ofSeconds(10));

            long unacked = copy.stream().filter(s -> !s.isDone() || s.isCompletedExceptionally()).count();
            long lost = missing(seen, acked, roomOf);
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
            duplicated += all.stream().mapToLong(ResilientClient::duplicatesDropped).sum();
            Histogram reconnect = Latency.histogram();
            Histogram sinceKill = Latency.histogram();
            int victims = 0;
            int notBack = 0;
            for (Seen s : seen) {
                if (!victim.nodeId().equals(s.nodeBeforeKill)) {
                    continue;
                }
                victims++;
                synchronized (s) {
                    long[] outage = s.outages.stream().filter(o -> o[0] >= killAt).findFirst().orElse(null);
                    if (outage == null || outage[1] == 0) {
                        notBack++;
                        continue;
                    }
                    reconnect.recordValue((outage[1] - outage[0]) / 1_000);
                    sinceKill.recordValue((outage[1] - killAt) / 1_000);
                }
            }
            Latency r = Latency.of(reconnect);
            Latency k = Latency.of(sinceKill);
            Table table = new Table("Metric", "Value");
            table.row("clients", f("%d", clients));
            table.row("rooms", f("%d", rooms));
            table.row("killed node's clients", f("%d", victims));
            table.row("of them not back", f("%d", notBack));
            table.row("reconnect (disconnect -> connected) p50 ms", f("%.0f", r.p50() / 1000.0));
            table.row("reconnect p99 ms", f("%.0f", r.p99() / 1000.0));
            table.row("reconnect max ms", f("%.0f", r.max() / 1000.0));
            table.row("kill -> connected p50 ms", f("%.0f", k.p50() / 1000.0));
            table.row("kill -> connected max ms", f("%.0f", k.max() / 1000.0));
            table.row("messages sent", f("%,d", copy.size()));
            table.row("acked", f("%,d", acked.size()));
            table.row("unacked at the end", f("%,d", unacked));
            table.row("lost (acked, not delivered to a member)", f("%,d", lost));
            table.row("duplicated deliveries", f("%,d", duplicated));
            table.row("stored twice (one clientMsgId, two seqs)", f("%,d", storedTwice));
            table.row("reordered", f("%,d", reordered));
            report.table(f("failover: %d ResilientClients in %d rooms, a message every %d ms each; node-2 SIGKILLed after %d s, "
                    + "%d s more traffic", clients, rooms, everyMillis, before, after), table);
            report.note(lost == 0 ? "0 lost: every acked message reached every member of its room."
                    : "LOST MESSAGES: " + lost + " (acked, yet some member never got them).");
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("victims", victims);
            res.put("notBack", notBack);
            res.put("reconnectMillis", Map.of("p50", r.p50() / 1000.0, "p99", r.p99() / 1000.0, "max", r.max() / 1000.0));
            res.put("sent", copy.size());
            res.put("acked", acked.size());
            res.put("unacked", unacked);
            res.put("lost", lost);
            res.put("duplicated", duplicated);
            res.put("storedTwice", storedTwice);
            res.put("reordered", reordered);
            report.put("settings", Map.of("clients", clients, "rooms", rooms, "everyMillis", everyMillis, "before", before, "after", after));
            report.put("results", res);
        } finally {
            clock.shutdownNow();
            all.forEach(c -> {
                try {
                    c.close();
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            });
        }
        report.save(Report.resultsDir(results), noSave);
        return 0;
    }

    /** (member, acked message of its room) pairs not delivered; every member is in its room throughout. */
    private static long missing(List<Seen> seen, Map<String, Long> acked, Map<String, Integer> roomOf) {
        long missing = 0;
        Map<Integer, List<Long>> ackedByRoom = new HashMap<>();
        acked.forEach((id, seq) -> ackedByRoom.computeIfAbsent(roomOf.get(id), k -> new ArrayList<>()).add(seq));
        for (Seen s : seen) {
            List<Long> want = ackedByRoom.getOrDefault(Integer.parseInt(s.room.substring("room-".length())), List.of());
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

    private static Map<String, Long> countBy(List<Seen> seen) {
        Map<String, Long> by = new java.util.TreeMap<>();
        seen.forEach(s -> by.merge(s.node, 1L, Long::sum));
        return by;
    }
}
