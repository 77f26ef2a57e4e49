package dev.chatlab.chat;

import dev.chatlab.testkit.contracts.RoomsContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Step 2's own contract, run against step 2's server. */
class RoomsServerTest extends RoomsContract {
    private static ChatServer server;

    @BeforeAll
    static void start() {
        server = ChatServer.start(ChatConfig.forTests());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected URI wsUri() {
        return server.wsUri();
    }
}
