package dev.chatlab.client;

import dev.chatlab.chat.ChatConfig;
import dev.chatlab.chat.ChatServer;
import dev.chatlab.testkit.swarm.NodeCluster;

/** A real Redis and several step 4 nodes on free loopback ports, for one test. */
final class Cluster extends NodeCluster<ChatServer> {
    private Cluster(int nodeCount) {
        super(nodeCount, (nodeId, redis) -> ChatServer.start(ChatConfig.forTests(nodeId, redis)), ChatServer::wsUri);
    }

    /** Starts Redis and {@code nodeCount} nodes named node-1, node-2, …. */
    static Cluster start(int nodeCount) {
        return new Cluster(nodeCount);
    }
}
