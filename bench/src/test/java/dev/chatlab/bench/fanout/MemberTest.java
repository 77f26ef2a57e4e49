package dev.chatlab.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.Verdict;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A fan-out member's frames, fed by hand, judged by the checker as they arrive. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MemberTest {
    private final Checker checker = new Checker();

    /** A socket that only takes requests for more frames. */
    private static final WebSocket SOCKET = new WebSocket() {
        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }

        @Override
        public void abort() {
        }
    };

    private Member member(int senders) {
        String[] histories = new String[senders];
        for (int i = 0; i < senders; i++) {
            histories[i] = "sender-" + i;
        }
        Member member = new Member(5, "room-0", (frame, textAt, micros) -> { }, checker, histories);
        member.onText(SOCKET, "{\"type\":\"joined\",\"payload\":{\"roomId\":\"room-0\"}}", true);
        return member;
    }

    /** A message frame as the nodes write it; {@code seq} null as step 2 writes it. */
    private static void message(Member to, Long seq, int sender, long n) {
        String text = System.nanoTime() + "|" + sender + "|" + n + "|0";
        to.onText(SOCKET, "{\"type\":\"message\",\"payload\":{\"roomId\":\"room-0\"," + (seq == null ? "" : "\"seq\":" + seq + ",")
                + "\"from\":\"c" + sender + "\",\"message\":\"" + text + "\",\"sentAt\":1}}", true);
    }

    private void owe(int messages) {
        for (int i = 0; i < messages; i++) {
            checker.owe("room-0");
        }
    }

    @Test
    void a_member_owed_every_message_of_its_room_is_judged_by_seq() {
        Member bob = member(1);
        owe(4);
        message(bob, 1L, 0, 0);
        message(bob, 3L, 0, 2);
        message(bob, 2L, 0, 1);
        message(bob, 2L, 0, 1);
        Verdict verdict = checker.verdict();
        assertThat(verdict.expected()).isEqualTo(4);
        assertThat(verdict.delivered()).isEqualTo(4);
        assertThat(verdict.lost()).as("seq 4 never came").isEqualTo(1);
        assertThat(verdict.reordered()).isEqualTo(1);
        assertThat(verdict.repeatedSeqs()).isEqualTo(1);
    }

    @Test
    void without_seqs_each_senders_send_numbers_are_its_own_order_whatever_comes_between() {
        Member bob = member(2);
        owe(5);
        // Senders take turns: sender 0 sends 0, 2, 4; sender 1 sends 1, 3.
        message(bob, null, 1, 1);
        message(bob, null, 0, 0);
        message(bob, null, 0, 2);
        message(bob, null, 1, 3);
        message(bob, null, 0, 2);
        Verdict verdict = checker.verdict();
        assertThat(verdict.reordered()).isZero();
        assertThat(verdict.repeatedSeqs()).isEqualTo(1);
        assertThat(verdict.lost()).as("sender 0's third never came").isEqualTo(1);
    }

    @Test
    void typing_frames_are_counted_and_those_naming_the_member_itself_apart() {
        java.util.concurrent.atomic.LongAdder typings = new java.util.concurrent.atomic.LongAdder();
        Member bob = new Member(5, "room-0", "m5", (frame, textAt, micros) -> { }, checker, new String[] {"sender-0"}, typings);
        bob.onText(SOCKET, "{\"type\":\"joined\",\"payload\":{\"roomId\":\"room-0\",\"members\":[\"m0\",\"m5\"]}}", true);
        bob.onText(SOCKET, "{\"type\":\"typing\",\"payload\":{\"roomId\":\"room-0\",\"name\":\"m0\"}}", true);
        bob.onText(SOCKET, "{\"type\":\"presence\",\"payload\":{\"roomId\":\"room-0\",\"event\":\"join\",\"name\":\"m7\"}}", true);
        bob.onText(SOCKET, "{\"type\":\"typing\",\"payload\":{\"roomId\":\"room-0\",\"name\":\"m5\"}}", true);

        assertThat(typings.sum()).isEqualTo(2);
        assertThat(bob.ownTypings()).isEqualTo(1);
        assertThat(bob.errors()).isZero();
        assertThat(checker.verdict().delivered()).as("typing and presence are no messages").isZero();
    }

    @Test
    void a_member_joins_with_its_name_when_it_has_one() {
        assertThat(member(1).join()).isEqualTo("{\"type\":\"join\",\"payload\":{\"roomId\":\"room-0\"}}");
        assertThat(new Member(5, "room-0", "m5", (frame, textAt, micros) -> { }, checker, new String[0],
                new java.util.concurrent.atomic.LongAdder()).join())
                .isEqualTo("{\"type\":\"join\",\"payload\":{\"roomId\":\"room-0\",\"name\":\"m5\"}}");
        assertThat(Member.TYPING).isEqualTo("{\"type\":\"typing\",\"payload\":{}}");
    }

    @Test
    void error_frames_are_counted() {
        Member bob = member(1);
        bob.onText(SOCKET, "{\"type\":\"error\",\"payload\":{\"code\":\"rate_limited\"}}", true);
        assertThat(bob.errors()).isEqualTo(1);
    }
}
