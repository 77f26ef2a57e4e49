package dev.chatlab.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code fanout --direct}, checked the way {@code fanout} checks it before it starts anything, without running it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DirectTest {

    private static FanoutLoad.Shape shape(String... args) {
        FanoutCommand fanout = new FanoutCommand();
        CommandLine cli = new CommandLine(fanout);
        cli.parseArgs(args);
        return fanout.options.shape(fanout.target, fanout.direct, fanout.load.rate, cli.getCommandSpec());
    }

    @Test
    void the_swarm_steps_run_direct_with_a_page_of_their_own() {
        FanoutLoad.Shape shape = shape("--target", "step7", "--direct");
        assertThat(shape.direct()).isTrue();
        assertThat(shape.viaHaproxy()).isFalse();
        assertThat(shape.page("fanout")).isEqualTo("fanout-step7-direct");
        assertThat(shape("--step", "6", "--direct").page("fanout")).isEqualTo("fanout-step6-direct");
        assertThat(shape("--step", "5", "--direct").direct()).isTrue();
        assertThat(shape("--step", "6").viaHaproxy()).isTrue();
    }

    @Test
    void direct_on_step_2_or_4_is_a_usage_error_that_says_why() {
        assertThatThrownBy(() -> shape("--direct"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--direct goes with --target step5, step6, step7 or step8 (step 4's nodes are always reached directly, "
                        + "and step 2 is one node)");
        assertThatThrownBy(() -> shape("--target", "step2", "--direct")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--direct goes with --target step5, step6, step7 or step8");
    }

    @Test
    void affinity_is_haproxys_and_does_not_go_with_direct() {
        assertThatThrownBy(() -> shape("--step", "7", "--direct", "--affinity")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--affinity is HAProxy's config: it does not go with --direct");
        assertThatThrownBy(() -> shape("--step", "4", "--affinity")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--affinity goes with --target step5, step6, step7 or step8");
    }

    @Test
    void the_default_shape_lifts_no_limit_on_either_path() {
        assertThat(shape("--step", "7", "--direct").nodeArgs()).isEmpty();
        assertThat(shape("--step", "6").nodeArgs()).isEmpty();
    }

    @Test
    void a_shape_past_a_limit_lifts_it_on_either_path() {
        assertThat(shape("--step", "7", "--senders", "2", "--direct").nodeArgs()).containsExactly("--rate-messages", "3000");
        assertThat(shape("--step", "6", "--senders", "2").nodeArgs()).containsExactly("--rate-messages", "3000");
    }
}
