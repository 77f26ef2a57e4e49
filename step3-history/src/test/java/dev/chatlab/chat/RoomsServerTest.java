package dev.chatlab.chat;

import dev.chatlab.testkit.contracts.RoomsContract;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Step 2's contract, run against step 3's server: rooms behave as before, now with history. */
class RoomsServerTest extends RoomsContract {
    private static ChatServer server;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        server = ChatServer.start(ChatConfig.forTests(dir.resolve("chat.db")));
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
