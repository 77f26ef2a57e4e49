package dev.chatlab.testkit.swarm;

import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.haproxy.HaproxyServer;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.redis.RedisServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * The whole step 5 system for one test: a real Redis, chat nodes as separate JVMs, and a real HAProxy
 * in front of them. Clients connect to {@link #wsUri()}, which is HAProxy's. {@link #builder} says how many nodes,
 * with which options, behind which balancing (or none), and whether links (Toxiproxy proxies, say) sit between them.
 */
public final class Swarm implements AutoCloseable {
    private final RedisServer redis;
    private final List<ChatNodeProcess> nodes;
    private final HaproxyServer haproxy;

    private Swarm(RedisServer redis, List<ChatNodeProcess> nodes, HaproxyServer haproxy) {
        this.redis = redis;
        this.nodes = nodes;
        this.haproxy = haproxy;
    }

    /** Starts Redis, {@code count} nodes named node-1 … node-N (started in parallel) and HAProxy over them. */
    public static Swarm start(Path nodeJar, int count, Balancing balancing, List<String> nodeArgs) {
        return builder(nodeJar).nodes(count).balancing(balancing).nodeArgs(nodeArgs).start();
    }

    /** A swarm of {@code nodeJar}'s nodes: 3 of them, {@link ChatNodeProcess#TEST_JVM}, HAProxy by least connections. */
    public static Builder builder(Path nodeJar) {
        return new Builder(nodeJar);
    }

    /**
     * Something put between two processes of the swarm, a Toxiproxy proxy for instance: opened under a name towards
     * an upstream {@code host:port}, it answers the {@code host:port} it listens on.
     */
    @FunctionalInterface
    public interface Links {
        String open(String name, String upstream);
    }

    /** The link node {@code oneBased} sends its Redis commands through: {@code redis-cmd-node-2}. */
    public static String commandLink(int oneBased) {
        return "redis-cmd-node-" + oneBased;
    }

    /** The link node {@code oneBased}'s Redis subscription goes through: {@code redis-sub-node-2}. */
    public static String subscriptionLink(int oneBased) {
        return "redis-sub-node-" + oneBased;
    }

    /** How to start a swarm; {@link #start()} starts it. */
    public static final class Builder {
        private final Path nodeJar;
        private int count = 3;
        private Balancing balancing = Balancing.LEAST_CONNECTIONS;
        private List<String> jvmArgs = ChatNodeProcess.TEST_JVM;
        private List<String> nodeArgs = List.of();
        private Links links;
        private List<String> entries = List.of();

        private Builder(Path nodeJar) {
            this.nodeJar = nodeJar;
        }

        /** How many nodes, named node-1 … node-N. */
        public Builder nodes(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a swarm has at least one node, got " + count);
            }
            this.count = count;
            return this;
        }

        /** HAProxy's configuration; null for no HAProxy: clients reach the nodes directly. */
        public Builder balancing(Balancing balancing) {
            this.balancing = balancing;
            return this;
        }

        /** Each node's JVM options (default {@link ChatNodeProcess#TEST_JVM}). */
        public Builder jvmArgs(List<String> jvmArgs) {
            this.jvmArgs = List.copyOf(jvmArgs);
            return this;
        }

        /** Each node's options beyond its ports, id and Redis (they come last, so they win). */
        public Builder nodeArgs(List<String> nodeArgs) {
            this.nodeArgs = List.copyOf(nodeArgs);
            return this;
        }

        /**
         * Puts links in the way: each node reaches Redis through two of its own, {@link #commandLink} for commands
         * and {@link #subscriptionLink} for its subscription ({@code --redis-subscriber}), and one link per name of
         * {@code entries} leads to HAProxy, for clients to come in by.
         */
        public Builder links(Links links, String... entries) {
            this.links = links;
            this.entries = List.of(entries);
            return this;
        }

        /** Starts Redis, the nodes in parallel, then HAProxy over them (and the links); on a failure, stops them again. */
        public Swarm start() {
            if (balancing == null && !entries.isEmpty()) {
                throw new IllegalStateException("entry links lead to HAProxy, and this swarm has none");
            }
            RedisServer redis = RedisServer.start();
            List<ChatNodeProcess> nodes = new ArrayList<>();
            ExecutorService starting = Executors.newFixedThreadPool(count);
            try {
                String redisAddress = redis.host() + ":" + redis.port();
                List<CompletableFuture<ChatNodeProcess>> futures = new ArrayList<>();
                for (int i = 1; i <= count; i++) {
                    String id = "node-" + i;
                    URI commands = redis.uri();
                    List<String> args = new ArrayList<>();
                    if (links != null) {
                        commands = URI.create("redis://" + links.open(commandLink(i), redisAddress));
                        args.addAll(List.of("--redis-subscriber", "redis://" + links.open(subscriptionLink(i), redisAddress)));
                    }
                    args.addAll(nodeArgs);
                    URI redisUri = commands;
                    futures.add(CompletableFuture.supplyAsync(
                            () -> ChatNodeProcess.start(nodeJar, id, redisUri, jvmArgs, args), starting));
                }
                RuntimeException failure = null;
                for (CompletableFuture<ChatNodeProcess> future : futures) {
                    try {
                        nodes.add(future.join());
                    } catch (RuntimeException e) {
                        failure = failure == null ? e : failure;
                    }
                }
                if (failure != null) {
                    throw failure;
                }
                HaproxyServer haproxy = null;
                if (balancing != null) {
                    haproxy = HaproxyServer.start(balancing,
                            nodes.stream().map(n -> new InetSocketAddress(Ports.LOOPBACK, n.port())).toList());
                    try {
                        for (String entry : entries) {
                            links.open(entry, haproxy.host() + ":" + haproxy.port());
                        }
                    } catch (RuntimeException e) {
                        haproxy.close();
                        throw e;
                    }
                }
                return new Swarm(redis, nodes, haproxy);
            } catch (RuntimeException e) {
                nodes.parallelStream().forEach(ChatNodeProcess::close);
                redis.close();
                throw e;
            } finally {
                starting.shutdown();
            }
        }
    }

    public RedisServer redis() {
        return redis;
    }

    /** The HAProxy in front of the nodes; a swarm built without balancing has none. */
    public HaproxyServer haproxy() {
        if (haproxy == null) {
            throw new IllegalStateException("this swarm has no HAProxy: clients reach its nodes directly");
        }
        return haproxy;
    }

    public List<ChatNodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** Node {@code oneBased} (node-1 is 1). */
    public ChatNodeProcess node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    public ChatNodeProcess node(String nodeId) {
        return nodes.stream().filter(n -> n.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + nodeId + " in " + nodes));
    }

    /** Where clients connect: HAProxy. */
    public URI wsUri() {
        return haproxy().wsUri();
    }

    public URI httpUri() {
        return haproxy().httpUri();
    }

    /** True when HAProxy has every node that is alive in rotation (its checks answered). */
    public boolean allNodesInRotation() {
        return haproxy().nodeStates().values().stream().allMatch(state -> state.startsWith("UP"));
    }

    /** Stops HAProxy, every node (SIGKILL, in parallel) and Redis. */
    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.close();
        }
        nodes.parallelStream().forEach(ChatNodeProcess::close);
        redis.close();
    }
}
