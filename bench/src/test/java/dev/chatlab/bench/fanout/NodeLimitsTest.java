package dev.chatlab.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.bench.Target;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NodeLimitsTest {

    @Test
    void fanouts_default_shape_is_well_within_every_limit_of_steps_6_and_7() {
        // 200 clients from 127.0.0.1; 20 senders sharing 3,000 msg/s: 150 frames/s and under 20 KB/s each.
        assertThat(NodeLimits.lifting(Target.STEP6, 200, 20, 3_000)).isEmpty();
        assertThat(NodeLimits.lifting(Target.STEP7, 200, 20, 3_000)).isEmpty();
        // As many senders as clients, 15 msg/s each: the same rate in all.
        assertThat(NodeLimits.lifting(Target.STEP7, 200, 200, 3_000)).isEmpty();
    }

    @Test
    void a_limit_the_load_would_come_within_half_of_is_lifted_to_twice_the_demand() {
        // 600 frames/s per sender: more than half of 1,000.
        assertThat(NodeLimits.lifting(Target.STEP7, 200, 5, 3_000)).containsExactly("--rate-messages", "1200");
        assertThat(NodeLimits.lifting(Target.STEP7, 200, 10, 10_000)).containsExactly("--rate-messages", "2000");
        // All clients come from one address, and may all be on one node.
        assertThat(NodeLimits.lifting(Target.STEP6, 1_500, 20, 3_000)).containsExactly("--max-connections-per-ip", "3000");
        assertThat(NodeLimits.lifting(Target.STEP6, 6_000, 20, 3_000))
                .containsExactly("--max-connections", "12000", "--max-connections-per-ip", "12000");
        // 20,000 frames/s of at most 128 bytes: 2.4 MiB/s, more than half of 4 MiB/s.
        assertThat(NodeLimits.lifting(Target.STEP7, 200, 1, 20_000))
                .containsExactly("--rate-messages", "40000", "--rate-bytes", "5120000");
    }

    @Test
    void steps_before_6_have_no_limits_to_lift() {
        assertThat(NodeLimits.lifting(Target.STEP5, 6_000, 1, 20_000)).isEmpty();
        assertThat(NodeLimits.lifting(Target.STEP4, 6_000, 1, 20_000)).isEmpty();
        assertThat(NodeLimits.lifting(Target.STEP2, 6_000, 1, 20_000)).isEmpty();
    }
}
