package dev.chatlab.bench.transports;

import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Heap;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Machine;
import dev.chatlab.bench.Pause;
import dev.chatlab.bench.ProcStats;
import dev.chatlab.bench.Repository;
import dev.chatlab.bench.Results;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.ServerProcess;
import dev.chatlab.bench.Table;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Step 0 measured: the same room served over short polling, long polling, server-sent events and
 * WebSocket, first under load (N clients per transport, M messages a second), then idle (many clients,
 * no messages), with the server in its own JVM and every byte counted at the socket.
 */
@Command(name = "transports", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Starts step 0 (java -jar step0-transports/target/step0-transports.jar) on a free loopback port and measures "
                + "each transport in turn: delivery latency p50/p99, HTTP requests, bytes on the wire (counted by a relay "
                + "per transport) and server CPU per delivered message; then what many idle clients cost the server "
                + "(connections, threads, memory).",
            "Messages are posted straight to the server at a fixed rate, each carrying its send time; latency is "
                + "measured where it is received."})
public final class TransportsCommand implements Callable<Integer> {
    private static final Duration MAX_PHASE = Duration.ofSeconds(60);
    private static final Duration CONNECT_WITHIN = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final int WARM_UP_CLIENTS = 10;

    @Option(names = "--clients", defaultValue = "50", description = "receiving clients per transport under load (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--rate", defaultValue = "20", description = "messages posted per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--server-warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "before anything is measured, traffic on every transport at once so the server's JIT has compiled "
                + "its hot paths (default: ${DEFAULT-VALUE})")
    Duration serverWarmup;

    @Option(names = "--warmup", defaultValue = "1s", converter = DurationConverter.class,
            description = "per transport, traffic before the measured window (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
            description = "per transport, the measured window (default: ${DEFAULT-VALUE}); warm-up + window <= 60s")
    Duration duration;

