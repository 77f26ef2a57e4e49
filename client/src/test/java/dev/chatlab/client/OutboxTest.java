package dev.chatlab.client;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The send decisions, fed what the server says about each send ({@code ack}, {@code error} with its
 * code) and the moments the client's timers fire. Connections are numbered from 1.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OutboxTest {
    private static final long FIRST = 1;
    private static final long SECOND = 2;
    /** A {@link System#nanoTime()} reading; any value will do, as only differences count. */
    private static final long T0 = -7_000_000_000L;
    private static final Duration BASE = ofMillis(100);

    /** Retry delays equal to their ceiling: 100 ms, 200 ms, 400 ms, … up to 1 s. */
    private static Outbox outbox(Duration sendTimeout) {
        return new Outbox(sendTimeout, new Backoff(BASE, ofSeconds(1), ofSeconds(1), BackoffTest.HIGHEST));
    }

    /** An outbox without a send timeout, holding {@code s} sent on the first connection. */
    private static Outbox holding(Sending s) {
        Outbox outbox = outbox(Duration.ZERO);
        assertThat(outbox.add(s, T0, FIRST)).containsExactly(s);
        return outbox;
    }

    /** The server refuses c-1 with {@code code}; the outbox is to decide {@code expected}. */
    private static Outbox.Refused refuse(Outbox outbox, String code, Outbox.Refusal expected) {
        Outbox.Refused refused = outbox.error("c-1", code, "scripted " + code);
        assertThat(refused.refusal()).isEqualTo(expected);
        return refused;
    }

    private static Sending sending(String id) {
        return new Sending(id, "text of " + id);
    }

    private static long at(Duration sinceT0) {
        return T0 + sinceT0.toNanos();
    }

    /** What the listener heard, one line per event. */
    private static final class Heard implements ClientListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void acked(String clientMsgId, long seq) {
            events.add("acked " + clientMsgId + " " + seq);
        }

        @Override
        public void sendFailed(String clientMsgId, String reason) {
            events.add("failed " + clientMsgId + ": " + reason);
        }

        @Override
        public void sendUnknown(String clientMsgId, String reason) {
            events.add("unknown " + clientMsgId + ": " + reason);
        }
    }

    /** Reports and completes each ending as the client does, and returns what the listener heard. */
    private static List<String> end(List<? extends Outbox.Ending> endings) {
        Heard heard = new Heard();
        for (Outbox.Ending ending : endings) {
            ending.report(heard);
            ending.complete();
        }
        return heard.events;
    }

    @Test
    void a_send_made_in_the_room_goes_out_at_once_and_one_made_away_after_the_next_joined() {
        Outbox outbox = outbox(Duration.ZERO);
        Sending now = sending("c-1");
        Sending later = sending("c-2");

        assertThat(outbox.add(now, T0, FIRST)).containsExactly(now);
        assertThat(outbox.add(later, T0, Outbox.NOWHERE)).isEmpty();
        assertThat(outbox.size()).isEqualTo(2);
        assertThat(outbox.due(SECOND)).as("in the order they were made").containsExactly(now, later);
        assertThat(outbox.due(SECOND)).as("once per connection").isEmpty();
    }

    @Test
    void an_ack_completes_its_send_with_the_seq() {
        Sending s = sending("c-1");
        Outbox outbox = holding(s);

        Optional<Outbox.Acked> acked = outbox.ack("c-1", 42);
        assertThat(acked).hasValueSatisfying(a -> assertThat(a.late()).isFalse());
        assertThat(end(List.of(acked.get()))).containsExactly("acked c-1 42");
        assertThat(s).isCompletedWithValue(42L);
        assertThat(outbox.size()).isZero();
    }

    @Test
    void an_ack_for_no_waiting_send_is_ignored() {
        Sending s = sending("c-1");
        Outbox outbox = holding(s);

        assertThat(outbox.ack("someone-else-1", 3)).isEmpty();
        assertThat(outbox.ack(null, 3)).isEmpty();
        assertThat(outbox.size()).isEqualTo(1);
        assertThat(s).isNotDone();

        assertThat(outbox.ack("c-1", 4)).isPresent();
        assertThat(outbox.ack("c-1", 4)).as("the second ack of a send that went out twice").isEmpty();
    }

    @Test
    void after_a_reconnect_the_unacked_sends_go_out_again_in_their_order_with_their_ids() {
        Outbox outbox = outbox(Duration.ZERO);
        Sending one = sending("c-1");
        Sending two = sending("c-2");
        Sending three = sending("c-3");
        for (Sending s : List.of(one, two, three)) {
            assertThat(outbox.add(s, T0, FIRST)).containsExactly(s);
        }
        outbox.ack("c-2", 8);

        assertThat(outbox.due(FIRST)).as("a resync on the same connection sends nothing twice").isEmpty();
        assertThat(outbox.due(SECOND)).containsExactly(one, three);
        assertThat(outbox.size()).isEqualTo(2);
    }

    @Test
    void a_send_refused_as_unavailable_or_rate_limited_waits_for_one_retry_and_newer_sends_queue_behind_it() {
        Outbox outbox = outbox(Duration.ZERO);
        Sending one = sending("c-1");
        Sending two = sending("c-2");
        outbox.add(one, T0, FIRST);
        outbox.add(two, T0, FIRST);

        assertThat(refuse(outbox, "unavailable", Outbox.Refusal.RETRY).retryIn()).isEqualTo(BASE);
        Outbox.Refused second = outbox.error("c-2", "rate_limited", "slow down");
        assertThat(second.refusal()).isEqualTo(Outbox.Refusal.RETRY);
        assertThat(second.retryIn()).as("the retry scheduled already takes it").isNull();

        Sending three = sending("c-3");
        assertThat(outbox.add(three, T0, FIRST)).as("not ahead of the two waiting").isEmpty();
        assertThat(outbox.retry(FIRST)).containsExactly(one, two, three);
        assertThat(outbox.size()).isEqualTo(3);

        assertThat(outbox.error("c-1", "unavailable", "redis down").retryIn()).as("the backoff grows")
                .isEqualTo(ofMillis(200));
        outbox.retry(FIRST);
        outbox.ack("c-1", 1);
        assertThat(outbox.error("c-2", "unavailable", "redis down").retryIn()).as("an ack starts it again")
                .isEqualTo(BASE);
    }

    @Test
    void a_retry_due_while_the_client_is_away_sends_nothing_and_the_next_joined_does() {
        Sending s = sending("c-1");
        Outbox outbox = holding(s);
        outbox.error("c-1", "unavailable", "redis down");

        assertThat(outbox.retry(Outbox.NOWHERE)).isEmpty();
        assertThat(outbox.add(sending("c-2"), T0, FIRST)).as("no retry is waiting any more").hasSize(1);
        assertThat(outbox.due(SECOND)).extracting(Sending::clientMsgId).containsExactly("c-1", "c-2");
    }

    @Test
    void a_send_refused_as_not_joined_asks_for_a_rejoin_and_goes_out_again_after_it() {
        Sending s = sending("c-1");
        Outbox outbox = holding(s);

        refuse(outbox, "not_joined", Outbox.Refusal.REJOIN);
        assertThat(outbox.due(FIRST)).as("the joined that answers the rejoin").containsExactly(s);
    }

    @Test
    void a_send_refused_for_good_fails_with_the_servers_code_and_is_not_sent_again() {
        Sending s = sending("c-1");
        Outbox outbox = holding(s);

        Outbox.Refused refused = refuse(outbox, "bad_payload", Outbox.Refusal.FAILED);
        assertThat(end(List.of(refused.failed()))).containsExactly("failed c-1: bad_payload: scripted bad_payload");
        assertThatThrownBy(s::join).cause().isInstanceOfSatisfying(SendFailedException.class, e -> {
            assertThat(e.code()).isEqualTo("bad_payload");
            assertThat(e.clientMsgId()).isEqualTo("c-1");
        });
        assertThat(outbox.size()).isZero();
        assertThat(outbox.due(SECOND)).isEmpty();
        refuse(outbox, "bad_payload", Outbox.Refusal.NOT_WAITING);
    }

    @Test
    void a_send_not_acked_within_the_send_timeout_becomes_unknown_and_a_late_ack_is_still_reported_once() {
        Outbox outbox = outbox(ofSeconds(5));
        Sending early = sending("c-1");
        Sending later = sending("c-2");
        outbox.add(early, at(Duration.ZERO), FIRST);
        outbox.add(later, at(ofSeconds(2)), FIRST);
        assertThat(outbox.nextDeadline()).hasValue(at(ofSeconds(5)));

        assertThat(outbox.expire(at(ofMillis(4999)))).isEmpty();
        List<Outbox.Unknown> expired = outbox.expire(at(ofSeconds(5)));
        assertThat(expired).extracting(Outbox.Unknown::clientMsgId).containsExactly("c-1");
        assertThat(end(expired)).containsExactly("unknown c-1: no ack within 5000 ms");
        assertThatThrownBy(early::join).hasCauseInstanceOf(SendUnknownException.class);
        assertThat(outbox.size()).isEqualTo(1);
        assertThat(outbox.nextDeadline()).hasValue(at(ofSeconds(7)));
        assertThat(outbox.due(SECOND)).as("given up on: not sent again").containsExactly(later);

        Optional<Outbox.Acked> late = outbox.ack("c-1", 9);
        assertThat(late).hasValueSatisfying(a -> assertThat(a.late()).isTrue());
        assertThat(end(List.of(late.get()))).containsExactly("acked c-1 9");
        assertThat(outbox.ack("c-1", 9)).isEmpty();
    }

    @Test
    void without_a_send_timeout_a_send_waits_for_ever() {
        Sending s = sending("c-1");
        Outbox outbox = holding(s);

        assertThat(outbox.nextDeadline()).isEmpty();
        assertThat(outbox.expire(at(Duration.ofDays(365)))).isEmpty();
        assertThat(s).isNotDone();
    }

    @Test
    void closing_fails_the_sends_that_never_went_out_and_leaves_the_others_unknown() {
        Outbox outbox = outbox(ofSeconds(5));
        Sending sent = sending("c-1");
        Sending neverSent = sending("c-2");
        outbox.add(sent, T0, FIRST);
        outbox.add(neverSent, T0, Outbox.NOWHERE);

        assertThat(end(outbox.close("closed by the application"))).containsExactly(
                "unknown c-1: closed by the application", "failed c-2: closed: never sent");
        assertThatThrownBy(sent::join).hasCauseInstanceOf(SendUnknownException.class);
        assertThatThrownBy(neverSent::join).cause().isInstanceOfSatisfying(SendFailedException.class,
                e -> assertThat(e.code()).isEqualTo("closed"));
        assertThat(outbox.size()).isZero();
        assertThat(outbox.nextDeadline()).isEmpty();
    }
}
