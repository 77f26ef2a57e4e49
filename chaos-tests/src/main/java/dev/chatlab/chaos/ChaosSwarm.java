package dev.chatlab.chaos;

import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.haproxy.HaproxyServer;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.redis.RedisServer;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swarm (step 8's nodes, or step 5's, 6's or 7's: see {@value #STEP_PROPERTY}) wired for faults, all real processes stopped
 * by PID: clients → Toxiproxy → HAProxy → nodes,
 * and each node → two Toxiproxy proxies of its own (commands, subscription) → Redis, so that one node can lose
 * Redis, or only its subscription, alone.
 */
public final class ChaosSwarm implements AutoCloseable {
    /** The proxy most clients connect through. */
    public static final String LB = "lb";
    /** A second way in to the same HAProxy, for faults that hit some of the clients and not the others. */
    public static final String LB_HALF = "lb-half";
    /** A third way in, for a single client whose link is made thin. */
    public static final String LB_SLOW = "lb-slow";
    /** System property: node options, comma-separated, appended to every node's command line (they win). */
    public static final String NODE_ARGS_PROPERTY = "chaos.nodeArgs";
    /** System property: the step whose node jar the swarm runs, 5, 6, 7 or 8 (the default: the newest). */
    public static final String STEP_PROPERTY = "chaos.step";

    private static final Logger log = LoggerFactory.getLogger(ChaosSwarm.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final ToxiproxyClient toxiproxy;
    private final Map<String, Proxy> proxies = new LinkedHashMap<>();
    private final List<String> nodeArgs;
    private Swarm swarm;

    private ChaosSwarm(ToxiproxyClient toxiproxy, List<String> nodeArgs) {
        this.toxiproxy = toxiproxy;
        this.nodeArgs = nodeArgs;
    }

    /**
     * Starts Redis, {@code count} nodes named node-1 … node-N (each reaching Redis through its two proxies, started
     * in parallel, with {@code nodeArgs} and then whatever {@value #NODE_ARGS_PROPERTY} adds), HAProxy over them,
     * and the client-side proxies; returns once HAProxy has every node in rotation.
     */
    public static ChaosSwarm start(ToxiproxyClient toxiproxy, int count, List<String> nodeArgs) {
        List<String> args = withExtra(nodeArgs, extraNodeArgs(System.getProperty(NODE_ARGS_PROPERTY)));
        ChaosSwarm swarm = new ChaosSwarm(toxiproxy, args);
        try {
            swarm.launch(count);
            return swarm;
        } catch (RuntimeException e) {
            swarm.close();
            throw e;
        }
    }

    /** The newest step, which the swarm runs unless {@value #STEP_PROPERTY} names another. */
    public static final int NEWEST_STEP = 8;

    /** The step {@value #STEP_PROPERTY} names (8, the newest, when it names none); anything but 5 to 8 is refused. */
    public static int step() {
        return step(System.getProperty(STEP_PROPERTY));
    }

    /** The step {@code value} names: 5 to 8, as {@code 7} or {@code step7}; null or blank is the newest. */
    static int step(String value) {
        String named = value == null || value.isBlank() ? String.valueOf(NEWEST_STEP) : value.strip();
        return switch (named) {
            case "5", "step5" -> 5;
            case "6", "step6" -> 6;
            case "7", "step7" -> 7;
            case "8", "step8" -> 8;
            default -> throw new IllegalArgumentException(
                    "-D" + STEP_PROPERTY + " must be 5, 6, 7 or 8 (the steps that run behind HAProxy), got '" + named + "'");
        };
    }

    /** Whether step {@code step}'s nodes keep presence (who is in a room), so there is presence to judge. */
    public static boolean hasPresence(int step) {
        return step >= 8;
    }

    /** The module whose jar runs the nodes of {@code step}. */
    public static String nodeModule(int step) {
        return switch (step) {
            case 5 -> "step5-loadbalancer";
            case 6 -> "step6-hardening";
            case 7 -> "step7-performance";
            default -> "step8-presence";
        };
    }

    /**
     * {@code extra} after {@code base}, an option of {@code base} that {@code extra} names again left out with its
     * value: the nodes take each option once, and the extra one wins.
     */
    static List<String> withExtra(List<String> base, List<String> extra) {
        List<String> named = extra.stream().filter(ChaosSwarm::isOption).map(ChaosSwarm::optionName).toList();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            String arg = base.get(i);
            boolean hasValue = isOption(arg) && !arg.contains("=") && i + 1 < base.size() && !isOption(base.get(i + 1));
            if (isOption(arg) && named.contains(optionName(arg))) {
                if (hasValue) {
                    i++;
                }
                continue;
            }
            args.add(arg);
        }
        args.addAll(extra);
        return List.copyOf(args);
    }

    private static boolean isOption(String arg) {
        return arg.startsWith("--");
    }

    private static String optionName(String option) {
        int equals = option.indexOf('=');
        return equals < 0 ? option : option.substring(0, equals);
    }

    /** {@code --backfill,off} → {@code [--backfill, off]}. */
    static List<String> extraNodeArgs(String property) {
        if (property == null || property.isBlank()) {
            return List.of();
        }
        return Arrays.stream(property.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private void launch(int count) {
        swarm = Swarm.builder(ChatNodeProcess.jarOf(nodeModule(step()))).nodes(count)
                .balancing(Balancing.LEAST_CONNECTIONS).nodeArgs(nodeArgs)
                .links(this::proxy, LB, LB_HALF, LB_SLOW).start();
        awaitHealthy(READY_TIMEOUT);
        log.info("chaos swarm up: {} nodes {}, node options {}, clients enter at {} and {}", count,
                swarm.nodes().stream().map(ChatNodeProcess::toString).toList(), nodeArgs, entry(LB), entry(LB_HALF));
    }

    /** Creates the proxy {@code name} to {@code upstream} (replacing a stale one of that name); returns where it listens. */
    private String proxy(String name, String upstream) {
        try {
            Proxy stale = toxiproxy.getProxyOrNull(name);
            if (stale != null) {
                stale.delete();
            }
            Proxy proxy = toxiproxy.createProxy(name, Ports.LOOPBACK + ":0", upstream);
            proxies.put(name, proxy);
            return proxy.getListen();
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the proxy " + name + " to " + upstream, e);
        }
    }

    /** Waits until every node is alive, answers {@code /ready} with 200, and HAProxy has it in rotation. */
    public void awaitHealthy(Duration timeout) {
        await("every node ready and in rotation", timeout, this::healthy);
    }

    /** Every node is alive and ready, and HAProxy has every one of them up. */
    public boolean healthy() {
        try {
            return swarm.nodes().stream().allMatch(n -> n.isAlive() && n.isReady())
                    && swarm.haproxy().nodeStates().values().stream().allMatch(s -> s.equals("UP"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Why this swarm is not fit for another scenario, or empty when it is: every proxy enabled and free of toxics
     * (asked of Toxiproxy, not remembered), Redis running, every node alive, ready and in HAProxy's rotation, and no
     * client connection left on any node. Waits up to {@code within} for connections of a closed workload to go.
     */
    public Optional<String> unclean(Duration within) {
        for (String name : proxies.keySet()) {
            try {
                Proxy now = toxiproxy.getProxy(name);
                if (!now.isEnabled()) {
                    return Optional.of("proxy " + name + " is disabled");
                }
                if (!now.toxics().getAll().isEmpty()) {
                    return Optional.of("proxy " + name + " still has toxics " + now.toxics().getAll());
                }
            } catch (IOException e) {
                return Optional.of("Toxiproxy does not answer for " + name + ": " + e.getMessage());
            }
        }
        if (!redis().isRunning()) {
            return Optional.of(redis() + " is not running");
        }
        if (!healthy()) {
            return Optional.of("not every node is alive, ready and in rotation: " + safeStates());
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            List<String> busy = new ArrayList<>();
            for (ChatNodeProcess node : swarm.nodes()) {
                int connections = connections(node);
                if (connections != 0) {
                    busy.add(node.nodeId() + " has " + (connections < 0 ? "no answer for /health" : connections + " connections"));
                }
            }
            if (busy.isEmpty()) {
                return Optional.empty();
            }
            if (System.nanoTime() - deadline > 0) {
                return Optional.of(String.join(", ", busy));
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    private String safeStates() {
        try {
            return swarm.haproxy().nodeStates().toString();
        } catch (RuntimeException e) {
            return "HAProxy's stats do not answer: " + e.getMessage();
        }
    }

    /** The open WebSocket connections {@code /health} reports, or -1 when it does not answer. */
    private static int connections(ChatNodeProcess node) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(node.httpUri().resolve("health")).timeout(Duration.ofSeconds(3))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("\"connections\":(\\d+)").matcher(body);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Polls {@code condition} until it holds, or fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the chaos swarm waited " + timeout.toSeconds() + " s in vain for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    public static String commandProxy(int node) {
        return Swarm.commandLink(node);
    }

    public static String subscriptionProxy(int node) {
        return Swarm.subscriptionLink(node);
    }

    public RedisServer redis() {
        return swarm.redis();
    }

    public HaproxyServer haproxy() {
        return swarm.haproxy();
    }

    public List<ChatNodeProcess> nodes() {
        return swarm.nodes();
    }

    /** Node {@code oneBased} (node-1 is 1). */
    public ChatNodeProcess node(int oneBased) {
        return swarm.node(oneBased);
    }

    /** The options every node was started with, beyond its ports and Redis. */
    public List<String> nodeArgs() {
        return nodeArgs;
    }

    /** A proxy of this swarm, by name ({@link #LB}, {@link #commandProxy(int)}, …). */
    public Proxy proxy(String name) {
        Proxy proxy = proxies.get(name);
        if (proxy == null) {
            throw new IllegalArgumentException("no proxy " + name + " in " + proxies.keySet());
        }
        return proxy;
    }

    /** {@code ws://…/} of a client-side proxy: where clients that come in that way connect. */
    public URI entry(String proxyName) {
        return URI.create("ws://" + proxy(proxyName).getListen() + "/");
    }

    /** A counter or gauge of node {@code oneBased}'s {@code /metrics}, summed over its labels; 0 when absent. */
    public double metric(int oneBased, String name) {
        URI uri = node(oneBased).httpUri().resolve("metrics");
        String body;
        try {
            body = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + uri, e);
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(body);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    /** Stops HAProxy, every node and Redis, and deletes the proxies. */
    @Override
    public void close() {
        if (swarm != null) {
            swarm.close();
        }
        for (Map.Entry<String, Proxy> proxy : proxies.entrySet()) {
            try {
                proxy.getValue().delete();
            } catch (IOException e) {
                log.warn("could not delete the proxy {}: {}", proxy.getKey(), e.toString());
            }
        }
        proxies.clear();
    }
}
