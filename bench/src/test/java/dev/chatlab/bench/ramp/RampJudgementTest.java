package dev.chatlab.bench.ramp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.bench.Latency;
import dev.chatlab.bench.fanout.FanoutLoad;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RampJudgementTest {
    private static final long LIMIT_MICROS = 50_000;

    /** A 3-second step at 100 msg/s owing 6,000 deliveries, with {@code fastMillis} for most and a slow hundredth. */
    private static FanoutLoad.Step step(long delivered, long unsettled, long fastMillis, long slowMillis) {
        Histogram latency = Latency.histogram();
        long recorded = 6_000 - unsettled;
        latency.recordValueWithCount(fastMillis * 1_000, recorded - recorded / 100);
        latency.recordValueWithCount(slowMillis * 1_000, recorded / 100);
        return new FanoutLoad.Step(100, 3.0, 300, 6_000, delivered, latency, unsettled, 5_000_000, 0, 0,
                Map.of("node-1", 600_000L), 300_000);
    }

    @Test
    void a_step_within_the_limit_that_delivered_what_it_offered_held() {
        assertThat(RampCommand.broke(step(6_000, 0, 3, 40), LIMIT_MICROS)).isNull();
    }

    @Test
    void a_p99_over_the_limit_breaks_it() {
        // One in a hundred takes 40 ms; another seventy take 80 ms: the 99th percentile is one of those.
        FanoutLoad.Step step = step(6_000, 0, 3, 40);
        step.latency().recordValueWithCount(80_000, 70);
        assertThat(RampCommand.broke(step, LIMIT_MICROS)).isEqualTo(RampCommand.End.P99);
    }

    @Test
    void deliveries_still_owed_count_as_late_as_the_wait_was() {
        // What arrived was fast, but 2% never came within the wait: they are at least 5 s late, so the p99 is too.
        FanoutLoad.Step step = step(5_880, 120, 3, 3);
        assertThat(Latency.of(step.latency()).p99()).isLessThan(LIMIT_MICROS);
        assertThat(Latency.of(step.latencyCountingUnsettled()).p99()).isGreaterThanOrEqualTo(5_000_000);
        assertThat(RampCommand.broke(step, LIMIT_MICROS)).isEqualTo(RampCommand.End.P99);
    }

    @Test
    void delivering_less_than_95_percent_of_the_offered_rate_breaks_it() {
        assertThat(RampCommand.broke(step(5_600, 0, 3, 40), LIMIT_MICROS)).isEqualTo(RampCommand.End.DELIVERED);
    }

    @Test
    void the_generator_verdict_reads_whole() {
        FanoutLoad.Step calm = step(6_000, 0, 3, 40);
        assertThat(calm.generatorCores()).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(calm.serverCpuMicrosPerDelivery()).isEqualTo(100.0);
        assertThat(calm.generatorVerdict())
                .isEqualTo("Generator bottleneck: no (generator used 0.10 cores; delivered 100% of offered deliveries).");
        assertThat(step(5_400, 0, 3, 40).generatorVerdict()).startsWith("Generator bottleneck: YES (or the machine) (generator used "
                + "0.10 cores; delivered 90% of offered deliveries; the delivered rate fell short");
    }

    @Test
    void the_peak_rate_is_the_last_step_the_load_budget_has_room_for() {
        // 60 s - 25 s of warm-up leaves room for 8 steps of 4 s: 200 x 1.5^7.
        assertThat(RampCommand.peakRate(200, 1.5, java.time.Duration.ofSeconds(25), java.time.Duration.ofSeconds(4),
                java.time.Duration.ofSeconds(60))).isCloseTo(3417.2, org.assertj.core.data.Offset.offset(0.1));
        assertThat(RampCommand.peakRate(100, 2, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(20))).isEqualTo(100);
    }
}
