package dev.chatlab.bench.crowd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.History;
import dev.chatlab.testkit.history.History.Member;
import dev.chatlab.testkit.history.History.Outcome;
import dev.chatlab.testkit.history.History.Receive;
import dev.chatlab.testkit.history.History.Recovery;
import dev.chatlab.testkit.history.History.Send;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Failover and storm's figures, read off the checker's verdict on a hand-written history. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IntegrityTest {

    private static Send acked(String id, long seq) {
        return new Send("c0", "room-0", id, seq * 10, Outcome.ACKED, seq);
    }

    private static Receive got(String who, long seq, String id) {
        return new Receive(who, "room-0", seq, "e1", id, seq * 10 + 5);
    }

    @Test
    void each_figure_keeps_what_failover_and_storm_have_always_printed() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3), acked("a4", 4),
                        new Send("c0", "room-0", "a5", 50, Outcome.UNKNOWN, null)),
                List.of(new Member("c1", "room-0", 0, 2), new Member("c2", "room-0", 0)),
                List.of(got("c1", 1, "a1"), got("c1", 1, "a1"), got("c1", 2, "a2"), got("c1", 3, "a3"), got("c1", 4, "a4"),
                        got("c1", 5, "a4"),
                        got("c2", 1, "a1"), got("c2", 2, "a2"), got("c2", 4, "a4")),
                List.of(new Recovery("c2", "room-0", 42)),
                List.of());
        Crowd.Integrity integrity = Crowd.Integrity.of(Checker.check(history));
        assertThat(integrity.sent()).isEqualTo(5);
        assertThat(integrity.acked()).isEqualTo(4);
        assertThat(integrity.unacked()).isEqualTo(1);
        assertThat(integrity.lost()).as("c2 never got a3, though it was told of a loss after it was sent").isEqualTo(1);
        assertThat(integrity.duplicated()).as("c1 got seq 1 twice, and its client dropped 2 itself").isEqualTo(3);
        assertThat(integrity.storedTwice()).as("a4 as seq 4 and 5").isEqualTo(1);
        assertThat(integrity.reordered()).isZero();
        assertThat(integrity.verdict()).startsWith("LOST MESSAGES: 1");
    }
}
