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
        assertThat(step.number()).isEqualTo(SwarmStep.NEWEST);
        assertThat(step.page("failover")).isEqualTo("failover");
        assertThat(step.page("storm-kill")).isEqualTo("storm-kill");
        assertThat(step.jar().toString()).endsWith("step6-hardening/target/step6-hardening.jar");
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
