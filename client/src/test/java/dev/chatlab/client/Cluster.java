package dev.chatlab.client;

import dev.chatlab.chat.ChatConfig;
import dev.chatlab.chat.ChatServer;
import dev.chatlab.testkit.redis.RedisServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A real Redis and several step 4 nodes on free loopback ports, for one test. */
final class Cluster implements AutoCloseable {
    final RedisServer redis;
    private final List<ChatServer> nodes = new ArrayList<>();
    private final Set<Integer> stopped = new HashSet<>();

    private Cluster(RedisServer redis) {
        this.redis = redis;
    }

    /** Starts Redis and {@code nodeCount} nodes named node-1, node-2, …. */
    static Cluster start(int nodeCount) {
        Cluster cluster = new Cluster(RedisServer.start());
        try {
            for (int i = 1; i <= nodeCount; i++) {
                cluster.nodes.add(ChatServer.start(ChatConfig.forTests("node-" + i, cluster.redis.uri())));
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    ChatServer node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    URI wsUri(int oneBased) {
        return node(oneBased).wsUri();
    }

    /** Stops one node, as a crash of its process would: its clients lose their connections. */
    void stop(int oneBased) {
        if (stopped.add(oneBased)) {
            node(oneBased).close();
        }
    }

    @Override
    public void close() {
        for (int i = 1; i <= nodes.size(); i++) {
            stop(i);
        }
        redis.close();
    }
}
