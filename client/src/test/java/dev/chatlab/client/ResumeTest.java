package dev.chatlab.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The resume decisions, fed the server's frames as they come off the wire. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResumeTest {
    private static final String ROOM = "lobby";

    /** The payload of a server frame of {@code type}, written as on the wire. */
    private static JsonNode payload(String type, String frame) {
        JsonNode root = Protocol.parse(frame);
        assertThat(root).as("a JSON object: %s", frame).isNotNull();
        assertThat(root.path("type").asText()).isEqualTo(type);
        return root.path("payload");
    }

    private static Resume.Joined joined(Resume resume, String frame) {
        Optional<Resume.Joined> joined = resume.joined(payload("joined", frame));
        assertThat(joined).as("a joined for " + ROOM).isPresent();
        return joined.get();
    }

    private static String joinedFrame(long seq, String epoch, boolean recovered) {
        return """
                {"type":"joined","payload":{"roomId":"lobby","seq":%d,"epoch":"%s","recovered":%s,"node":"node-1"}}
                """.formatted(seq, epoch, recovered);
    }

    private static String messageFrame(long seq, String epoch) {
        return """
                {"type":"message","payload":{"roomId":"lobby","seq":%d,"epoch":"%s","from":"ada","message":"m%d",
                 "sentAt":1700000000000}}
                """.formatted(seq, epoch, seq);
    }

    private static Resume.Decision message(Resume resume, long seq, String epoch) {
        return resume.message(payload("message", messageFrame(seq, epoch)));
    }

    /** A client that joined without since, at {@code head} of history e1. */
    private static Resume joinedAt(long head) {
        Resume resume = new Resume(ROOM, null, null);
        assertThat(joined(resume, joinedFrame(head, "e1", true)).lossless()).isTrue();
        return resume;
    }

    /** The actions taken on messages {@code seqs} of {@code epoch}, in turn. */
    private static List<Resume.Action> messages(Resume resume, String epoch, long... seqs) {
        return Arrays.stream(seqs).mapToObj(seq -> message(resume, seq, epoch).action()).toList();
    }

    @Test
    void the_first_join_without_since_starts_at_the_rooms_head_and_delivers_what_follows_in_order() {
        Resume resume = new Resume(ROOM, null, null);
        assertThat(resume.since()).as("the first join leaves since out").isNull();
        assertThat(resume.epoch()).isNull();
        assertThat(resume.lastSeq()).isZero();

        Resume.Joined joined = joined(resume, joinedFrame(5, "e1", true));
        assertThat(joined.lossless()).isTrue();
        assertThat(joined.head()).isEqualTo(5);
        assertThat(resume.since()).isEqualTo(5);
        assertThat(resume.epoch()).isEqualTo("e1");

        Resume.Decision sixth = message(resume, 6, "e1");
        assertThat(sixth.action()).isEqualTo(Resume.Action.DELIVER);
        assertThat(sixth.message().seq()).isEqualTo(6);
        assertThat(sixth.message().text()).isEqualTo("m6");
        assertThat(messages(resume, "e1", 7, 8)).containsExactly(Resume.Action.DELIVER, Resume.Action.DELIVER);
        assertThat(resume.lastSeq()).isEqualTo(8);
    }

    @Test
    void a_seq_delivered_already_is_dropped_as_a_duplicate_and_the_cursor_stays() {
        Resume resume = joinedAt(3);

        Resume.Decision again = message(resume, 3, "e1");
        assertThat(again.action()).isEqualTo(Resume.Action.DUPLICATE);
        assertThat(again.expected()).isEqualTo(4);
        assertThat(messages(resume, "e1", 1, 4, 4)).containsExactly(Resume.Action.DUPLICATE, Resume.Action.DELIVER,
                Resume.Action.DUPLICATE);
        assertThat(resume.lastSeq()).isEqualTo(4);
    }

    @Test
    void an_unannounced_jump_is_a_gap_nothing_past_it_is_delivered_and_the_rejoin_fills_it() {
        Resume resume = joinedAt(0);
        assertThat(message(resume, 1, "e1").action()).isEqualTo(Resume.Action.DELIVER);

        Resume.Decision jump = message(resume, 3, "e1");
        assertThat(jump.action()).isEqualTo(Resume.Action.GAP);
        assertThat(jump.expected()).isEqualTo(2);
        assertThat(jump.message().seq()).isEqualTo(3);
        assertThat(resume.since()).as("the rejoin asks for everything after 1").isEqualTo(1);
        assertThat(message(resume, 4, "e1").action()).as("still nothing past the hole").isEqualTo(Resume.Action.GAP);

        assertThat(joined(resume, joinedFrame(3, "e1", true)).lossless()).isTrue();
        assertThat(messages(resume, "e1", 1, 2, 3)).containsExactly(Resume.Action.DUPLICATE, Resume.Action.DELIVER,
                Resume.Action.DELIVER);
        assertThat(resume.lastSeq()).isEqualTo(3);
    }

    @Test
    void a_resume_from_a_given_point_keeps_it_rather_than_the_head_and_replays_from_there() {
        Resume resume = new Resume(ROOM, 7L, "e1");
        assertThat(resume.since()).isEqualTo(7);
        assertThat(resume.epoch()).isEqualTo("e1");
        assertThat(resume.lastSeq()).isEqualTo(7);

        assertThat(joined(resume, joinedFrame(9, "e1", true)).lossless()).isTrue();
        assertThat(resume.since()).isEqualTo(7);
        assertThat(messages(resume, "e1", 8, 9)).containsExactly(Resume.Action.DELIVER, Resume.Action.DELIVER);
    }

    @Test
    void a_joined_with_recovered_false_is_reported_and_the_jump_it_announces_is_accepted_once() {
        Resume resume = new Resume(ROOM, 5L, "e1");

        Resume.Joined joined = joined(resume, joinedFrame(20, "e1", false));
        assertThat(joined.recovered()).isFalse();
        assertThat(joined.epochChanged()).isFalse();
        assertThat(joined.lossless()).as("reported to the listener").isFalse();
        assertThat(joined.oldEpoch()).isEqualTo("e1");
        assertThat(joined.newEpoch()).isEqualTo("e1");
        assertThat(resume.since()).as("the cursor does not move to the head").isEqualTo(5);

        assertThat(messages(resume, "e1", 15, 16, 18)).containsExactly(Resume.Action.DELIVER, Resume.Action.DELIVER,
                Resume.Action.GAP);
    }

    @Test
    void a_joined_with_recovered_false_and_a_head_behind_the_cursor_starts_the_cursor_again() {
        Resume resume = new Resume(ROOM, 10L, "e1");

        Resume.Joined joined = joined(resume, joinedFrame(3, "e1", false));
        assertThat(joined.lossless()).isFalse();
        assertThat(resume.lastSeq()).isZero();
        assertThat(messages(resume, "e1", 2, 3)).as("the first one may jump: it was announced")
                .containsExactly(Resume.Action.DELIVER, Resume.Action.DELIVER);
    }

    @Test
    void a_new_epoch_is_reported_and_the_new_historys_seqs_are_delivered_from_the_start() {
        Resume resume = joinedAt(40);
        assertThat(messages(resume, "e1", 41)).containsExactly(Resume.Action.DELIVER);

        Resume.Joined joined = joined(resume, joinedFrame(2, "e2", true));
        assertThat(joined.epochChanged()).isTrue();
        assertThat(joined.recovered()).isTrue();
        assertThat(joined.lossless()).as("reported to the listener").isFalse();
        assertThat(joined.oldEpoch()).isEqualTo("e1");
        assertThat(joined.newEpoch()).isEqualTo("e2");
        assertThat(resume.epoch()).isEqualTo("e2");
        assertThat(resume.lastSeq()).isZero();

        assertThat(messages(resume, "e2", 1, 2)).as("not dropped as duplicates of 41")
                .containsExactly(Resume.Action.DELIVER, Resume.Action.DELIVER);
        assertThat(resume.lastSeq()).isEqualTo(2);
    }

    @Test
    void a_message_of_another_history_asks_for_a_rejoin_and_leaves_the_cursor() {
        Resume resume = joinedAt(5);

        Resume.Decision other = message(resume, 6, "e2");
        assertThat(other.action()).isEqualTo(Resume.Action.OTHER_HISTORY);
        assertThat(other.message().epoch()).isEqualTo("e2");
        assertThat(resume.since()).isEqualTo(5);
        assertThat(resume.epoch()).isEqualTo("e1");
    }

    @Test
    void a_joined_for_another_room_changes_nothing() {
        Resume resume = new Resume(ROOM, 4L, "e1");

        Optional<Resume.Joined> joined = resume.joined(payload("joined",
                "{\"type\":\"joined\",\"payload\":{\"roomId\":\"elsewhere\",\"seq\":0,\"epoch\":\"e9\",\"recovered\":false}}"));
        assertThat(joined).isEmpty();
        assertThat(resume.since()).isEqualTo(4);
        assertThat(resume.epoch()).isEqualTo("e1");
    }

    @Test
    void a_server_without_seqs_or_epochs_gets_every_message_delivered_and_the_epoch_kept() {
        Resume resume = new Resume(ROOM, null, "e1");

        Resume.Joined joined = joined(resume, "{\"type\":\"joined\",\"payload\":{\"roomId\":\"lobby\"}}");
        assertThat(joined.lossless()).as("recovered is taken as true when left out").isTrue();
        assertThat(joined.epochChanged()).isFalse();
        assertThat(resume.epoch()).isEqualTo("e1");
        assertThat(resume.lastSeq()).isZero();

        JsonNode noSeq = payload("message", "{\"type\":\"message\",\"payload\":{\"roomId\":\"lobby\",\"message\":\"hi\"}}");
        Resume.Decision first = resume.message(noSeq);
        Resume.Decision second = resume.message(noSeq);
        assertThat(List.of(first.action(), second.action())).containsExactly(Resume.Action.DELIVER, Resume.Action.DELIVER);
        assertThat(first.message().seq()).isEqualTo(-1);
        assertThat(resume.lastSeq()).isZero();
    }
}