    @Option(names = "--poll-interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "how often a short-polling client asks (default: ${DEFAULT-VALUE})")
    Duration pollInterval;

    @Option(names = "--idle-clients", defaultValue = "1000",
            description = "idle clients per transport in the idle phase; 0 skips it (default: ${DEFAULT-VALUE})")
    int idleClients;

    @Option(names = "--idle-window", defaultValue = "4s", converter = DurationConverter.class,
            description = "per transport, how long the idle clients are watched (default: ${DEFAULT-VALUE})")
    Duration idleWindow;

    @Option(names = "--transports", defaultValue = "short,long,sse,ws", split = ",",
            description = "which transports, in order (default: ${DEFAULT-VALUE})")
    List<String> transportKeys;

    @Option(names = "--server-jar", description = "the step 0 jar (default: step0-transports/target/step0-transports.jar)")
    Path serverJar;

    @Option(names = "--server-jvm-args", defaultValue = "-Xmx1g",
            description = "JVM options for the server process, space separated (default: ${DEFAULT-VALUE})")
    String serverJvmArgs;

    @CommandLine.Mixin
    Saving saving;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Counters at one instant, so that a window is the difference of two. */
    private record Mark(long nanos, long bytes, long requests, long sent, ProcStats.Sample server) {
        static Mark take(Clients clients, Sender sender, ProcStats proc) {
            return new Mark(System.nanoTime(), clients.relay().bytes(), clients.tally().requests(),
                    sender == null ? 0 : sender.sent(), proc.sample());
        }

        double secondsSince(Mark earlier) {
            return (nanos - earlier.nanos) / 1e9;
        }
    }

    @Override
    public Integer call() {
        check();
        List<Transport> transports = transportKeys.stream().map(Transport::byKey).collect(Collectors.toList());
        Path root = Repository.root();
        Path jar = serverJar != null ? serverJar : root.resolve("step0-transports/target/step0-transports.jar");
        Path resultsDir = saving.dir();
        Machine machine = Machine.current();
        Instant started = Instant.now();
        double loadBefore = Machine.loadAverage();
        say("transports on %s; load average %.2f", machine.describe(), loadBefore);
        say("under load: %d clients per transport, %d msg/s, %s warm-up + %s measured each; idle: %,d clients per transport",
                clients, rate, DurationConverter.format(warmup), DurationConverter.format(duration), idleClients);

        List<LoadResult> load = new ArrayList<>();
        List<IdleResult> idle = new ArrayList<>();
        ScheduledExecutorService clientClock = Executors.newScheduledThreadPool(2, daemon("client-clock"));
        ScheduledExecutorService senderClock = Executors.newSingleThreadScheduledExecutor(daemon("sender"));
        HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Phases phases = new Phases(clientClock, senderClock, direct);
        List<String> jvmArgs = serverJvmArgs.isBlank() ? List.of() : Arrays.asList(serverJvmArgs.trim().split("\\s+"));
        try (ServerProcess server = ServerProcess.start(jar, jvmArgs, root.resolve("bench/target/transports-server.log"), MAX_PHASE)) {
            // Ctrl-C must not leave the server running: the hook stops it by its PID.
            Thread stopper = new Thread(server::close, "stop-server");
            Runtime.getRuntime().addShutdownHook(stopper);
            ProcStats proc = new ProcStats(server.pid(), server.port());
            say("server: pid %d on 127.0.0.1:%d, log in %s", server.pid(), server.port(), root.relativize(server.log()));
            phases.warmUp(server, proc, transports);
            for (Transport transport : transports) {
                load.add(phases.load(transport, server, proc));
            }
            if (idleClients > 0) {
                idle.addAll(phases.idle(transports, server, proc));
            }
            Runtime.getRuntime().removeShutdownHook(stopper);
        } finally {
            clientClock.shutdownNow();
            senderClock.shutdownNow();
        }

        say("done; the server is stopped");
        Table loadTable = loadTable(load);
        Table idleTable = idleTable(idle);
        System.out.println();
        System.out.println("Under load (" + clients + " clients per transport, " + rate + " msg/s, "
                + DurationConverter.format(duration) + " measured):");
        System.out.println(loadTable.console());
        if (!idle.isEmpty()) {
            System.out.println("Idle (" + String.format(Locale.ROOT, "%,d", idleClients) + " clients per transport, nothing sent, "
                    + DurationConverter.format(idleWindow) + " watched):");
            System.out.println(idleTable.console());
        }
        if (!saving.noSave()) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("scenario", "transports");
            run.put("at", started.toString());
            run.put("command", command());
            run.put("machine", machine);
            run.put("loadAverageBefore", loadBefore);
            run.put("settings", settings());
            run.put("load", load);
            run.put("idle", idle);
            Results.appendLine(resultsDir.resolve("transports.jsonl"), Results.jsonLine(run));
            Results.write(resultsDir.resolve("transports.md"), markdown(started, machine, loadBefore, loadTable.markdown(),
                    idle.isEmpty() ? "" : idleTable.markdown()));
            say("appended to %s, wrote %s", resultsDir.resolve("transports.jsonl"), resultsDir.resolve("transports.md"));
            saving.rewriteSummary();
        }
        return 0;
    }

