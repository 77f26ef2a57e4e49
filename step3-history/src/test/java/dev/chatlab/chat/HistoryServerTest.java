package dev.chatlab.chat;

import dev.chatlab.testkit.contracts.HistoryContract;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Step 3's own contract, run against step 3's server. */
class HistoryServerTest extends HistoryContract {
    @TempDir
    static Path dir;
    private static ChatServer server;

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

    @Override
    protected URI httpBase() {
        return server.httpUri();
    }
}
