package dev.chatlab.bench.fanout;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.GcPauses;
import dev.chatlab.bench.Heap;
import dev.chatlab.bench.JfrProfile;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Pause;
import dev.chatlab.bench.ProcStats;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Repository;
import dev.chatlab.bench.ServerProcess;
import dev.chatlab.bench.Target;
import dev.chatlab.bench.ThreadCpu;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.haproxy.HaproxyServer;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.Verdict;
import dev.chatlab.testkit.redis.RedisServer;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The fan-out load that {@code fanout} and {@code ramp} measure: Redis and chat nodes (step 4 reached directly,
 * round-robin, or step 5, 6, 7 or 8 behind HAProxy or, with {@link Shape#direct()}, directly too), members joined to their rooms, and a generator in this JVM whose senders
 * send at a given total rate. Each {@link #step} sends at one rate, measures a window, then waits for the deliveries
 * to settle; whatever ran before is counted in {@link #integrity()}. With {@link Shape#typing()} (step 8) the senders
 * send typing signals instead of messages, and a delivery is a typing frame at another member of the room.
 */
public final class FanoutLoad implements AutoCloseable {
    /** A delivered rate below this share of the offered one means the load was not carried. */
    public static final double MIN_DELIVERED_SHARE = 0.95;
    /** The generator (this JVM) using more than this many cores is a sign it, not the servers, set the pace. */
    private static final double GENERATOR_BUSY_CORES = 0.85;
    /** The name this JVM's CPU goes by. */
    public static final String GENERATOR = "generator (this JVM)";
    /** No new delivery for this long while settling: the rest are not coming. */
    private static final Duration NO_PROGRESS = Duration.ofSeconds(2);
    /** How long a run's deliveries may take to arrive after the last send before the rest count as lost. */
    public static final Duration DRAIN = Duration.ofSeconds(15);

    /**
     * What to start.
     *
     * @param target   step2 (one node, no Redis), step4 (members connect to the nodes round-robin), step5, step6,
     *                 step7 or step8 (through HAProxy)
     * @param affinity with step5 to step8: HAProxy's room-affinity config (roomId in the URL), else least connections
     * @param direct   with step5 to step8: no HAProxy, members connect to the nodes round-robin (as on step 4)
     * @param nodes    chat nodes
     * @param clients  members in all; member i is in room i mod rooms
     * @param rooms    rooms
     * @param senders  members 0 .. senders-1 also send, in turn
     * @param nodeJvm  each node's JVM options
     * @param nodeArgs each node's extra options (the limits the load would reach, lifted)
     * @param jar      the nodes' jar, or null for the one the target's module builds (a saved build of the same step, to
     *                 compare two builds)
     * @param typing   the senders send typing signals instead of messages (step 8): each is owed to the other members
     *                 of the sender's room
     */
    public record Shape(Target target, boolean affinity, boolean direct, int nodes, int clients, int rooms, int senders,
                        List<String> nodeJvm, List<String> nodeArgs, Path jar, boolean typing) {
        public Shape(Target target, boolean affinity, boolean direct, int nodes, int clients, int rooms, int senders,
                     List<String> nodeJvm, List<String> nodeArgs) {
            this(target, affinity, direct, nodes, clients, rooms, senders, nodeJvm, nodeArgs, null, false);
        }

        /** This shape, its nodes run from {@code otherJar} (null: the target's own). */
        public Shape withJar(Path otherJar) {
            return new Shape(target, affinity, direct, nodes, clients, rooms, senders, nodeJvm, nodeArgs, otherJar, typing);
        }

        /**
         * This shape, its senders typing instead of sending messages, and its nodes relaying every signal
         * ({@link NodeLimits#TYPING}).
         */
        public Shape withTyping() {
            List<String> args = new ArrayList<>(nodeArgs);
            args.addAll(NodeLimits.TYPING);
            return new Shape(target, affinity, direct, nodes, clients, rooms, senders, nodeJvm, List.copyOf(args), jar, true);
        }

        /**
         * The Markdown page of a scenario run on this shape: {@code fanout-step5-affinity}, {@code fanout-step7-direct},
         * {@code fanout-step8-direct-typing}.
         */
        public String page(String scenario) {
            return scenario + "-" + target + (direct ? "-direct" : "") + (affinity ? "-affinity" : "") + (typing ? "-typing" : "");
        }

        /** What one send owes a member of {@code room}: a message to every member, the sender too; a typing signal to the others. */
        int owedPerSend(int room) {
            return members(room) - (typing ? 1 : 0);
        }

        /** The name member {@code index} joins with: its own on step 8, where presence and typing go by name; none before. */
        String memberName(int index) {
            return target.presence() ? "m" + index : null;
        }

        /** Whether the members reach the nodes through HAProxy. */
        public boolean viaHaproxy() {
            return !direct && ShapeOptions.HAPROXY_TARGETS.contains(target);
        }

        /** How many members room {@code room} has. */
        int members(int room) {
            return clients / rooms + (room < clients % rooms ? 1 : 0);
        }
    }

    /**
     * One rate, measured: the window's sends and deliveries, and the CPU every process used in it.
     *
     * @param rate              messages per second asked for (all senders together)
     * @param seconds           the window's length
     * @param sent              messages due in the window (sent then, or later by a generator behind schedule)
     * @param offeredDeliveries deliveries those messages owe (one per member of the sender's room)
     * @param delivered         deliveries received in the window, whenever they were sent
     * @param latency           microseconds from intended send to delivery of every delivered message due in the window
     * @param unsettled         deliveries the window's messages still owed when the load stopped waiting for them
     * @param unsettledAtLeast  how late those were by then, at least (microseconds)
     * @param duplicated        duplicate deliveries seen during the step (warm-up and settling included)
     * @param reordered         deliveries of a seq after a later one during the step
     * @param serverCpuMicros   CPU used in the window by each server process, by name
     * @param generatorCpuMicros CPU this JVM used in the window (the senders and every member)
     */
    public record Step(int rate, double seconds, long sent, long offeredDeliveries, long delivered, Histogram latency,
                       long unsettled, long unsettledAtLeast, long duplicated, long reordered, Map<String, Long> serverCpuMicros,
                       long generatorCpuMicros) {

        public double sentPerSecond() {
            return sent / seconds;
        }

        public double offeredDeliveriesPerSecond() {
            return offeredDeliveries / seconds;
        }

        public double deliveredPerSecond() {
            return delivered / seconds;
        }

        public double deliveredShare() {
            return offeredDeliveries == 0 ? 0 : (double) delivered / offeredDeliveries;
        }

        public long serverCpuMicrosTotal() {
            return serverCpuMicros.values().stream().mapToLong(Long::longValue).sum();
        }

        public double serverCpuMicrosPerDelivery() {
            return delivered == 0 ? 0 : (double) serverCpuMicrosTotal() / delivered;
        }

        /** Server CPU-µs per delivered message by kind of process: {@code nodes} (all of them together), then each other one. */
        public Map<String, Double> serverCpuMicrosPerDeliveryByKind() {
            Map<String, Double> byKind = new LinkedHashMap<>();
            serverCpuMicros.forEach((name, micros) -> byKind.merge(name.matches("node-\\d+") ? "nodes" : name,
                    delivered == 0 ? 0 : (double) micros / delivered, Double::sum));
            return byKind;
        }

        /** CPU seconds in the window of each server process and, last, of the generator. */
        public Map<String, Double> cpuSeconds() {
            Map<String, Double> cpu = new LinkedHashMap<>();
            serverCpuMicros.forEach((name, micros) -> cpu.put(name, micros / 1e6));
            cpu.put(GENERATOR, generatorCpuMicros / 1e6);
            return cpu;
        }

        public double generatorCores() {
            return generatorCpuMicros / 1e6 / seconds;
        }

        /** The latency with every delivery still owed counted as late as it was when the waiting stopped: a lower bound. */
        public Histogram latencyCountingUnsettled() {
            Histogram all = latency.copy();
            if (unsettled > 0) {
                all.recordValueWithCount(Math.max(1, unsettledAtLeast), unsettled);
            }
            return all;
        }

        /** Whether the generator or the machine, rather than the servers, may have set the pace. */
        public boolean generatorBound() {
            return generatorCores() > GENERATOR_BUSY_CORES || deliveredShare() < MIN_DELIVERED_SHARE;
        }

        /** The verdict on the generator, whole: "Generator bottleneck: no (generator used 0.38 cores; ...)." */
        public String generatorVerdict() {
            boolean below = deliveredShare() < MIN_DELIVERED_SHARE;
            return f("Generator bottleneck: %s (generator used %.2f cores; delivered %.0f%% of offered deliveries%s).",
                    generatorBound() ? "YES (or the machine)" : "no", generatorCores(), 100 * deliveredShare(),
                    below ? "; the delivered rate fell short of the offered one, so this is a ceiling of the machine "
                            + "(2 cores shared by generator and servers), not of the servers alone" : "");
        }
    }

    /**
     * The whole run's deliveries, once settled: the checker's verdict, and the error frames.
     *
     * @param expected   deliveries owed: every message sent, once per member of its room
     * @param received   message frames received
     * @param lost       expected minus distinct seqs received, per member
     * @param duplicated a seq received again by the same member
     * @param reordered  a seq received after a later one by the same member
     * @param errors     error frames
     * @param ownTypings typing frames that reached the member who sent the signal (the node must not send them)
     * @param typingDropped typing signals the nodes dropped rather than relayed ({@code chat_typing_dropped_total} of
     *                   every node at the end; -1 when they could not be read)
     */
    public record Integrity(long expected, long received, long lost, long duplicated, long reordered, long errors, long ownTypings,
                            long typingDropped) {

        public Integrity(long expected, long received, long lost, long duplicated, long reordered, long errors) {
            this(expected, received, lost, duplicated, reordered, errors, 0, 0);
        }

        static Integrity of(Verdict v, long errors) {
            return new Integrity(v.expected(), v.delivered(), v.lost(), v.repeatedSeqs(), v.reordered(), errors);
        }

        /**
         * Typing signals, which carry nothing to tell one from another: what is missing at the end is lost, what came
         * beyond what was owed counts as duplicated, and nothing can be reordered.
         */
        static Integrity ofTyping(long owed, long received, long errors, long ownTypings, long dropped) {
            return new Integrity(owed, received, Math.max(0, owed - received), Math.max(0, received - owed), 0, errors, ownTypings, dropped);
        }

        public void addTo(Map<String, Object> json) {
            json.put("expected", expected);
            json.put("received", received);
            json.put("lost", lost);
            json.put("duplicated", duplicated);
            json.put("reordered", reordered);
            json.put("errors", errors);
        }
    }

    /**
     * A whole run on processes of its own: what {@link #run} measured.
     *
     * @param shape   what ran
     * @param step    the one rate, measured
     * @param whole   every delivery of the run, once settled
     * @param profile where the nodes' CPU went in the window
     */
    public record Result(Shape shape, Step step, Integrity whole, Profile profile) {

        /**
         * The run's numbers as the JSON has them: the window, the latency (none for typing signals, which carry no send
         * time), the whole run's deliveries, the CPU.
         */
        public void addTo(Map<String, Object> numbers) {
            numbers.put("sentInWindow", step.sent());
            numbers.put("windowSeconds", step.seconds());
            numbers.put("deliveredPerSecond", step.deliveredPerSecond());
            if (!shape.typing()) {
                numbers.put("latencyMicros", Latency.percentiles(step.latency()));
            }
            whole.addTo(numbers);
            if (shape.typing()) {
                numbers.put("ownTypings", whole.ownTypings());
                numbers.put("typingDroppedByNodes", whole.typingDropped());
            }
            numbers.put("cpuSeconds", step.cpuSeconds());
            numbers.put("serverCpuMicrosPerDelivery", step.serverCpuMicrosPerDelivery());
        }
    }

    /**
     * Starts {@code shape}'s processes, sends at {@code rate} for {@code warmup} then for the measured {@code window},
     * waits {@link #DRAIN} at most for the deliveries, and stops everything. {@code page} names the directory of the
     * nodes' flight recordings, when they keep one.
     */
    public static Result run(Shape shape, int rate, Duration warmup, Duration window, String page) {
        try (FanoutLoad load = start(shape)) {
            Step step = load.step(rate, warmup, window, DRAIN);
            say("sent %,d %s in the window; the deliveries have settled", step.sent(), shape.typing() ? "typing signals" : "messages");
            return new Result(shape, step, load.integrity(), load.profile(page));
        }
    }

    private record Proc(String name, ProcStats stats) {
    }

    /** Counters at one instant; a window is the difference of two. */
    private record Mark(long nanos, long delivered, ProcStats.Sample[] samples) {
    }

    private final Shape shape;
    private final List<AutoCloseable> toStop = new ArrayList<>();
    private final List<Proc> procs = new ArrayList<>();
    private final Proc generator = new Proc(GENERATOR, new ProcStats(ProcessHandle.current().pid(), 0));
    private final List<Member> members = new ArrayList<>();
    /** Judges every member's deliveries as they arrive, against the sends counted per room. */
    private final Checker checker = new Checker();
    /** Typing: the frames the signals sent so far owe, and those received (the checker judges messages only). */
    private final LongAdder typingOwed = new LongAdder();
    private final LongAdder typingReceived = new LongAdder();
    /** The nodes' process ids, for their threads' CPU and their flight recordings. */
    private final List<Long> nodePids = new ArrayList<>();
    /** The swarm nodes' HTTP ports, for their counters. */
    private final List<Integer> nodePorts = new ArrayList<>();
    /** Where the nodes' CPU went in the last step's window, by thread group. */
    private volatile List<ThreadCpu.Group> nodeThreads = List.of();
    /** This JVM's GC pauses, and those in the last step's window. */
    private final GcPauses gcPauses = GcPauses.listen();
    private volatile GcPauses.Summary generatorGc = new GcPauses.Summary(0, 0, 0);
    /** Where members connect: each node (step 4, or direct), or HAProxy. */
    private final List<URI> uris = new ArrayList<>();
    /** Latency of the messages due in each step's window, by the step's tag (warm-up sends carry tag 0). */
    private final Map<Integer, Histogram> latencyByTag = new ConcurrentHashMap<>();
    private int steps;
    /** Written by the generator thread only, which is also the one that reads it. */
    private long sends;

    private FanoutLoad(Shape shape) {
        this.shape = shape;
    }

    /** Starts Redis, the nodes (and HAProxy), connects every member and returns once all have joined. */
    public static FanoutLoad start(Shape shape) {
        FanoutLoad load = new FanoutLoad(shape);
        try {
            load.startServers();
            load.connect();
            return load;
        } catch (RuntimeException e) {
            load.close();
            throw e;
        }
    }

    private void startServers() {
        Path root = Repository.root();
        Path jar = shape.jar() != null ? shape.jar() : shape.target().jar();
        if (shape.target() == Target.STEP2) {
            // One node holding every room in memory: no Redis, no seq; the baseline the pub/sub hop is measured against.
            ServerProcess node = ServerProcess.start(jar, shape.nodeJvm(), List.of(), root.resolve("bench/target/fanout-step2.log"),
                    Duration.ofSeconds(60));
            toStop.add(0, node);
            procs.add(new Proc("node-1", new ProcStats(node.pid(), node.port())));
            nodePids.add(node.pid());
            uris.add(URI.create("ws://127.0.0.1:" + node.port() + "/"));
            return;
        }
        RedisServer redis;
        if (shape.target() == Target.STEP4) {
            redis = RedisServer.start();
            toStop.add(0, redis);
            for (int i = 1; i <= shape.nodes(); i++) {
                ServerProcess node = ServerProcess.start(jar, shape.nodeJvm(), List.of("--node", "node-" + i, "--redis",
                        redis.uri().toString()), root.resolve("bench/target/fanout-step4-node-" + i + ".log"), Duration.ofSeconds(60));
                toStop.add(0, node);
                procs.add(new Proc("node-" + i, new ProcStats(node.pid(), node.port())));
                nodePids.add(node.pid());
                uris.add(URI.create("ws://127.0.0.1:" + node.port() + "/"));
            }
        } else {
            if (!shape.nodeArgs().isEmpty()) {
                say("node options lifting the limits this load would reach: %s", String.join(" ", shape.nodeArgs()));
            }
            // A swarm of nodes with their own flags (--admin-port and the rest), whether HAProxy is in front or not.
            Swarm swarm = Swarm.builder(jar).nodes(shape.nodes()).jvmArgs(shape.nodeJvm()).nodeArgs(shape.nodeArgs())
                    .balancing(!shape.viaHaproxy() ? null : shape.affinity() ? Balancing.ROOM_AFFINITY : Balancing.LEAST_CONNECTIONS)
                    .start();
            toStop.add(0, swarm);
            redis = swarm.redis();
            for (ChatNodeProcess node : swarm.nodes()) {
                procs.add(new Proc(node.nodeId(), new ProcStats(node.pid(), node.port())));
                nodePids.add(node.pid());
                nodePorts.add(node.port());
                if (shape.direct()) {
                    uris.add(node.wsUri());
                }
            }
            if (shape.viaHaproxy()) {
                HaproxyServer haproxy = swarm.haproxy();
                procs.add(new Proc("haproxy", new ProcStats(haproxy.pid(), haproxy.port())));
                uris.add(haproxy.wsUri());
                Pause.until(swarm::allNodesInRotation, Duration.ofSeconds(30));
            }
        }
        long redisPid = Report.pidOf(redis, "redis-server");
        procs.add(new Proc("redis", new ProcStats(redisPid, redis.port())));
    }

    private void connect() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String[] senders = new String[shape.senders()];
        Arrays.setAll(senders, i -> "sender-" + i);
        for (int i = 0; i < shape.clients(); i++) {
            Member member = new Member(i, "room-" + (i % shape.rooms()), shape.memberName(i), this::record, checker, senders,
                    typingReceived);
            members.add(member);
            // With affinity the room goes in the URL, which is what HAProxy hashes.
            URI uri = shape.affinity() ? URI.create(uris.get(0) + "?roomId=" + member.roomId) : uris.get(i % uris.size());
            http.newWebSocketBuilder().buildAsync(uri, member).thenAccept(member::attach)
                    .exceptionally(e -> {
                        member.joined.completeExceptionally(e);
                        return null;
                    });
        }
        try {
            CompletableFuture.allOf(members.stream().map(m -> m.joined).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("not every member joined within 30 s", e);
        }
        say("%d clients joined", shape.clients());
    }

    /** A message's text is {@code <intended send nanoTime>|<sender>|<n>|<tag>}: the tag says which step's window sent it. */
    private void record(String frame, int textAt, long micros) {
        int bar = textAt;
        for (int field = 0; field < 3 && bar >= 0; field++) {
            bar = frame.indexOf('|', bar + 1);
        }
        long tag = bar < 0 ? -1 : Member.parseLong(frame, bar + 1, '"');
        if (tag > 0) {
            Histogram histogram = latencyByTag.get((int) tag);
            if (histogram != null) {
                histogram.recordValue(micros);
            }
        }
    }

    /** Sends at {@code rate} for {@code duration}, measuring nothing, and waits for the deliveries to settle. */
    public void warmUp(int rate, Duration duration, Duration settleAtMost) {
        send(rate, duration, Duration.ZERO, 0);
        settle(settleAtMost);
    }

    /**
     * Sends at {@code rate} for {@code warmup}, then for {@code window} measured, then stops and waits at most
     * {@code settleAtMost} for every delivery owed (less if none arrives for 2 s).
     */
    public Step step(int rate, Duration warmup, Duration window, Duration settleAtMost) {
        int tag = ++steps;
        Histogram latency = Latency.concurrentHistogram();
        latencyByTag.put(tag, latency);
        Verdict before = checker.verdict();
        Sent sent = send(rate, warmup, window, tag);
        long sentEnd = System.nanoTime();
        settle(settleAtMost);
        latencyByTag.remove(tag);
        Verdict after = checker.verdict();
        Histogram copy = latency.copy();
        // Typing signals carry no tag: what is still owed at the end is all the window can be short of.
        long unsettled = shape.typing() ? Math.min(sent.expectedInWindow, Math.max(0, owed() - received()))
                : Math.max(0, sent.expectedInWindow - copy.getTotalCount());
        long unsettledAtLeast = (System.nanoTime() - sentEnd) / 1_000;
        double seconds = (sent.to.nanos() - sent.from.nanos()) / 1e9;
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (int i = 0; i < procs.size(); i++) {
            cpu.put(procs.get(i).name(), procs.get(i).stats().cpuMicros(sent.from.samples()[i], sent.to.samples()[i]));
        }
        long generatorCpu = generator.stats().cpuMicros(sent.from.samples()[procs.size()], sent.to.samples()[procs.size()]);
        generatorGc = gcPauses.between(sent.from.nanos(), sent.to.nanos());
        return new Step(rate, seconds, sent.inWindow, sent.expectedInWindow,
                sent.to.delivered() - sent.from.delivered(), copy, unsettled, unsettledAtLeast,
                after.repeatedSeqs() - before.repeatedSeqs(), after.reordered() - before.reordered(), cpu, generatorCpu);
    }

    private record Sent(Mark from, Mark to, long inWindow, long expectedInWindow) {
    }

    /**
     * Sends at {@code rate}: a message belongs to the window when it is due in it, whenever it goes, so a generator that
     * falls behind adds its lag to the window's latency and never moves a warm-up message into the window.
     */
    private Sent send(int rate, Duration warmup, Duration window, int tag) {
        long periodNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long windowStart = start + warmup.toNanos();
        long end = windowStart + window.toNanos();
        Mark from = null;
        CompletableFuture<List<ThreadCpu.Snapshot>> threadsFrom = null;
        long n = 0;
        long inWindow = 0;
        long expectedInWindow = 0;
        while (true) {
            long due = start + n * periodNanos;
            if (due >= end) {
                break;
            }
            parkUntil(due);
            boolean measured = due >= windowStart;
            if (measured && from == null) {
                from = mark();
                // Hundreds of small files: read off the senders' thread, a moment after the window opens.
                threadsFrom = CompletableFuture.supplyAsync(this::nodeThreadSnapshots);
            }
            // Behind schedule (the generator did not get the CPU), it sends at once: the offered rate is what counts.
            Member sender = members.get((int) (sends % shape.senders()));
            long owed = shape.owedPerSend(sender.index % shape.rooms());
            if (shape.typing()) {
                typingOwed.add(owed);
                sender.sendTyping();
            } else {
                sender.send(due + "|" + sender.index + "|" + sends + "|" + (measured ? tag : 0));
                checker.owe(sender.roomId);
            }
            if (measured) {
                inWindow++;
                expectedInWindow += owed;
            }
            sends++;
            n++;
        }
        parkUntil(end);
        Mark to = mark();
        if (threadsFrom != null) {
            nodeThreads = ThreadCpu.between(threadsFrom.join(), nodeThreadSnapshots(), FanoutLoad::threadKind);
        }
        return new Sent(from == null ? to : from, to, inWindow, expectedInWindow);
    }

    private static void parkUntil(long nanoTime) {
        for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Waits until every delivery owed so far has arrived, none has for 2 s, or {@code atMost} has passed; says which. */
    public boolean settle(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        long last = -1;
        long lastProgress = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long owed = owed();
            long got = received();
            if (got >= owed) {
                return true;
            }
            if (got != last) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > NO_PROGRESS.toNanos()) {
                return false;
            }
            last = got;
            Pause.of(Duration.ofMillis(100));
        }
        return received() >= owed();
    }

    /** Deliveries owed so far: messages by the checker's count, or typing frames. */
    private long owed() {
        return shape.typing() ? typingOwed.sum() : checker.verdict().expected();
    }

    /** Deliveries received so far: message frames by the checker's count, or typing frames. */
    private long received() {
        return shape.typing() ? typingReceived.sum() : checker.verdict().delivered();
    }

    private List<ThreadCpu.Snapshot> nodeThreadSnapshots() {
        return nodePids.stream().map(ThreadCpu::take).toList();
    }

    /** A node's thread group without the node's name: {@code node-2-delivery} is the delivery thread of any node. */
    static String threadKind(String group) {
        return group.replaceFirst("^node-\\d+-", "");
    }

    /**
     * What the nodes did in the last step's window: their CPU by kind of thread and, when they were started with
     * {@code --jfr}, their flight recordings (written under {@code bench/target/jfr/PAGE/}) summarised.
     */
    public record Profile(List<ThreadCpu.Group> threads, JfrProfile.Summary jfr, GcPauses.Summary generatorGc) {

        /** Adds the tables to the report and the numbers to its JSON. */
        public void report(Report report, Step step, Map<String, Object> numbers) {
            report.note(f("At %,d msg/s, %s.", step.rate(), generatorGc.describe()));
            numbers.put("generatorGcPauses", generatorGc);
            report.table(f("where the nodes' CPU went at %,d msg/s (all nodes; by thread, from /proc, user + system)", step.rate()),
                    ThreadCpu.table(threads, step.seconds(), step.delivered()));
            Map<String, Double> byThread = new LinkedHashMap<>();
            threads.forEach(g -> byThread.put(g.name(), g.seconds()));
            numbers.put("nodeCpuSecondsByThread", byThread);
            if (jfr != null) {
                report.table(f("JFR profile of the nodes (%,d execution samples over the whole run; Java code only)", jfr.samples()),
                        JfrProfile.table(jfr));
                numbers.put("jfrSamplesByPhase", jfr.phases());
            }
        }
    }

    /** The last step's {@link Profile}; writes the nodes' recordings first when they keep one. */
    public Profile profile(String page) {
        JfrProfile.Summary jfr = null;
        if (shape.nodeJvm().stream().anyMatch(a -> a.startsWith("-XX:StartFlightRecording"))) {
            List<Path> files = dumpProfiles(Repository.root().resolve("bench/target/jfr/" + page));
            say("flight recordings: %s", files);
            jfr = files.isEmpty() ? null : JfrProfile.summarize(files, JfrProfile.CHAT_NODE, 10);
        }
        return new Profile(nodeThreads, jfr, generatorGc);
    }

    /** Where the nodes' CPU went in the last step's window, by kind of thread, summed over the nodes, largest first. */
    public List<ThreadCpu.Group> nodeThreadCpu() {
        return nodeThreads;
    }

    /**
     * Writes each node's flight recording (nodes started with {@code -XX:StartFlightRecording}) to {@code dir} and
     * returns the files written; empty when the nodes record nothing.
     */
    public List<Path> dumpProfiles(Path dir) {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        for (int i = 0; i < nodePids.size(); i++) {
            Path file = dir.resolve("node-" + (i + 1) + ".jfr").toAbsolutePath();
            String out = Heap.jcmd(nodePids.get(i), "JFR.dump filename=" + file);
            if (out != null && Files.isRegularFile(file)) {
                files.add(file);
            }
        }
        return files;
    }

    /** Every delivery of the run so far: owed, received, lost, duplicated, reordered. */
    public Integrity integrity() {
        long errors = members.stream().mapToLong(Member::errors).sum();
        return shape.typing() ? Integrity.ofTyping(typingOwed.sum(), typingReceived.sum(), errors,
                members.stream().mapToLong(Member::ownTypings).sum(), nodeCounter("chat_typing_dropped_total"))
                : Integrity.of(checker.verdict(), errors);
    }

    /** A counter of every node's {@code GET /metrics} summed; -1 when a node does not answer or has no such counter. */
    private long nodeCounter(String name) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long sum = 0;
        for (int port : nodePorts) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                double value = response.statusCode() == 200 ? counter(response.body(), name) : -1;
                if (value < 0) {
                    return -1;
                }
                sum += (long) value;
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return sum;
    }

    /** The value of counter {@code name} in a Prometheus text page, its samples summed over their labels; -1 when it has none. */
    static double counter(String page, String name) {
        double sum = -1;
        for (String line : page.split("\n")) {
            if (line.startsWith(name) && line.length() > name.length() && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')) {
                try {
                    sum = Math.max(sum, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        return sum;
    }

    /** The server processes whose CPU is measured, in the order of {@link Step#serverCpuMicros()}. */
    public List<String> serverNames() {
        return procs.stream().map(Proc::name).toList();
    }

    /**
     * The clock and the deliveries first, so that a window's length and its deliveries match; then the CPU of every
     * process, read quickly: the senders wait while this runs.
     */
    private Mark mark() {
        long nanos = System.nanoTime();
        long delivered = received();
        ProcStats.Sample[] samples = new ProcStats.Sample[procs.size() + 1];
        for (int i = 0; i < procs.size(); i++) {
            samples[i] = procs.get(i).stats().cpuSample();
        }
        samples[procs.size()] = generator.stats().cpuSample();
        return new Mark(nanos, delivered, samples);
    }

    /** Closes the members, then stops HAProxy, the nodes and Redis. */
    @Override
    public void close() {
        members.forEach(Member::close);
        for (AutoCloseable c : toStop) {
            try {
                c.close();
            } catch (Exception e) {
                say("could not stop %s: %s", c, e);
            }
        }
    }
}
