package dev.chatlab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {

    @Test
    void events_comments_ids_and_multi_line_data() {
        List<SseReader.Event> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        SseReader reader = new SseReader(events::add, comments::add);

        for (String line : List.of(": ready", "", "id: 7", "data: {\"a\":1}", "", "data:one", "data: two", "event: x", "",
                "", "id: 8", "")) {
            reader.onNext(line);
        }

        assertThat(comments).containsExactly("ready");
        assertThat(events).containsExactly(new SseReader.Event("7", "{\"a\":1}"), new SseReader.Event(null, "one\ntwo"));
    }
}
