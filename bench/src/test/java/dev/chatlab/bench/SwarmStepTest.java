package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SwarmStepTest {

    private static SwarmStep parsed(String... args) {
        SwarmStep step = new SwarmStep();
        new CommandLine(step).parseArgs(args);
        return step;
    }

    @Test
    void the_newest_step_is_the_default_and_keeps_the_scenarios_own_page() {
        SwarmStep step = parsed();
        assertThat(step.number()).isEqualTo(SwarmStep.NEWEST).isEqualTo(8).isEqualTo(SwarmStep.STEPS.get(SwarmStep.STEPS.size() - 1))
                .isEqualTo(Target.newest().number());
        assertThat(step.newest()).isTrue();
        assertThat(step.page("failover")).isEqualTo("failover");
        assertThat(step.page("storm-kill")).isEqualTo("storm-kill");
        assertThat(step.jar().toString()).endsWith("step8-presence/target/step8-presence.jar");
        assertThat(parsed("--step", "8").page("capacity")).isEqualTo("capacity");
    }

    @Test
    void step_7_is_no_longer_the_newest_and_gets_pages_of_its_own() {
        SwarmStep step = parsed("--step", "7");
        assertThat(step.newest()).isFalse();
        assertThat(step.page("failover")).isEqualTo("failover-step7");
        assertThat(step.page("capacity")).isEqualTo("capacity-step7");
        assertThat(step.page("storm-kill")).isEqualTo("storm-step7-kill");
        assertThat(step.page("storm-drain")).isEqualTo("storm-step7-drain");
        assertThat(step.jar().toString()).endsWith("step7-performance/target/step7-performance.jar");
    }

    @Test
    void step_6_gets_pages_of_its_own() {
        SwarmStep step = parsed("--step", "6");
        assertThat(step.newest()).isFalse();
        assertThat(step.page("failover")).isEqualTo("failover-step6");
        assertThat(step.page("capacity")).isEqualTo("capacity-step6");
        assertThat(step.page("storm-kill")).isEqualTo("storm-step6-kill");
        assertThat(step.jar().toString()).endsWith("step6-hardening/target/step6-hardening.jar");
    }

    @Test
    void the_choices_read_as_a_sentence() {
        assertThat(SwarmStep.choices(SwarmStep.STEPS)).isEqualTo("5, 6, 7 or 8");
        assertThat(SwarmStep.choices(java.util.List.of("step6", "step7"))).isEqualTo("step6 or step7");
        assertThat(SwarmStep.choices(java.util.List.of(7))).isEqualTo("7");
    }

    @Test
    void an_older_step_gets_a_page_of_its_own_and_its_own_jar() {
        SwarmStep step = parsed("--step", "5");
        assertThat(parsed("--step", "step5").number()).isEqualTo(5);
        assertThat(step.page("failover")).isEqualTo("failover-step5");
        assertThat(step.page("storm-drain")).isEqualTo("storm-step5-drain");
        assertThat(step.jar().toString()).endsWith("step5-loadbalancer/target/step5-loadbalancer.jar");
    }
}
