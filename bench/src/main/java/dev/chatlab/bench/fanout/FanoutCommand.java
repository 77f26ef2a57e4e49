package dev.chatlab.bench.fanout;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Bench;
import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.ProcStats;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.ServerProcess;
import dev.chatlab.bench.Table;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.haproxy.HaproxyServer;
import dev.chatlab.testkit.redis.RedisServer;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fan-out through Redis: a swarm of nodes (step 4 directly, or step 5 behind HAProxy), many members per room,
 * a few senders at a fixed total rate; delivered rate, latency, loss/duplicates/reordering and CPU per delivery.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts Redis and 3 nodes (step 4, clients spread over the nodes round-robin; or step 5 behind HAProxy), "
                + "joins the clients to their rooms and has the senders send at a fixed total rate, each text carrying its "
                + "send time (nanoTime, same JVM). Reports delivered msgs/s, latency p50..max, lost/duplicated/reordered by "
                + "seq per member, CPU of every server process and of the generator, and server CPU-us per delivery."})
public final class FanoutCommand implements java.util.concurrent.Callable<Integer> {

    /** Whether deliveries count toward the measured window. */
    private static final int DRAIN_SECONDS = 15;

    static final class Window {
        volatile boolean open;
    }

    @Option(names = "--target", defaultValue = "step4", description = "step4 (direct, round-robin) or step5 (HAProxy) (default: ${DEFAULT-VALUE})")
    String target;
    @Option(names = "--affinity", description = "with --target step5: HAProxy's room-affinity config (roomId in the URL, "
            + "consistently hashed), so each room lives on one node")
    boolean affinity;
    @Option(names = "--nodes", defaultValue = "3", description = "chat nodes (default: ${DEFAULT-VALUE})")
    int nodeCount;
    @Option(names = "--clients", defaultValue = "200", description = "members in all (default: ${DEFAULT-VALUE})")
    int clients;
    @Option(names = "--rooms", defaultValue = "10", description = "rooms; member i is in room i mod rooms (default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--senders", defaultValue = "20", description = "members that also send (default: ${DEFAULT-VALUE})")
    int senders;
    @Option(names = "--rate", defaultValue = "3000", description = "messages sent per second, all senders together (default: ${DEFAULT-VALUE})")
    int rate;
    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class, description = "load before the window (default: ${DEFAULT-VALUE})")
    Duration warmup;
    @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class, description = "the measured window (default: ${DEFAULT-VALUE})")
    Duration duration;
    @Option(names = "--node-jvm-args", defaultValue = "-Xmx512m", description = "JVM options of each node (default: ${DEFAULT-VALUE})")
    String nodeJvmArgs;
    @Option(names = "--results", description = "where fanout.jsonl and fanout.md go (default: bench/results)")
    Path results;
    @Option(names = "--no-save", description = "print only")
    boolean noSave;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private record Proc(String name, ProcStats stats) {
    }

    @Override
    public Integer call() throws Exception {
        if (!target.equals("step4") && !target.equals("step5")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target must be step4 or step5");
        }
        if (warmup.plus(duration).compareTo(Duration.ofSeconds(60)) > 0 || duration.isZero() || rooms < 1 || senders < 1
                || senders > clients || rate < 1 || clients < rooms) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "need --warmup + --duration <= 60s, 1 <= --senders <= --clients, --clients >= --rooms >= 1, --rate >= 1");
        }
        Path root = Bench.repositoryRoot();
        String module = target.equals("step4") ? "step4-pubsub" : "step5-loadbalancer";
        Path jar = root.resolve(module + "/target/" + module + ".jar");
        List<String> jvm = nodeJvmArgs.isBlank() ? List.of() : Arrays.asList(nodeJvmArgs.trim().split("\\s+"));
        if (affinity && !target.equals("step5")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--affinity goes with --target step5");
        }
        String command = "bench fanout --target " + target + (affinity ? " --affinity" : "");
        Report report = new Report("fanout", "fanout-" + target + (affinity ? "-affinity" : ""), command);
        report.announce("fanout via " + target);
        say("%d clients in %d rooms, %d senders, %,d msg/s offered for %s after %s warm-up", clients, rooms, senders, rate,
                DurationConverter.format(duration), DurationConverter.format(warmup));

        List<AutoCloseable> toStop = new ArrayList<>();
        List<Proc> procs = new ArrayList<>();
        Window window = new Window();
        List<Member> members = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            RedisServer redis = RedisServer.start();
            toStop.add(0, redis);
            long redisPid = Report.pidOf(redis, "redis-server");
            List<URI> uris = new ArrayList<>();
            if (target.equals("step4")) {
                for (int i = 1; i <= nodeCount; i++) {
                    ServerProcess node = ServerProcess.start(jar, jvm, List.of("--node", "node-" + i, "--redis", redis.uri().toString()),
                            root.resolve("bench/target/fanout-step4-node-" + i + ".log"), Duration.ofSeconds(60));
                    toStop.add(0, node);
                    procs.add(new Proc("node-" + i, new ProcStats(node.pid(), node.port())));
                    uris.add(URI.create("ws://127.0.0.1:" + node.port() + "/"));
                }
            } else {
                List<InetSocketAddress> addresses = new ArrayList<>();
                for (int i = 1; i <= nodeCount; i++) {
                    ChatNodeProcess node = ChatNodeProcess.start(jar, "node-" + i, redis.uri(), jvm, List.of());
                    toStop.add(0, node);
                    procs.add(new Proc("node-" + i, new ProcStats(node.pid(), node.port())));
                    addresses.add(new InetSocketAddress("127.0.0.1", node.port()));
                }
                HaproxyServer haproxy = HaproxyServer.start(affinity ? Balancing.ROOM_AFFINITY : Balancing.LEAST_CONNECTIONS,
                        addresses);
                toStop.add(0, haproxy);
                procs.add(new Proc("haproxy", new ProcStats(haproxy.pid(), haproxy.port())));
                uris.add(haproxy.wsUri());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!haproxy.nodeStates().values().stream().allMatch(s -> s.startsWith("UP")) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
            }
            procs.add(new Proc("redis", new ProcStats(redisPid, redis.port())));
            Proc generator = new Proc("generator (this JVM)", new ProcStats(ProcessHandle.current().pid(), 0));

            for (int i = 0; i < clients; i++) {
                Member member = new Member(i, "room-" + (i % rooms), window);
                members.add(member);
                // With affinity the room goes in the URL, which is what HAProxy hashes.
                URI uri = affinity ? URI.create(uris.get(0) + "?roomId=" + member.roomId) : uris.get(i % uris.size());
                http.newWebSocketBuilder().buildAsync(uri, member).thenAccept(member::attach)
                        .exceptionally(e -> {
                            member.joined.completeExceptionally(e);
                            return null;
                        });
            }
            CompletableFuture.allOf(members.stream().map(m -> m.joined).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            say("%d clients joined", clients);

            long[] sentPerRoom = new long[rooms];
            long periodNanos = 1_000_000_000L / rate;
            long start = System.nanoTime();
            long windowStart = start + warmup.toNanos();
            long end = windowStart + duration.toNanos();
            ProcStats.Sample[] before = null;
            long n = 0;
            long windowStartActual = 0;
            long sentInWindow = 0;
            while (true) {
                long due = start + n * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                if (before == null && now >= windowStart) {
                    before = samples(procs, generator);
                    windowStartActual = System.nanoTime();
                    window.open = true;
                }
                // Behind schedule (the generator did not get the CPU), it sends at once: the offered rate is what counts.
                Member sender = members.get((int) (n % senders));
                sender.send(due + "|" + sender.index + "|" + n);
                sentPerRoom[sender.index % rooms]++;
                if (window.open) {
                    sentInWindow++;
                }
                n++;
            }
            long windowNanos = System.nanoTime() - windowStartActual;
            ProcStats.Sample[] after = samples(procs, generator);
            window.open = false;
            say("sent %,d messages; waiting for the last deliveries", n);
            long expected = 0;
            for (Member m : members) {
                expected += sentPerRoom[m.index % rooms];
            }
            long last = -1;
            long lastProgress = System.nanoTime();
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            while (System.nanoTime() < settle) {
                long got = members.stream().mapToLong(Member::received).sum();
                if (got >= expected || System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(2)) {
                    break;
                }
                if (got != last) {
                    lastProgress = System.nanoTime();
                }
                last = got;
                Thread.sleep(200);
            }
            // Tally.
            Histogram all = Latency.histogram();
            long inWindow = 0;
            long received = 0;
            long distinct = 0;
            long duplicated = 0;
            long reordered = 0;
            long errors = 0;
            for (Member m : members) {
                m.addLatencyTo(all);
                synchronized (m) {
                    inWindow += m.inWindow;
                    received += m.received;
                    duplicated += m.duplicated;
                    reordered += m.reordered;
                    errors += m.errors;
                }
                distinct += m.distinct();
            }
            long lost = expected - distinct;
            double seconds = windowNanos / 1e9;
            Latency lat = Latency.of(all);
            Table table = new Table("Metric", "Value");
            double offeredDeliveries = (double) sentInWindow * clients / rooms / seconds;
            table.row("offered msgs/s (sent)", f("%,.0f", sentInWindow / seconds));
            table.row("offered deliveries/s", f("%,.0f", offeredDeliveries));
            double delivered = inWindow / seconds;
            table.row("delivered msgs/s", f("%,.0f", delivered));
            table.row("latency p50 ms", f("%.2f", lat.p50() / 1000.0));
            table.row("latency p90 ms", f("%.2f", all.getValueAtPercentile(90) / 1000.0));
            table.row("latency p99 ms", f("%.2f", lat.p99() / 1000.0));
            table.row("latency p99.9 ms", f("%.2f", all.getValueAtPercentile(99.9) / 1000.0));
            table.row("latency max ms", f("%.2f", lat.max() / 1000.0));
            table.row("expected deliveries (whole run)", f("%,d", expected));
            table.row("received", f("%,d", received));
            table.row("lost (not delivered " + DRAIN_SECONDS + " s after the end)", f("%,d", lost));
            table.row("duplicated", f("%,d", duplicated));
            table.row("reordered", f("%,d", reordered));
            table.row("error frames", f("%,d", errors));
            long serverMicros = 0;
            Map<String, Double> cpu = new LinkedHashMap<>();
            for (int i = 0; i < procs.size(); i++) {
                long micros = procs.get(i).stats().cpuMicros(before[i], after[i]);
                serverMicros += micros;
                cpu.put(procs.get(i).name(), micros / 1e6);
                table.row("CPU " + procs.get(i).name() + " (cores)", f("%.2f", micros / 1e6 / seconds));
            }
            long genMicros = generator.stats().cpuMicros(before[procs.size()], after[procs.size()]);
            cpu.put(generator.name(), genMicros / 1e6);
            table.row("CPU generator (cores)", f("%.2f", genMicros / 1e6 / seconds));
            double perDelivery = inWindow == 0 ? 0 : (double) serverMicros / inWindow;
            table.row("server CPU-us per delivered msg", f("%.2f", perDelivery));
            report.table("fanout via " + target + " (" + clients + " clients, " + rooms + " rooms, " + senders + " senders, "
                    + f("%,d", rate) + " msg/s, " + DurationConverter.format(duration) + " measured)", table);
            double genCores = genMicros / 1e6 / seconds;
            boolean genBound = genCores > 0.85;
            boolean below = delivered < 0.95 * offeredDeliveries;
            report.note(f("Generator bottleneck: %s (generator used %.2f cores; delivered %.0f%% of offered deliveries%s).",
                    genBound || below ? "YES (or the machine)" : "no", genCores, 100 * delivered / offeredDeliveries,
                    below ? "; the delivered rate fell short of the offered one, so this is a ceiling of the machine "
                            + "(2 cores shared by generator and servers), not of the servers alone" : ""));
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("sentInWindow", sentInWindow);
            numbers.put("windowSeconds", seconds);
            numbers.put("deliveredPerSecond", delivered);
            numbers.put("latencyMicros", Map.of("p50", lat.p50(), "p90", all.getValueAtPercentile(90), "p99", lat.p99(),
                    "p999", all.getValueAtPercentile(99.9), "max", lat.max()));
            numbers.put("expected", expected);
            numbers.put("received", received);
            numbers.put("lost", lost);
            numbers.put("duplicated", duplicated);
            numbers.put("reordered", reordered);
            numbers.put("errors", errors);
            numbers.put("cpuSeconds", cpu);
            numbers.put("serverCpuMicrosPerDelivery", perDelivery);
            report.put("settings", Map.of("target", target, "nodes", nodeCount, "clients", clients, "rooms", rooms,
                    "senders", senders, "rate", rate, "warmup", warmup.toString(), "duration", duration.toString(),
                    "nodeJvmArgs", nodeJvmArgs));
            report.put("results", numbers);
        } finally {
            members.forEach(Member::close);
            for (AutoCloseable c : toStop) {
                try {
                    c.close();
                } catch (Exception e) {
                    say("could not stop %s: %s", c, e);
                }
            }
        }
        report.save(Report.resultsDir(results), noSave);
        return 0;
    }

    private static ProcStats.Sample[] samples(List<Proc> procs, Proc generator) {
        ProcStats.Sample[] out = new ProcStats.Sample[procs.size() + 1];
        for (int i = 0; i < procs.size(); i++) {
            out[i] = procs.get(i).stats().sample();
        }
        out[procs.size()] = generator.stats().sample();
        return out;
    }
}
