package dev.chatlab.bench.capacity;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Heap;
import dev.chatlab.bench.ProcStats;
import dev.chatlab.bench.RedisCommands;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.SwarmStep;
import dev.chatlab.bench.Table;
import dev.chatlab.bench.ThreadCpu;
import dev.chatlab.testkit.redis.RedisServer;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How many idle WebSockets one swarm node (step 8 unless {@code --step 7}, {@code 6} or {@code 5}) holds and what each costs: a tiny NIO
 * client (one thread) opens them, each from a chosen loopback source address, upgrades, joins a room, then stays silent;
 * then what holding them idle costs the node and Redis each second (step 8's presence refreshes and sweeps run all the
 * while; the steps before it do nothing for an idle member, so they are the baseline).
 */
@Command(name = "capacity", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts Redis and one node of step 8, or of --step 7 or 6 (their --max-connections/--max-connections-per-ip "
                + "raised), or of --step 5 (which has no caps), opens N idle "
                + "WebSockets from 127.0.0.1, 127.0.0.2, ... (a new source address every --per-address connections), each "
                + "joined to a room, and reports connect time, the node's RSS, live heap after a full GC, threads and CPU. Then "
                + "it holds them idle for --hold and reports what that costs each second: the node's CPU (by thread), "
                + "Redis's CPU (from /proc) and the commands Redis ran (INFO commandstats).")
public final class CapacityCommand implements Callable<Integer> {
    private static final int IN_FLIGHT = 200;

    @Option(names = "--connections", defaultValue = "10000", description = "idle connections (default: ${DEFAULT-VALUE})")
    int connections;
    @Option(names = "--rooms", defaultValue = "100", description = "rooms they join (default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--per-address", defaultValue = "20000",
            description = "connections per loopback source address before the next one (default: ${DEFAULT-VALUE})")
    int perAddress;
    @Option(names = "--hold", defaultValue = "10s", converter = DurationConverter.class,
            description = "how long the connections are held idle, measured, once they are all joined and the heap is read "
                    + "(default: ${DEFAULT-VALUE})")
    Duration hold;
    @Option(names = "--node-jvm-args", defaultValue = "-Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20",
            description = "the node's JVM options; the free ratios let the heap shrink back to what is live after a GC "
                    + "(G1 keeps far more otherwise) (default: ${DEFAULT-VALUE})")
    String nodeJvmArgs;
    @Mixin
    SwarmStep swarmStep;
    @Mixin
    Saving saving;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One connection's progress. */
    private static final class Conn {
        final SocketChannel channel;
        final String room;
        int stage; // 0 connecting, 1 upgrading, 2 joining, 3 idle
        final StringBuilder seen = new StringBuilder();

        Conn(SocketChannel channel, String room) {
            this.channel = channel;
            this.room = room;
        }
    }

    @Override
    public Integer call() throws Exception {
        long openFiles = openFileLimit();
        if (hold.isNegative() || hold.isZero() || hold.compareTo(Duration.ofMinutes(2)) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hold must be more than 0 and at most 2m");
        }
        if (openFiles < connections + 1_000L) {
            throw new CommandLine.ParameterException(spec.commandLine(), "ulimit -n is " + openFiles + ": too low for "
                    + connections + " connections (this JVM and the node each need one descriptor per connection, plus "
                    + "about 1000); raise it (ulimit -n " + (connections + 2_000) + ") or pass fewer --connections");
        }
        Report report = new Report("capacity", swarmStep.page("capacity"), Report.commandOf(spec));
        report.announce("capacity of one step " + swarmStep.number() + " node");
        Path jar = swarmStep.jar();
        List<String> jvm = Arrays.asList(nodeJvmArgs.trim().split("\\s+"));
        String cap = String.valueOf(Math.max(20_000, connections * 2));
        List<SocketChannel> open = new ArrayList<>();
        try (RedisServer redis = RedisServer.start();
             ChatNodeProcess node = ChatNodeProcess.start(jar, "node-1", redis.uri(), jvm,
                     swarmStep.number() >= 6
                             ? List.of("--max-connections", cap, "--max-connections-per-ip", cap, "--client-timeout", "10m")
                             : List.of("--client-timeout", "10m"));
             Selector selector = Selector.open()) {
            ProcStats proc = new ProcStats(node.pid(), node.port());
            ProcStats redisProc = new ProcStats(Report.pidOf(redis, "redis-server"), redis.port());
            long heapBefore = Heap.usedAfterGcKb(node.pid());
            Map<String, Long> classesBefore = HeapHistogram.take(node.pid());
            ProcStats.Sample before = proc.sample();
            ProcStats.Sample redisBefore = redisProc.cpuSample();
            RedisCommands commandsBefore = RedisCommands.of(redis);
            say("node pid %d on port %d: RSS %,d KB, heap after GC %,d KB, %d threads", node.pid(), node.port(), before.rssKb(),
                    heapBefore, before.threads());
            byte[] upgrade = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", node.port());
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(60).toNanos();
            int started = 0;
            int joined = 0;
            int failed = 0;
            int inFlight = 0;
            ByteBuffer read = ByteBuffer.allocate(64 * 1024);
            while (joined + failed < connections && System.nanoTime() < deadline) {
                while (inFlight < IN_FLIGHT && started < connections) {
                    SocketChannel ch = SocketChannel.open();
                    ch.bind(new InetSocketAddress("127.0.0." + (1 + started / perAddress), 0));
                    ch.configureBlocking(false);
                    Conn c = new Conn(ch, "room-" + (started % rooms));
                    open.add(ch);
                    boolean now = ch.connect(server);
                    ch.register(selector, now ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
                    if (now) {
                        c.stage = 1;
                        ch.write(ByteBuffer.wrap(upgrade));
                    }
                    started++;
                    inFlight++;
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            c.channel.finishConnect();
                            c.stage = 1;
                            c.channel.write(ByteBuffer.wrap(upgrade));
                            key.interestOps(SelectionKey.OP_READ);
                            continue;
                        }
                        read.clear();
                        int n = c.channel.read(read);
                        if (n < 0) {
                            throw new IOException("closed by the node");
                        }
                        if (c.stage == 3) {
                            continue; // idle: pings and the like are read and dropped
                        }
                        c.seen.append(new String(read.array(), 0, n, StandardCharsets.ISO_8859_1));
                        if (c.stage == 1 && c.seen.indexOf("\r\n\r\n") >= 0) {
                            if (!c.seen.toString().startsWith("HTTP/1.1 101")) {
                                throw new IOException(c.seen.substring(0, Math.min(80, c.seen.length())));
                            }
                            c.seen.setLength(0);
                            c.stage = 2;
                            c.channel.write(ByteBuffer.wrap(maskedText("{\"type\":\"join\",\"payload\":{\"roomId\":\"" + c.room + "\"}}")));
                        } else if (c.stage == 2 && c.seen.indexOf("\"joined\"") >= 0) {
                            c.stage = 3;
                            c.seen.setLength(0);
                            c.seen.trimToSize();
                            joined++;
                            inFlight--;
                        }
                    } catch (IOException e) {
                        if (failed++ < 5) {
                            say("a connection failed: %s", e.getMessage());
                        }
                        key.cancel();
                        c.channel.close();
                        inFlight--;
                    }
                }
                selector.selectedKeys().clear();
            }
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            ProcStats.Sample afterConnect = proc.sample();
            ProcStats.Sample redisAfterConnect = redisProc.cpuSample();
            RedisCommands joining = RedisCommands.of(redis).since(commandsBefore);
            say("%,d joined, %,d failed in %.1f s; settling", joined, failed, connectSeconds);
            // Read whatever the node still sends (on step 8 the presence events of the joins: each join goes to every member
            // already in the room) until it dies down, so that neither the heap nor the hold counts frames still queued.
            long settleFrom = System.nanoTime();
            long settledBytes = 0;
            long quietSeconds = 0;
            while (quietSeconds < QUIET_SECONDS || System.nanoTime() - settleFrom < MIN_SETTLE.toNanos()) {
                if (System.nanoTime() - settleFrom > MAX_SETTLE.toNanos()) {
                    say("the node still sends after %s; measuring anyway", DurationConverter.format(MAX_SETTLE));
                    break;
                }
                long bytes = idle(selector, read, Duration.ofSeconds(1));
                settledBytes += bytes;
                quietSeconds = bytes < QUIET_BYTES_PER_SECOND ? quietSeconds + 1 : 0;
            }
            double settleSeconds = (System.nanoTime() - settleFrom) / 1e9;
            say("the node's sends died down %.0f s after the connects (%,d bytes)", settleSeconds, settledBytes);
            long heapAfter = Heap.usedAfterGcKb(node.pid());
            Map<String, Long> classesAfter = HeapHistogram.take(node.pid());
            ProcStats.Sample after = proc.sample();
            // The idle hold, after the full GCs of the heap readings: what keeping the members costs each second.
            say("holding %,d idle connections for %s", joined, DurationConverter.format(hold));
            idle(selector, read, Duration.ofSeconds(1));
            Idle idle = hold(node.pid(), proc, redisProc, redis, selector, read);
            int per = Math.max(1, joined);
            Table table = new Table("Metric", "Value");
            table.row("connections asked", f("%,d", connections));
            table.row("joined", f("%,d", joined));
            table.row("failed", f("%,d", failed));
            table.row("source addresses", f("%d", 1 + (started - 1) / perAddress));
            table.row("established at the node (/proc)", f("%,d", after.connections()));
            table.row("connect+join time s", f("%.1f", connectSeconds));
            table.row("connects/s", f("%,.0f", joined / connectSeconds));
            table.row("node RSS before MB", f("%.1f", before.rssKb() / 1024.0));
            table.row("node RSS after MB", f("%.1f", after.rssKb() / 1024.0));
            table.row("RSS per connection KB", f("%.1f", (after.rssKb() - before.rssKb()) / (double) per));
            table.row("live heap after GC before MB", f("%.1f", heapBefore / 1024.0));
            table.row("live heap after GC after MB", f("%.1f", heapAfter / 1024.0));
            table.row("live heap per connection KB", f("%.2f", (heapAfter - heapBefore) / (double) per));
            table.row("node threads before", f("%d", before.threads()));
            table.row("node threads after", f("%d", after.threads()));
            table.row("node CPU during connects s", f("%.2f", proc.cpuMicros(before, afterConnect) / 1e6));
            table.row("node CPU per connection ms", f("%.3f", proc.cpuMicros(before, afterConnect) / 1e3 / per));
            table.row("Redis CPU during connects s", f("%.2f", redisProc.cpuMicros(redisBefore, redisAfterConnect) / 1e6));
            table.row("Redis commands during connects", f("%,d", joining.calls()));
            table.row("bytes to the clients after the connects, until quiet", f("%,d", settledBytes));
            table.row("quiet after the connects s (" + QUIET_SECONDS + " s under " + f("%,d", QUIET_BYTES_PER_SECOND) + " bytes/s)",
                    f("%.0f", settleSeconds));
            report.table(f("capacity: %,d idle WebSockets on one step %d node (%s), %d rooms", connections, swarmStep.number(), nodeJvmArgs,
                    rooms), table);
            report.note(NAMES);
            report.table(f("holding them idle: %s measured, per second", DurationConverter.format(hold)), idle.table(joined));
            report.table("the node's CPU in the idle hold, by thread (from /proc, user + system)", idle.threads());
            if (!idle.commands().byCommand().isEmpty()) {
                report.table("what Redis ran in the idle hold (INFO commandstats; a script's calls count as calls of their own too)",
                        idle.commandsTable());
            }
            if (!classesAfter.isEmpty() && joined > 0) {
                report.table("where a connection's live heap goes (jcmd GC.class_histogram after the connects, minus before)",
                        HeapHistogram.perConnection(classesBefore, classesAfter, joined));
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("joined", joined);
            r.put("failed", failed);
            r.put("established", after.connections());
            r.put("connectSeconds", connectSeconds);
            r.put("rssKbBefore", before.rssKb());
            r.put("rssKbAfter", after.rssKb());
            r.put("heapKbBefore", heapBefore);
            r.put("heapKbAfter", heapAfter);
            Map<String, Long> grown = new LinkedHashMap<>();
            classesAfter.forEach((owner, bytes) -> grown.put(owner, bytes - classesBefore.getOrDefault(owner, 0L)));
            r.put("heapBytesGrownByOwner", grown);
            r.put("threadsBefore", before.threads());
            r.put("threadsAfter", after.threads());
            r.put("cpuMicrosConnecting", proc.cpuMicros(before, afterConnect));
            r.put("redisCpuMicrosConnecting", redisProc.cpuMicros(redisBefore, redisAfterConnect));
            r.put("redisCommandsConnecting", joining.calls());
            r.put("bytesAfterConnecting", settledBytes);
            r.put("quietAfterSeconds", settleSeconds);
            r.put("idle", idle.json());
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("step", swarmStep.number());
            settings.put("connections", connections);
            settings.put("rooms", rooms);
            settings.put("perAddress", perAddress);
            settings.put("hold", hold.toString());
            settings.put("names", "guest-N, one per connection");
            settings.put("nodeJvmArgs", nodeJvmArgs);
            report.put("settings", settings);
            report.put("results", r);
        } finally {
            for (SocketChannel ch : open) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        saving.save(report);
        return 0;
    }

    /** The node is quiet once it sends the clients less than this a second (pings: 10,000 sockets every 30 s)... */
    static final long QUIET_BYTES_PER_SECOND = 10_000;
    /** ... for this many seconds in a row. */
    static final int QUIET_SECONDS = 2;
    /** The settling after the connects lasts at least this (as long as it always did, on every step)... */
    static final Duration MIN_SETTLE = Duration.ofSeconds(3);
    /** ... and at most this. */
    static final Duration MAX_SETTLE = Duration.ofSeconds(90);

    /** Who the members are, as presence sees them. */
    static final String NAMES = "Each connection joins without a name. A step 8 node names each guest-N, one name per connection, so "
            + "every connection is a member of its own in presence: as many entries to refresh as connections, the most "
            + "they can be. The steps before 8 keep no presence.";

    /** Reads whatever the node sends for {@code duration} and drops it; returns how many bytes that was. */
    private static long idle(Selector selector, ByteBuffer read, Duration duration) throws IOException {
        long bytes = 0;
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            selector.select(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
            for (SelectionKey key : selector.selectedKeys()) {
                read.clear();
                try {
                    int n = ((Conn) key.attachment()).channel.read(read);
                    if (n < 0) {
                        key.cancel();
                    } else {
                        bytes += n;
                    }
                } catch (IOException e) {
                    key.cancel();
                }
            }
            selector.selectedKeys().clear();
        }
        return bytes;
    }

    /** Holds the connections idle for {@code --hold}, reading what the node sends, and measures the node and Redis meanwhile. */
    private Idle hold(long nodePid, ProcStats node, ProcStats redisProc, RedisServer redis, Selector selector, ByteBuffer read)
            throws IOException {
        RedisCommands commandsFrom = RedisCommands.of(redis);
        ThreadCpu.Snapshot threadsFrom = ThreadCpu.take(nodePid);
        ProcStats.Sample nodeFrom = node.cpuSample();
        ProcStats.Sample redisFrom = redisProc.cpuSample();
        long from = System.nanoTime();
        long bytes = idle(selector, read, hold);
        ProcStats.Sample nodeTo = node.cpuSample();
        ProcStats.Sample redisTo = redisProc.cpuSample();
        long to = System.nanoTime();
        ThreadCpu.Snapshot threadsTo = ThreadCpu.take(nodePid);
        RedisCommands commands = RedisCommands.of(redis).since(commandsFrom);
        return new Idle((to - from) / 1e9, node.cpuMicros(nodeFrom, nodeTo), redisProc.cpuMicros(redisFrom, redisTo), commands, bytes,
                ThreadCpu.between(List.of(threadsFrom), List.of(threadsTo), name -> name));
    }

    /**
     * The idle hold, measured.
     *
     * @param seconds          how long it lasted
     * @param nodeCpuMicros    the node's CPU in it
     * @param redisCpuMicros   Redis's CPU in it (from /proc: its own threads, whatever they did)
     * @param commands         the commands Redis ran in it, the bench's own readings left out
     * @param bytesToClients   what the node sent the clients in it (pings, presence events)
     * @param nodeThreads      the node's CPU by thread in it
     */
    record Idle(double seconds, long nodeCpuMicros, long redisCpuMicros, RedisCommands commands, long bytesToClients,
                List<ThreadCpu.Group> nodeThreads) {

        double perSecond(double value) {
            return seconds <= 0 ? 0 : value / seconds;
        }

        /** The hold's figures, each per second. */
        Table table(int connections) {
            Table table = new Table("Metric", "Value");
            table.row("hold s", f("%.1f", seconds));
            table.row("node CPU ms/s", f("%.1f", perSecond(nodeCpuMicros / 1e3)));
            table.row("node CPU per 1,000 connections, ms/s", f("%.2f", connections == 0 ? 0 : perSecond(nodeCpuMicros / 1e3) * 1_000 / connections));
            table.row("Redis CPU ms/s", f("%.1f", perSecond(redisCpuMicros / 1e3)));
            table.row("Redis commands/s (calls made by scripts included)", f("%,.0f", perSecond(commands.calls())));
            table.row("Redis scripts run/s", f("%,.1f", perSecond(commands.scripts())));
            table.row("Redis PUBLISH/s", f("%,.1f", perSecond(commands.calls("publish"))));
            table.row("bytes to the clients/s", f("%,.0f", perSecond(bytesToClients)));
            return table;
        }

        /** The node's threads, in CPU ms per second of the hold. */
        Table threads() {
            Table table = new Table("Threads", "CPU ms/s", "User %");
            double total = nodeThreads.stream().mapToDouble(ThreadCpu.Group::seconds).sum();
            double rest = 0;
            for (ThreadCpu.Group g : nodeThreads) {
                if (g.seconds() < total / 100) {
                    rest += g.seconds();
                    continue;
                }
                table.row(g.name(), f("%.2f", perSecond(g.seconds() * 1e3)), f("%.0f", 100 * g.userSeconds() / g.seconds()));
            }
            if (rest > 0) {
                table.row("(the rest)", f("%.2f", perSecond(rest * 1e3)), "");
            }
            table.row("all", f("%.2f", perSecond(total * 1e3)), "");
            return table;
        }

        /** Each command Redis ran: calls per second and microseconds per call. */
        Table commandsTable() {
            Table table = new Table("Command", "calls/s", "us per call");
            commands.byCommand().forEach((name, c) -> table.row(name, f("%,.1f", perSecond(c.calls())),
                    f("%.1f", c.calls() == 0 ? 0 : c.usec() / (double) c.calls())));
            return table;
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("seconds", seconds);
            json.put("nodeCpuMicros", nodeCpuMicros);
            json.put("redisCpuMicros", redisCpuMicros);
            json.put("redisCommands", commands.calls());
            json.put("redisScripts", commands.scripts());
            json.put("redisCommandsByName", commands.callsByCommand());
            json.put("bytesToClients", bytesToClients);
            Map<String, Double> byThread = new LinkedHashMap<>();
            nodeThreads.forEach(g -> byThread.put(g.name(), g.seconds()));
            json.put("nodeCpuSecondsByThread", byThread);
            return json;
        }
    }

    /** A client text frame (clients must mask), for payloads under 126 bytes. */
    static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("frame too long for this tiny client");
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: assume enough
        }
        return Long.MAX_VALUE;
    }
}
