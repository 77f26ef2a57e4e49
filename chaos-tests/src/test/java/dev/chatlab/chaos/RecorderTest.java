package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.chaos.Recorded.Gap;
import dev.chatlab.chaos.Recorded.Member;
import dev.chatlab.chaos.Recorded.Reconnect;
import dev.chatlab.client.ChatMessage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** How a recorder turns a client's events into history, fed by hand as the client would call it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RecorderTest {
    private final RunClock clock = new RunClock();
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Recorder bob = new Recorder("bob", "r", clock);

    RecorderTest() {
        bob.watch(lastSeq::get, duplicates::get);
    }

    private static ChatMessage message(long seq, String id, long sentAt) {
        return new ChatMessage("r", seq, "e1", "alice", "hi", id, sentAt);
    }

    @Test
    void before_its_first_join_a_client_is_no_member_and_expects_nothing() {
        bob.disconnected(-1, "refused", false);
        assertThat(bob.member()).isEmpty();
        assertThat(bob.joined()).isFalse();
        assertThat(bob.reconnects()).as("an attempt that never got in is no outage").isEmpty();
    }

    @Test
    void the_first_join_fixes_the_seq_it_expects_everything_after() {
        lastSeq.set(41);
        bob.connected("node-1");
        lastSeq.set(57);
        duplicates.set(3);
        assertThat(bob.member()).contains(new Member("bob", "r", 41, 3));
        assertThat(bob.inRoom()).isTrue();
    }

    @Test
    void an_outage_runs_from_the_first_disconnect_to_the_next_join_through_failed_attempts() throws Exception {
        bob.connected("node-1");
        bob.disconnected(1006, "gone", true);
        long down = bob.closes().get(0).at();
        bob.disconnected(-1, "refused", false);
        bob.disconnected(-1, "refused", false);
        assertThat(bob.inRoom()).isFalse();
        bob.connected("node-2");
        assertThat(bob.reconnects()).hasSize(1);
        Reconnect reconnect = bob.reconnects().get(0);
        assertThat(reconnect.disconnectedAt()).isEqualTo(down);
        assertThat(reconnect.millis()).isNotNegative();
        assertThat(bob.joins()).extracting(Recorder.Joined::node).containsExactly("node-1", "node-2");
        assertThat(bob.closes()).extracting(Recorder.Closed::code).containsExactly(1006, -1, -1);
    }

    @Test
    void closing_on_purpose_is_not_an_outage() {
        bob.connected("node-1");
        bob.leaving();
        bob.disconnected(1001, "closed by the application", false);
        assertThat(bob.closes()).isEmpty();
        assertThat(bob.inRoom()).isTrue();
    }

    @Test
    void messages_are_kept_in_order_and_tell_whether_live_traffic_arrives() {
        bob.connected("node-1");
        bob.message(message(1, "a-1", 1_000));
        bob.message(message(2, "a-2", 5_000));
        assertThat(bob.receives()).extracting(Recorded.Receive::seq).containsExactly(1L, 2L);
        assertThat(bob.receives().get(0).clientMsgId()).isEqualTo("a-1");
        assertThat(bob.delivered()).isEqualTo(2);
        assertThat(bob.receivingSince(5_000)).isTrue();
        assertThat(bob.receivingSince(5_001)).isFalse();
        assertThat(bob.firstReceivedOfSince(2_000)).contains(bob.receives().get(1).at());
        assertThat(bob.firstReceivedOfSince(9_000)).isEmpty();
    }

    @Test
    void gaps_the_client_caught_and_recoveries_it_was_told_of_are_kept() {
        bob.connected("node-1");
        bob.gapDetected(5, 9);
        bob.recovery(false, "e1", "e1");
        assertThat(bob.gaps()).extracting(Gap::expected, Gap::got).containsExactly(org.assertj.core.groups.Tuple.tuple(5L, 9L));
        assertThat(bob.recoveries()).hasSize(1);
    }
}