    private void check() {
        List<String> problems = new ArrayList<>();
        if (clients < 1 || clients > 5_000) {
            problems.add("--clients must be 1..5000");
        }
        if (rate < 1 || rate > 1_000) {
            problems.add("--rate must be 1..1000 messages per second");
        }
        if (idleClients < 0 || idleClients > 5_000) {
            problems.add("--idle-clients must be 0..5000");
        }
        if (serverWarmup.isNegative() || serverWarmup.compareTo(MAX_PHASE) > 0) {
            problems.add("--server-warmup must be 0..60s");
        }
        if (warmup.isNegative() || duration.isNegative() || duration.isZero() || warmup.plus(duration).compareTo(MAX_PHASE) > 0) {
            problems.add("--warmup + --duration must be at most 60s, with a window longer than 0");
        }
        if (idleWindow.isNegative() || idleWindow.isZero() || idleWindow.plus(SETTLE).compareTo(MAX_PHASE) > 0) {
            problems.add("--idle-window must be 1ms..59s");
        }
        for (String key : transportKeys) {
            try {
                Transport.byKey(key);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (pollInterval.toMillis() < 10) {
            problems.add("--poll-interval must be at least 10ms");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    /** The phases of a run; they share the bench's threads and the direct sender. */
    private final class Phases {
        private final ScheduledExecutorService clientClock;
        private final ScheduledExecutorService senderClock;
        private final HttpClient direct;

        Phases(ScheduledExecutorService clientClock, ScheduledExecutorService senderClock, HttpClient direct) {
            this.clientClock = clientClock;
            this.senderClock = senderClock;
            this.direct = direct;
        }

        /**
         * A few clients on every transport at once, short polling ten times as often, so that the server's JIT
         * has compiled the hot paths before anything counts (until then, compiling is most of its CPU time).
         */
        void warmUp(ServerProcess server, ProcStats proc, List<Transport> transports) {
            if (serverWarmup.isZero()) {
                return;
            }
            say("warming the server up: %d clients on each transport for %s", WARM_UP_CLIENTS, DurationConverter.format(serverWarmup));
            Duration fastPolls = Duration.ofMillis(Math.max(10, pollInterval.toMillis() / 10));
            List<Clients> all = new ArrayList<>();
            try {
                for (Transport transport : transports) {
                    Clients clientsOfOne = new Clients(transport, server.address(), clientClock, fastPolls);
                    all.add(clientsOfOne);
                    clientsOfOne.open(WARM_UP_CLIENTS, CONNECT_WITHIN);
                }
                try (Sender sender = new Sender(direct, server.httpUri(), rate, senderClock).start()) {
                    Pause.of(serverWarmup);
                }
            } finally {
                all.forEach(Clients::close);
                all.forEach(c -> awaitGone(proc, c));
            }
        }

        LoadResult load(Transport transport, ServerProcess server, ProcStats proc) {
            Clients receivers = clients(transport, server);
            try (receivers) {
                int ready = receivers.open(clients, CONNECT_WITHIN);
                say("%s: %d/%d clients connected; %s warm-up, then %s measured", transport.label(), ready, clients,
                        DurationConverter.format(warmup), DurationConverter.format(duration));
                try (Sender sender = new Sender(direct, server.httpUri(), rate, senderClock).start()) {
                    Pause.of(warmup);
                    Mark from = Mark.take(receivers, sender, proc);
                    receivers.tally().window();
                    Pause.of(duration);
                    Mark to = Mark.take(receivers, sender, proc);
                    Histogram latencies = receivers.tally().window();
                    LoadResult result = new LoadResult(transport.label(), clients, ready, rate, to.secondsSince(from),
                            to.sent() - from.sent(), Latency.of(latencies), to.requests() - from.requests(),
                            to.bytes() - from.bytes(), proc.cpuMicros(from.server(), to.server()));
                    if (sender.failed() > 0) {
                        say("%s: %d sends failed", transport.label(), sender.failed());
                    }
                    return result;
                }
            } finally {
                awaitGone(proc, receivers);
            }
        }

        /**
         * The idle phase of every transport, in an order that lets the server clean up after each: a server learns
         * that a held long poll or event stream lost its client only when it next writes to it (at the poll's timeout,
         * at the stream's heartbeat), so long polls go last and the next phase waits until the server has let go.
         */
        List<IdleResult> idle(List<Transport> transports, ServerProcess server, ProcStats proc) {
            List<Transport> order = new ArrayList<>(transports);
            order.sort(Comparator.comparingInt(t -> t == Transport.LONG_POLLING ? 2 : t == Transport.SSE ? 1 : 0));
            Map<Transport, IdleResult> results = new EnumMap<>(Transport.class);
            for (int i = 0; i < order.size(); i++) {
                results.put(order.get(i), idle(order.get(i), server, proc, i == order.size() - 1));
            }
            return transports.stream().map(results::get).collect(Collectors.toList());
        }

        private IdleResult idle(Transport transport, ServerProcess server, ProcStats proc, boolean last) {
            long heapBefore = Heap.usedAfterGcKb(server.pid());
            ProcStats.Sample before = proc.sample();
            Clients idlers = clients(transport, server);
            try (idlers) {
                int ready = idlers.open(idleClients, CONNECT_WITHIN);
                say("%s: %,d/%,d idle clients connected; watching for %s", transport.label(), ready, idleClients,
                        DurationConverter.format(idleWindow));
                Pause.of(SETTLE);
                Mark from = Mark.take(idlers, null, proc);
                Pause.of(idleWindow);
                Mark to = Mark.take(idlers, null, proc);
                ProcStats.Sample with = to.server();
                long heap = Heap.usedAfterGcKb(server.pid());
                return new IdleResult(transport.label(), idleClients, ready, before.connections(), with.connections(),
                        before.threads(), with.threads(), before.rssKb(), with.rssKb(), heapBefore, heap, to.secondsSince(from),
                        proc.cpuMicros(from.server(), with), to.requests() - from.requests(), to.bytes() - from.bytes());
            } finally {
                if (!last) {
                    awaitLetGo(proc, idlers);
                }
            }
        }

        private Clients clients(Transport transport, ServerProcess server) {
            return new Clients(transport, server.address(), clientClock, pollInterval);
        }

        /** Waits (at most 20 s) until the server has closed its side of every connection of closed clients. */
        private void awaitLetGo(ProcStats proc, Clients closed) {
            Set<Integer> ports = closed.relay().upstreamPorts();
            long started = System.nanoTime();
            if (Pause.until(() -> proc.heldFrom(ports) == 0, Duration.ofSeconds(20))) {
                say("%s: the server let go of the idle clients' connections %.1fs after they left", closed.transport().label(),
                        (System.nanoTime() - started) / 1e9);
            } else {
                say("%s: the server still holds %d of the idle clients' connections; going on", closed.transport().label(),
                        proc.heldFrom(ports));
            }
        }

        /** Waits (at most 15 s) until the server has let go of the connections of closed clients, so the next phase starts clean. */
        private void awaitGone(ProcStats proc, Clients closed) {
            Set<Integer> ports = closed.relay().upstreamPorts();
            if (!Pause.until(() -> proc.connectionsFrom(ports) == 0, Duration.ofSeconds(15))) {
                say("the server still holds %d of the closed clients' connections; going on", proc.connectionsFrom(ports));
            }
        }
    }

    // ---- reporting ----

    static Table loadTable(List<LoadResult> load) {
        Table table = new Table("transport", "clients", "offered msg/s", "delivered", "latency p50 ms", "latency p99 ms",
                "requests / msg", "bytes / msg", "server CPU µs / msg");
        for (LoadResult r : load) {
            table.row(r.transport(), count(r.ready()), count(r.offeredRate()), count(r.delivered()), millis(r.latency().p50()),
                    millis(r.latency().p99()), fixed(r.requestsPerMessage(), 3), fixed(r.bytesPerMessage(), 0),
                    fixed(r.cpuMicrosPerMessage(), 0));
        }
        return table;
    }

    static Table idleTable(List<IdleResult> idle) {
        Table table = new Table("transport", "idle clients", "server connections", "server threads", "server RSS MB",
                "heap KB / client", "server CPU ms/s", "requests/s", "bytes/s");
        for (IdleResult r : idle) {
            table.row(r.transport(), count(r.ready()),
                    count(r.connectionsBefore()) + " → " + count(r.connections()),
                    count(r.threadsBefore()) + " → " + count(r.threads()),
                    count(r.rssBeforeKb() / 1024) + " → " + count(r.rssKb() / 1024),
                    fixed(r.heapKbPerClient(), 1), fixed(r.cpuMillisPerSecond(), 1), fixed(r.requestsPerSecond(), 0),
                    fixed(r.bytesPerSecond(), 0));
        }
        return table;
    }

    private String markdown(Instant started, Machine machine, double loadBefore, String loadTable, String idleTable) {
        StringBuilder md = new StringBuilder();
        md.append("# Transports, measured\n\n");
        md.append("`").append(command()).append("` on ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(started.atZone(ZoneOffset.UTC)))
                .append(", ").append(machine.describe())
                .append(String.format(Locale.ROOT, "; load average %.2f when it began.%n%n", loadBefore));
        md.append("**Under load:** ").append(clients).append(" receiving clients per transport, ").append(rate)
                .append(" messages/s posted straight to the server, ").append(DurationConverter.format(warmup))
                .append(" warm-up then ").append(DurationConverter.format(duration)).append(" measured per transport; short polling every ")
                .append(DurationConverter.format(pollInterval)).append(".\n\n");
        md.append(loadTable).append('\n');
        if (!idleTable.isEmpty()) {
            md.append("**Idle:** ").append(String.format(Locale.ROOT, "%,d", idleClients))
                    .append(" clients per transport, nothing sent, watched for ").append(DurationConverter.format(idleWindow))
                    .append(" once connected; server figures are before → with them.\n\n");
            md.append(idleTable).append('\n');
        }
        md.append("How to read it:\n\n");
        md.append("- *delivered*: messages received in the window, all clients together (each client gets each message).\n");
        md.append("- *latency*: from just before the POST to the moment a client has parsed the message (one JVM, one clock).\n");
        md.append("- *requests* and *bytes* are the receiving clients' only: the sender posts straight to the server. "
                + "Bytes are counted by a TCP relay per transport, both directions, headers and framing included.\n");
        md.append("- *server CPU* is the server process's user + system time over the window (from /proc), divided by "
                + "deliveries; it includes handling the sender's POSTs.\n");
        md.append("- *heap KB / client* is the growth of the server's live heap (after a full GC, through jcmd) over the "
                + "idle clients; resident memory (RSS) also moves with whatever heap the JVM keeps or returns.\n");
        md.append("- The clients are the JDK's HttpClient and WebSocket, which send fewer headers than a browser. "
                + "Short-polling clients share one keep-alive pool, so the server sees the polls in flight as connections, not one per client.\n");
        md.append("- Bench and server run on the same machine and share its cores.\n");
        return md.toString();
    }

    private String command() {
        return "./lab " + dev.chatlab.bench.Report.commandOf(spec);
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("clients", clients);
        settings.put("rate", rate);
        settings.put("serverWarmupSeconds", serverWarmup.toMillis() / 1000.0);
        settings.put("warmupSeconds", warmup.toMillis() / 1000.0);
        settings.put("durationSeconds", duration.toMillis() / 1000.0);
        settings.put("pollIntervalSeconds", pollInterval.toMillis() / 1000.0);
        settings.put("idleClients", idleClients);
        settings.put("idleWindowSeconds", idleWindow.toMillis() / 1000.0);
        settings.put("transports", transportKeys);
        settings.put("serverJvmArgs", serverJvmArgs);
        return settings;
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String millis(long micros) {
        double ms = micros / 1000.0;
        return ms < 100 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%,.0f", ms);
    }

    static String fixed(double value, int decimals) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    private static final long STARTED = System.nanoTime();

    private static void say(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench %5.1fs] %s%n", (System.nanoTime() - STARTED) / 1e9, String.format(Locale.ROOT, format, args));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
