package dev.chatlab.chat;

import dev.chatlab.testkit.contracts.EchoContract;
import dev.chatlab.testkit.contracts.HistoryContract;
import dev.chatlab.testkit.contracts.RoomsContract;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Steps 1-4's contracts, run through HAProxy against three node processes: the swarm is still one chat. */
class ContractsThroughHaproxyIT {
    private static Swarm swarm;

    @BeforeAll
    static void start() {
        swarm = Swarm.start(ChatNodeProcess.jarOf("step8-presence"), 3, Balancing.LEAST_CONNECTIONS, List.of());
    }

    @AfterAll
    static void stop() {
        swarm.close();
    }

    @Nested
    class Echo extends EchoContract {
        @Override
        protected URI wsUri() {
            return swarm.wsUri();
        }

        @Test
        @Disabled("since step 2 the server speaks JSON: a plain-text frame is answered with an error frame (bad_json), not echoed")
        @Override
        public void the_reply_echoes_what_was_sent() {
        }
    }

    @Nested
    class Rooms extends RoomsContract {
        @Override
        protected URI wsUri() {
            return swarm.wsUri();
        }
    }

    @Nested
    class History extends HistoryContract {
        @Override
        protected URI wsUri() {
            return swarm.wsUri();
        }

        @Override
        protected URI httpBase() {
            return swarm.httpUri();
        }
    }
}
