package dev.chatlab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RoomTest {

    @Test
    void seqs_start_at_1_and_grow_by_one() {
        Room room = new Room(10);
        assertThat(room.latest()).isZero();
        assertThat(room.post("a", null).seq()).isEqualTo(1);
        assertThat(room.post("b", "ann").seq()).isEqualTo(2);
        assertThat(room.after(0)).extracting(Message::message).containsExactly("a", "b");
        assertThat(room.after(1)).extracting(Message::message).containsExactly("b");
        assertThat(room.after(2)).isEmpty();
    }

    @Test
    void the_room_keeps_only_its_latest_messages_and_an_old_cursor_gets_what_is_left() {
        Room room = new Room(3);
        for (int i = 1; i <= 5; i++) {
            room.post("m" + i, null);
        }
        assertThat(room.oldest()).isEqualTo(3);
        assertThat(room.after(0)).extracting(Message::seq).containsExactly(3L, 4L, 5L);
        assertThat(room.after(4)).extracting(Message::message).containsExactly("m5");
    }

    @Test
    void by_default_the_room_keeps_the_last_1000_messages() {
        Room room = new Room(ChatConfig.defaults().roomCapacity());
        for (int i = 1; i <= 1_005; i++) {
            room.post("m" + i, null);
        }
        assertThat(room.after(0)).hasSize(1_000);
        assertThat(room.after(0).get(0).message()).isEqualTo("m6");
    }

    @Test
    void every_listener_hears_every_post_until_it_stops_listening() {
        Room room = new Room(10);
        AtomicInteger heard = new AtomicInteger();
        Runnable listener = heard::incrementAndGet;
        room.listen(listener);
        room.post("one", null);
        room.post("two", null);
        room.unlisten(listener);
        room.post("three", null);
        assertThat(heard).hasValue(2);
    }
}
