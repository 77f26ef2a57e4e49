package dev.chatlab.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepThreeHistoryTest {

    @Test
    void appends_go_to_step_3s_sqlite_history_with_a_seq_per_room(@TempDir Path dir) {
        Path file = dir.resolve("history.db");
        try (StepThreeHistory history = StepThreeHistory.open(file)) {
            history.append("a", "bench", "one", 1L);
            history.append("b", "bench", "two", 2L);
            assertThat(history.append("a", "bench", "three", 3L).toString()).contains("roomId=a", "seq=2", "text=three");
        }
        assertThat(file).exists();
    }
}
