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
 * in front of them. Clients connect to {@link #wsUri()}, which is HAProxy's.
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
        RedisServer redis = RedisServer.start();
        List<ChatNodeProcess> nodes = new ArrayList<>();
        ExecutorService starting = Executors.newFixedThreadPool(count);
        try {
            List<CompletableFuture<ChatNodeProcess>> futures = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String id = "node-" + i;
                futures.add(CompletableFuture.supplyAsync(() -> ChatNodeProcess.start(nodeJar, id, redis.uri(),
                        ChatNodeProcess.TEST_JVM, nodeArgs), starting));
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
            List<InetSocketAddress> addresses = nodes.stream()
                    .map(n -> new InetSocketAddress(Ports.LOOPBACK, n.port())).toList();
            HaproxyServer haproxy = HaproxyServer.start(balancing, addresses);
            return new Swarm(redis, nodes, haproxy);
        } catch (RuntimeException e) {
            nodes.forEach(ChatNodeProcess::close);
            redis.close();
            throw e;
        } finally {
            starting.shutdown();
        }
    }

    public RedisServer redis() {
        return redis;
    }

    public HaproxyServer haproxy() {
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
        return haproxy.wsUri();
    }

    public URI httpUri() {
        return haproxy.httpUri();
    }

    /** True when HAProxy has every node that is alive in rotation (its checks answered). */
    public boolean allNodesInRotation() {
        return haproxy.nodeStates().values().stream().allMatch(state -> state.startsWith("UP"));
    }

    @Override
    public void close() {
        haproxy.close();
        nodes.forEach(ChatNodeProcess::close);
        redis.close();
    }
}
