package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CommandTextTest {

    /** The command text a scenario records for these arguments, parsed as `./lab bench` would, without running anything. */
    private static String recorded(String... args) {
        CommandLine bench = new CommandLine(new Bench());
        CommandLine.ParseResult parsed = bench.parseArgs(args);
        CommandLine scenario = parsed.subcommand().commandSpec().commandLine();
        return switch (scenario.getCommandName()) {
            case "fanout", "ramp" -> Report.commandOf(scenario.getCommandSpec(), "--target", "--affinity");
            case "storm", "compare" -> Report.commandOf(scenario.getCommandSpec(), "--via");
            default -> Report.commandOf(scenario.getCommandSpec());
        };
    }

    @Test
    void the_options_given_that_differ_from_their_defaults_are_recorded() {
        assertThat(recorded("fanout", "--target", "step4", "--rate", "200")).isEqualTo("bench fanout --target step4 --rate 200");
        assertThat(recorded("fanout", "--rate=200", "--duration", "10s")).isEqualTo("bench fanout --target step4 --rate 200 --duration 10s");
    }

    @Test
    void the_target_is_always_said_and_affinity_when_set() {
        assertThat(recorded("fanout")).isEqualTo("bench fanout --target step4");
        assertThat(recorded("fanout", "--affinity", "--target", "step5")).isEqualTo("bench fanout --target step5 --affinity");
        assertThat(recorded("ramp")).isEqualTo("bench ramp --target step8");
    }

    @Test
    void a_step_given_by_number_is_recorded_as_its_target() {
        assertThat(recorded("fanout", "--step", "5")).isEqualTo("bench fanout --target step5");
        assertThat(recorded("fanout", "--step", "step6", "--affinity")).isEqualTo("bench fanout --target step6 --affinity");
        assertThat(recorded("ramp", "--target", "5")).isEqualTo("bench ramp --target step5");
        assertThat(recorded("fanout", "--step", "7")).isEqualTo("bench fanout --target step7");
        assertThat(recorded("fanout", "--step", "8")).isEqualTo("bench fanout --target step8");
        assertThat(recorded("ramp", "--step", "7")).isEqualTo("bench ramp --target step7");
        refused("'9' is not a target: step2, step4, step5, step6, step7 or step8 (or 2, 4, 5, 6, 7, 8)", "fanout", "--step", "9");
        refused("'step3' is not a target: step2, step4, step5, step6, step7 or step8", "ramp", "--target", "step3");
    }

    @Test
    void the_swarm_scenarios_take_a_step_and_record_it_only_when_it_is_not_the_newest() {
        refused("'4' is not a swarm step: 5, 6, 7 or 8", "failover", "--step", "4");
        refused("'9' is not a swarm step: 5, 6, 7 or 8", "capacity", "--step", "9");
        assertThat(recorded("failover")).isEqualTo("bench failover");
        assertThat(recorded("capacity", "--step", "8")).isEqualTo("bench capacity");
        assertThat(recorded("capacity", "--step", "7")).isEqualTo("bench capacity --step 7");
        for (String step : List.of("5", "6", "7")) {
            assertThat(recorded("failover", "--step", step)).isEqualTo("bench failover --step " + step);
            assertThat(recorded("storm", "--step", step)).isEqualTo("bench storm --via kill --step " + step);
        }
    }

    private static void refused(String message, String... args) {
        assertThatThrownBy(() -> recorded(args)).hasMessageContaining(message);
    }

    @Test
    void a_default_given_again_and_where_the_results_go_are_left_out() {
        assertThat(recorded("fanout", "--rate", "3000", "--results", "/tmp/elsewhere", "--no-save")).isEqualTo("bench fanout --target step4");
        assertThat(recorded("capacity")).isEqualTo("bench capacity");
        assertThat(recorded("capacity", "--connections", "2000")).isEqualTo("bench capacity --connections 2000");
    }

    @Test
    void compare_always_says_its_way_to_the_nodes() {
        assertThat(recorded("compare")).isEqualTo("bench compare --via direct");
        assertThat(recorded("compare", "--rounds", "3", "--via", "haproxy")).isEqualTo("bench compare --via haproxy --rounds 3");
    }

    @Test
    void a_value_with_spaces_is_quoted() {
        assertThat(recorded("storm", "--via", "drain", "--node-args", "--drain-window 2s"))
                .isEqualTo("bench storm --via drain --node-args '--drain-window 2s'");
    }

    @Test
    void every_run_of_all_is_a_command_line_the_bench_takes() {
        for (List<String> run : AllCommand.RUNS) {
            CommandLine.ParseResult parsed = new CommandLine(new Bench()).parseArgs(run.toArray(String[]::new));
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(run.get(0));
        }
        assertThat(AllCommand.RUNS).extracting(run -> run.get(0))
                .containsExactly("transports", "fanout", "fanout", "fanout", "fanout", "fanout", "compare", "ramp", "capacity", "failover",
                        "storm", "storage");
    }
}
