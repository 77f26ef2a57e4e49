package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LatencyTest {

    @Test
    void the_median_and_the_99th_percentile_of_a_known_spread() {
        Histogram micros = Latency.histogram();
        for (long value = 1; value <= 10_000; value++) {
            micros.recordValue(value);
        }
        Latency latency = Latency.of(micros);
        assertThat(latency.count()).isEqualTo(10_000);
        // Three significant digits: each figure within 0.1 % of the exact one.
        assertThat((double) latency.p50()).isCloseTo(5_000, within(5.0));
        assertThat((double) latency.p99()).isCloseTo(9_900, within(10.0));
        assertThat((double) latency.max()).isCloseTo(10_000, within(10.0));
    }

    @Test
    void one_slow_message_in_a_hundred_is_the_99th_percentile_but_not_the_median() {
        Histogram micros = Latency.histogram();
        micros.recordValueWithCount(1_000, 98);
        micros.recordValueWithCount(500_000, 2);
        Latency latency = Latency.of(micros);
        assertThat((double) latency.p50()).isCloseTo(1_000, within(1.0));
        assertThat((double) latency.p99()).isCloseTo(500_000, within(500.0));
    }

    @Test
    void nothing_recorded_is_all_zeros() {
        assertThat(Latency.of(Latency.histogram())).isEqualTo(new Latency(0, 0, 0, 0));
    }
}
