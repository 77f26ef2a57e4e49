package dev.chatlab.chat;

import dev.chatlab.testkit.redis.RedisServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real Redis and several step 4 nodes on free loopback ports, for one test class or one test. */
final class Cluster implements AutoCloseable {
    final RedisServer redis;
    final List<ChatServer> nodes = new ArrayList<>();

    private Cluster(RedisServer redis) {
        this.redis = redis;
    }

    static Cluster start(int nodeCount) {
        return start(nodeCount, UnaryOperator.identity());
    }

    /** Starts Redis and {@code nodeCount} nodes named node-1, node-2, …, each config adjusted by {@code tune}. */
    static Cluster start(int nodeCount, UnaryOperator<ChatConfig> tune) {
        Cluster cluster = new Cluster(RedisServer.start());
        try {
            for (int i = 1; i <= nodeCount; i++) {
                cluster.nodes.add(ChatServer.start(tune.apply(ChatConfig.forTests("node-" + i, cluster.redis.uri()))));
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

    /** The nodes in turn, so consecutive clients land on different nodes. */
    URI wsUri(int index) {
        return nodes.get(Math.floorMod(index, nodes.size())).wsUri();
    }

    @Override
    public void close() {
        nodes.forEach(ChatServer::close);
        redis.close();
    }
}
