package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcPausesTest {

    @Test
    void a_window_counts_the_pauses_that_ended_in_it() {
        GcPauses pauses = GcPauses.listen();
        pauses.add(1_000, 5);
        pauses.add(2_000, 30);
        pauses.add(3_000, 12);
        pauses.add(9_000, 100);

        assertThat(pauses.between(1_500, 3_000)).isEqualTo(new GcPauses.Summary(2, 42, 30));
        assertThat(pauses.between(10_000, 20_000)).isEqualTo(new GcPauses.Summary(0, 0, 0));
        assertThat(pauses.between(1_500, 3_000).describe()).contains("2 times", "42 ms in all", "the longest 30 ms");
    }

    @Test
    void a_real_collection_is_heard() {
        GcPauses pauses = GcPauses.listen();
        long from = System.nanoTime();
        System.gc();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> pauses.between(from, System.nanoTime()).count() >= 1);
    }
}
