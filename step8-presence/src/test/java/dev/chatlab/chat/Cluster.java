package dev.chatlab.chat;

import dev.chatlab.testkit.swarm.NodeCluster;
import java.util.function.UnaryOperator;

/** A real Redis and several nodes of this step on free loopback ports, for one test class or one test. */
final class Cluster extends NodeCluster<ChatServer> {
    private Cluster(int nodeCount, UnaryOperator<ChatConfig> tune) {
        super(nodeCount, (nodeId, redis) -> ChatServer.start(tune.apply(ChatConfig.forTests(nodeId, redis))),
                ChatServer::wsUri);
    }

    static Cluster start(int nodeCount) {
        return start(nodeCount, UnaryOperator.identity());
    }

    /** Starts Redis and {@code nodeCount} nodes named node-1, node-2, …, each config adjusted by {@code tune}. */
    static Cluster start(int nodeCount, UnaryOperator<ChatConfig> tune) {
        return new Cluster(nodeCount, tune);
    }
}
