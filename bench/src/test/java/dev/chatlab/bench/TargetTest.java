package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TargetTest {

    @Test
    void a_target_reads_stepN_on_the_command_line_on_the_pages_and_in_the_json() {
        assertThat(Target.STEP7).hasToString("step7");
        assertThat(Target.named("step4")).contains(Target.STEP4);
        assertThat(Target.named("STEP4")).isEmpty();
        assertThat(Target.named("4")).isEmpty();
        assertThat(Results.jsonLine(Map.of("target", Target.STEP2))).isEqualTo("{\"target\":\"step2\"}");
    }

    @Test
    void the_swarm_steps_are_5_to_8_each_with_its_modules_jar() {
        assertThat(Target.swarmSteps()).containsExactly(Target.STEP5, Target.STEP6, Target.STEP7, Target.STEP8);
        assertThat(Target.of(2).jar().toString()).endsWith("step2-rooms/target/step2-rooms.jar");
        assertThat(Target.of(4).jar().toString()).endsWith("step4-pubsub/target/step4-pubsub.jar");
        assertThat(Target.of(7).jar().toString()).endsWith("step7-performance/target/step7-performance.jar");
        assertThat(Target.of(8).jar().toString()).endsWith("step8-presence/target/step8-presence.jar");
        assertThatThrownBy(() -> Target.of(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void step_8_is_the_newest_and_the_only_one_with_presence_and_typing() {
        assertThat(Target.newest()).isEqualTo(Target.STEP8).hasToString("step8");
        assertThat(Target.values()).filteredOn(Target::presence).containsExactly(Target.STEP8);
    }
}
