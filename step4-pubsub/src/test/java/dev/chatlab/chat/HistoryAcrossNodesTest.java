package dev.chatlab.chat;

import dev.chatlab.testkit.contracts.HistoryContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Step 3's contract against three step 4 nodes: senders, joiners and the history API on different nodes. */
class HistoryAcrossNodesTest extends HistoryContract {
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.start(3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Override
    protected URI wsUri() {
        return cluster.wsUri(1);
    }

    @Override
    protected URI wsUri(int index) {
        return cluster.wsUriInTurn(index);
    }

    @Override
    protected URI httpBase() {
        return cluster.node(3).httpUri();
    }
}
