package dev.chatlab.chat;

import dev.chatlab.testkit.contracts.RoomsContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Step 2's contract against three step 4 nodes: clients of one test are spread over all of them. */
class RoomsAcrossNodesTest extends RoomsContract {
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
}
