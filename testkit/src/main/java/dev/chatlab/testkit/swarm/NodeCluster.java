package dev.chatlab.testkit.swarm;

import dev.chatlab.testkit.redis.RedisServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A real Redis and several chat nodes run in the test's own JVM on free loopback ports, for one test class or one
 * test. The testkit knows no step: a subclass in the step's (or the client's) tests says how one of that step's
 * nodes starts and where it takes WebSocket clients.
 *
 * @param <N> the step's server, e.g. step 4's {@code ChatServer}
 */
public class NodeCluster<N extends AutoCloseable> implements AutoCloseable {
    /** The Redis every node shares. */
    public final RedisServer redis;
    private final List<N> nodes = new ArrayList<>();
    private final Function<N, URI> wsUri;
    private final Set<Integer> stopped = new HashSet<>();

    /**
     * Starts Redis and {@code nodeCount} nodes named node-1, node-2, …, one after the other; if one fails to start,
     * what was started is stopped again.
     *
     * @param startNode starts a node from its id and Redis's URI, and returns once it serves
     * @param wsUri     where a node takes WebSocket clients
     */
    protected NodeCluster(int nodeCount, BiFunction<String, URI, N> startNode, Function<N, URI> wsUri) {
        this.redis = RedisServer.start();
        this.wsUri = wsUri;
        try {
            for (int i = 1; i <= nodeCount; i++) {
                nodes.add(startNode.apply("node-" + i, redis.uri()));
            }
        } catch (RuntimeException e) {
            stopAll();
            throw e;
        }
    }

    /** Node {@code oneBased} (node-1 is 1). */
    public final N node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    /** Where node {@code oneBased} takes WebSocket clients. */
    public final URI wsUri(int oneBased) {
        return wsUri.apply(node(oneBased));
    }

    /** The nodes in turn from node-1 for {@code index} 0, so consecutive clients land on different nodes. */
    public final URI wsUriInTurn(int index) {
        return wsUri(Math.floorMod(index, nodes.size()) + 1);
    }

    /** Stops one node, as a crash of its process would: its clients lose their connections. Again, it does nothing. */
    public final void stop(int oneBased) {
        if (stopped.add(oneBased)) {
            N node = node(oneBased);
            try {
                node.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop " + node, e);
            }
        }
    }

    /** Stops every node still running, then Redis. */
    @Override
    public final void close() {
        stopAll();
    }

    private void stopAll() {
        try {
            for (int i = 1; i <= nodes.size(); i++) {
                stop(i);
            }
        } finally {
            redis.close();
        }
    }
}
