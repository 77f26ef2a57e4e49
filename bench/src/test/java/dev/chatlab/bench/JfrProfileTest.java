package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrProfileTest {

    @Test
    void samples_land_in_the_first_phase_whose_method_is_on_their_stack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("busy.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
            recording.start();
            long until = System.nanoTime() + Duration.ofMillis(600).toNanos();
            long sink = 0;
            while (System.nanoTime() < until) {
                sink += spin(sink);
            }
            recording.stop();
            recording.dump(file);
            assertThat(sink).isNotZero();
        }

        JfrProfile.Summary summary = JfrProfile.summarize(List.of(file), List.of(
                new JfrProfile.Phase("never on the stack", List.of("NoSuchClass.noSuchMethod")),
                new JfrProfile.Phase("spinning", List.of("JfrProfileTest.spin")),
                new JfrProfile.Phase("the rest", List.of(""))), 5);

        assertThat(summary.samples()).isPositive();
        assertThat(summary.phases()).containsOnlyKeys("never on the stack", "spinning", "the rest");
        assertThat(summary.phases().get("never on the stack")).isZero();
        assertThat(summary.phases().get("spinning")).isGreaterThan(summary.samples() / 2);
        assertThat(summary.phases().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(summary.samples());
        assertThat(summary.topMethods()).isNotEmpty().hasSizeLessThanOrEqualTo(5);
    }

    private static long spin(long seed) {
        long x = seed | 1;
        for (int i = 0; i < 10_000; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }
}
