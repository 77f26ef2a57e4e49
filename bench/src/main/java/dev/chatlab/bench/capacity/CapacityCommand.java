package dev.chatlab.bench.capacity;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Heap;
import dev.chatlab.bench.ProcStats;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.SwarmStep;
import dev.chatlab.bench.Table;
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
 * client (one thread) opens them, each from a chosen loopback source address, upgrades, joins a room, then stays silent.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts Redis and one node of step 8, or of --step 7 or 6 (their --max-connections/--max-connections-per-ip "
                + "raised), or of --step 5 (which has no caps), opens N idle "
                + "WebSockets from 127.0.0.1, 127.0.0.2, ... (a new source address every --per-address connections), each "
                + "joined to a room, and reports connect time, the node's RSS, live heap after a full GC, threads and CPU.")
public final class CapacityCommand implements Callable<Integer> {
    private static final int IN_FLIGHT = 200;

    @Option(names = "--connections", defaultValue = "10000", description = "idle connections (default: ${DEFAULT-VALUE})")
    int connections;
    @Option(names = "--rooms", defaultValue = "100", description = "rooms they join (default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--per-address", defaultValue = "20000",
            description = "connections per loopback source address before the next one (default: ${DEFAULT-VALUE})")
    int perAddress;
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
            long heapBefore = Heap.usedAfterGcKb(node.pid());
            Map<String, Long> classesBefore = HeapHistogram.take(node.pid());
            ProcStats.Sample before = proc.sample();
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
            say("%,d joined, %,d failed in %.1f s; settling", joined, failed, connectSeconds);
            // Idle for a moment, reading whatever the node sends (pings), then the costs.
            long idleUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < idleUntil) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    read.clear();
                    try {
                        ((Conn) key.attachment()).channel.read(read);
                    } catch (IOException e) {
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            long heapAfter = Heap.usedAfterGcKb(node.pid());
            Map<String, Long> classesAfter = HeapHistogram.take(node.pid());
            ProcStats.Sample after = proc.sample();
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
            report.table(f("capacity: %,d idle WebSockets on one step %d node (%s), %d rooms", connections, swarmStep.number(), nodeJvmArgs,
                    rooms), table);
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
            report.put("settings", Map.of("step", swarmStep.number(), "connections", connections, "rooms", rooms, "perAddress", perAddress,
                    "nodeJvmArgs", nodeJvmArgs));
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
