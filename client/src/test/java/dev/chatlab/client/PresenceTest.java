package dev.chatlab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The members view and the typing account, fed the server's frames as they come off the wire. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PresenceTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    /** Any start: the clock's origin means nothing, and it may be negative. */
    private static final long T0 = -5 * SECOND;

    private final Presence presence = new Presence("lobby");

    /** The payload of a server frame of {@code type}, written as on the wire. */
    private static JsonNode payload(String type, String frame) {
        JsonNode root = Protocol.parse(frame);
        assertThat(root).as("a JSON object: %s", frame).isNotNull();
        assertThat(root.path("type").asText()).isEqualTo(type);
        return root.path("payload");
    }

    private Optional<SortedSet<String>> joined(String frame) {
        return presence.joined(payload("joined", frame));
    }

    private Optional<SortedSet<String>> event(String frame) {
        return presence.presence(payload("presence", frame));
    }

    private Optional<String> typing(String frame, long at) {
        return presence.typing(payload("typing", frame), at);
    }

    private static String joinedWith(String members) {
        return """
                {"type":"joined","payload":{"roomId":"lobby","seq":0,"epoch":"e1","recovered":true,"node":"node-1",
                 "members":%s}}""".formatted(members);
    }

    private static String presence(String event, String name) {
        return """
                {"type":"presence","payload":{"roomId":"lobby","event":"%s","name":"%s"}}""".formatted(event, name);
    }

    private static String typingOf(String name) {
        return """
                {"type":"typing","payload":{"roomId":"lobby","name":"%s"}}""".formatted(name);
    }

    private void inTheRoom(String members) {
        assertThat(joined(joinedWith(members))).isPresent();
    }

    @Test
    void the_view_is_empty_before_the_first_joined() {
        assertThat(presence.members()).isEmpty();
    }

    @Test
    void a_joined_with_members_replaces_the_view_sorted_and_immutable() {
        assertThat(joined(joinedWith("[\"carol\",\"ada\",\"bob\"]"))).hasValueSatisfying(
                view -> assertThat(view).containsExactly("ada", "bob", "carol"));
        assertThat(presence.members()).containsExactly("ada", "bob", "carol");
        assertThatThrownBy(() -> presence.members().add("eve")).isInstanceOf(UnsupportedOperationException.class);

        assertThat(joined(joinedWith("[\"ada\",\"dan\"]"))).hasValueSatisfying(
                view -> assertThat(view).containsExactly("ada", "dan"));
        assertThat(presence.members()).containsExactly("ada", "dan");
    }

    @Test
    void a_joined_without_members_keeps_the_view() {
        inTheRoom("[\"ada\",\"bob\"]");
        // The joined a node sends when the room's history was replaced carries no members.
        assertThat(joined("""
                {"type":"joined","payload":{"roomId":"lobby","seq":0,"epoch":"e2","recovered":false,"node":"node-1"}}
                """)).isEmpty();
        assertThat(presence.members()).containsExactly("ada", "bob");
    }

    @Test
    void a_joined_with_the_same_members_reports_no_change() {
        inTheRoom("[\"ada\",\"bob\"]");
        assertThat(joined(joinedWith("[\"bob\",\"ada\"]"))).isEmpty();
        assertThat(presence.members()).containsExactly("ada", "bob");
    }

    @Test
    void join_adds_a_name_and_leave_removes_it() {
        inTheRoom("[\"ada\"]");
        assertThat(event(presence("join", "bob"))).hasValueSatisfying(view -> assertThat(view).containsExactly("ada", "bob"));
        assertThat(event(presence("join", "aaron"))).hasValueSatisfying(
                view -> assertThat(view).containsExactly("aaron", "ada", "bob"));
        assertThat(event(presence("leave", "ada"))).hasValueSatisfying(
                view -> assertThat(view).containsExactly("aaron", "bob"));
        assertThat(presence.members()).containsExactly("aaron", "bob");
    }

    @Test
    void events_are_idempotent_a_repeated_join_or_a_leave_of_an_absent_name_changes_nothing() {
        inTheRoom("[\"ada\",\"bob\"]");
        assertThat(event(presence("join", "bob"))).isEmpty();
        assertThat(event(presence("leave", "carol"))).isEmpty();
        assertThat(presence.members()).containsExactly("ada", "bob");
    }

    @Test
    void a_sync_replaces_the_whole_view() {
        inTheRoom("[\"ada\",\"bob\",\"carol\"]");
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"lobby","event":"sync","members":["dan","ada"]}}
                """)).hasValueSatisfying(view -> assertThat(view).containsExactly("ada", "dan"));
        assertThat(presence.members()).containsExactly("ada", "dan");
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"lobby","event":"sync","members":[]}}
                """)).hasValueSatisfying(view -> assertThat(view).isEmpty());
    }

    @Test
    void events_before_the_first_joined_still_count() {
        assertThat(event(presence("join", "bob"))).hasValueSatisfying(view -> assertThat(view).containsExactly("bob"));
    }

    @Test
    void frames_for_another_room_change_nothing() {
        inTheRoom("[\"ada\"]");
        assertThat(presence.joined(payload("joined", """
                {"type":"joined","payload":{"roomId":"attic","seq":0,"epoch":"e1","members":["zed"]}}
                """))).isEmpty();
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"attic","event":"join","name":"zed"}}
                """)).isEmpty();
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"attic","event":"sync","members":["zed"]}}
                """)).isEmpty();
        assertThat(typing("""
                {"type":"typing","payload":{"roomId":"attic","name":"zed"}}
                """, T0)).isEmpty();
        assertThat(presence.members()).containsExactly("ada");
        assertThat(presence.typingNow(T0)).isEmpty();
    }

    @Test
    void malformed_or_unknown_events_change_nothing() {
        inTheRoom("[\"ada\"]");
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"lobby","event":"wave","name":"bob"}}
                """)).isEmpty();
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"lobby","event":"join"}}
                """)).isEmpty();
        assertThat(event("""
                {"type":"presence","payload":{"roomId":"lobby","event":"sync"}}
                """)).isEmpty();
        assertThat(typing("""
                {"type":"typing","payload":{"roomId":"lobby"}}
                """, T0)).isEmpty();
        assertThat(presence.members()).containsExactly("ada");
    }

    @Test
    void a_name_is_typing_for_three_seconds_after_its_last_signal() {
        assertThat(Presence.TYPING_SHOWN_FOR).isEqualTo(Duration.ofSeconds(3));
        assertThat(typing(typingOf("bob"), T0)).contains("bob");
        assertThat(presence.typingNow(T0)).containsExactly("bob");
        assertThat(presence.typingNow(T0 + 3 * SECOND - 1)).containsExactly("bob");
        assertThat(presence.typingNow(T0 + 3 * SECOND)).isEmpty();

        // Another signal starts the three seconds again.
        typing(typingOf("bob"), T0 + 2 * SECOND);
        assertThat(presence.typingNow(T0 + 4 * SECOND)).containsExactly("bob");
        assertThat(presence.typingNow(T0 + 5 * SECOND)).isEmpty();
    }

    @Test
    void several_names_type_at_once_each_on_its_own_clock() {
        typing(typingOf("carol"), T0);
        typing(typingOf("bob"), T0 + SECOND);
        assertThat(presence.typingNow(T0 + 2 * SECOND)).containsExactly("bob", "carol");
        assertThat(presence.typingNow(T0 + 3 * SECOND)).containsExactly("bob");
        assertThat(presence.typingNow(T0 + 4 * SECOND)).isEmpty();
        assertThatThrownBy(() -> presence.typingNow(T0).add("eve")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void a_message_from_a_name_ends_its_typing_at_once_and_a_later_signal_starts_it_again() {
        typing(typingOf("bob"), T0);
        typing(typingOf("carol"), T0);
        presence.message("bob");
        assertThat(presence.typingNow(T0 + 1)).containsExactly("carol");
        presence.message("dan");
        presence.message(null);
        assertThat(presence.typingNow(T0 + 1)).containsExactly("carol");

        typing(typingOf("bob"), T0 + SECOND);
        assertThat(presence.typingNow(T0 + SECOND)).containsExactly("bob", "carol");
    }

    @Test
    void the_published_signals_answer_like_the_part_itself_and_do_not_change_with_it() {
        typing(typingOf("bob"), T0);
        var signals = presence.typingSignals();
        typing(typingOf("carol"), T0 + SECOND);
        presence.message("bob");
        assertThat(Presence.typingAt(signals, T0 + SECOND)).containsExactly("bob");
        assertThat(Presence.typingAt(signals, T0 + 3 * SECOND)).isEmpty();
        assertThat(Presence.typingAt(presence.typingSignals(), T0 + SECOND)).isEqualTo(Set.of("carol"))
                .isEqualTo(presence.typingNow(T0 + SECOND));
    }

    @Test
    void signals_that_ran_out_are_forgotten_when_the_next_one_arrives() {
        typing(typingOf("bob"), T0);
        typing(typingOf("carol"), T0 + 10 * SECOND);
        assertThat(presence.typingSignals()).containsOnlyKeys("carol");
    }
}
