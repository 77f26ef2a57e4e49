package dev.chatlab.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.chatlab.bench.Bench;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench compare}'s options and its tables, from hand-made results: nothing here starts a process. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CompareCommandTest {

    /** The command as `./lab bench compare ARGS` parses it, not run. */
    private static CompareCommand parsed(String... args) {
        CommandLine bench = new CommandLine(new Bench());
        String[] all = new String[args.length + 1];
        all[0] = "compare";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult result = bench.parseArgs(all);
        return (CompareCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void by_default_it_alternates_step_6_and_7_twice_on_fanouts_standard_shape_straight_at_the_nodes() {
        CompareCommand compare = parsed();
        List<FanoutLoad.Shape> plan = compare.plan();

        assertThat(plan).extracting(FanoutLoad.Shape::target).containsExactly(Target.STEP6, Target.STEP7, Target.STEP6, Target.STEP7);
        assertThat(plan).allSatisfy(shape -> {
            assertThat(shape.direct()).isTrue();
            assertThat(shape.viaHaproxy()).isFalse();
            assertThat(List.of(shape.nodes(), shape.clients(), shape.rooms(), shape.senders())).containsExactly(3, 200, 10, 20);
            assertThat(shape.nodeArgs()).isEmpty();
        });
        assertThat(compare.load.rate).isEqualTo(3000);
        assertThat(compare.load.warmup).hasSeconds(30);
        assertThat(Report.commandOf(compare.spec, "--via")).isEqualTo("bench compare --via direct");
    }

    @Test
    void the_default_pair_keeps_the_compare_page_and_its_sides_are_the_step_numbers() {
        CompareCommand compare = parsed();

        assertThat(compare.sides()).containsExactly("6", "7");
        assertThat(compare.page()).isEqualTo("compare");
        assertThat(parsed("--via", "haproxy").page()).isEqualTo("compare-haproxy");
        assertThat(compare.ratiosTitle()).isEqualTo("step 7 / step 6 (below 1: step 7 uses less, or is faster)");
    }

    @Test
    void before_and_after_put_step_8_against_step_7_on_a_page_of_their_own() {
        CompareCommand compare = parsed("--before", "step7", "--after", "step8", "--rounds", "1");
        List<FanoutLoad.Shape> plan = compare.plan();

        assertThat(plan).extracting(FanoutLoad.Shape::target).containsExactly(Target.STEP7, Target.STEP8);
        assertThat(plan).extracting(FanoutLoad.Shape::jar).containsOnlyNulls();
        assertThat(compare.sides()).containsExactly("7", "8");
        assertThat(compare.page()).isEqualTo("compare-step7-step8");
        assertThat(compare.ratiosTitle()).isEqualTo("step 8 / step 7 (below 1: step 8 uses less, or is faster)");
        assertThat(Report.commandOf(compare.spec, "--via")).isEqualTo("bench compare --via direct --before step7 --after step8 --rounds 1");
        assertThat(parsed("--before", "7", "--after", "8").plan()).extracting(FanoutLoad.Shape::target)
                .containsExactly(Target.STEP7, Target.STEP8, Target.STEP7, Target.STEP8);
    }

    @Test
    void a_step_that_is_not_a_swarm_step_or_the_same_step_twice_is_a_usage_error() {
        assertThatThrownBy(() -> parsed("--before", "step4")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'step4' is not a swarm step: step5, step6, step7 or step8");
        assertThatThrownBy(() -> parsed("--after", "step3")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'step3' is not a target");
        assertThatThrownBy(() -> parsed("--before", "7").plan()).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--before and --after are both step7: to compare two builds or setups of one step");
    }

    @Test
    void it_takes_fanouts_shape_and_load_options_and_haproxy_instead() {
        CompareCommand compare = parsed("--via", "haproxy", "--rounds", "3", "--clients", "100", "--rooms", "5", "--senders", "10",
                "--rate", "1000", "--duration", "10s", "--affinity");
        List<FanoutLoad.Shape> plan = compare.plan();

        assertThat(plan).hasSize(6).allSatisfy(shape -> {
            assertThat(shape.viaHaproxy()).isTrue();
            assertThat(shape.affinity()).isTrue();
            assertThat(List.of(shape.clients(), shape.rooms(), shape.senders())).containsExactly(100, 5, 10);
        });
        assertThat(Report.commandOf(compare.spec, "--via")).isEqualTo(
                "bench compare --via haproxy --rounds 3 --clients 100 --rooms 5 --senders 10 --rate 1000 --duration 10s --affinity");
    }

    @Test
    void with_a_saved_jar_or_jvm_options_it_alternates_two_builds_of_step_7_instead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path saved = java.nio.file.Files.writeString(dir.resolve("step7-before.jar"), "a jar");
        CompareCommand compare = parsed("--before-jar", saved.toString(), "--after-jvm-args", "-Xmx256m -XX:+UseSerialGC");
        List<FanoutLoad.Shape> plan = compare.plan();

        assertThat(compare.sides()).containsExactly("before", "after");
        assertThat(compare.page()).isEqualTo("compare-builds");
        assertThat(plan).extracting(FanoutLoad.Shape::target).containsOnly(Target.STEP7).hasSize(4);
        assertThat(plan).extracting(FanoutLoad.Shape::jar).containsExactly(saved, null, saved, null);
        assertThat(plan.get(0).nodeJvm()).containsExactly("-Xmx512m");
        assertThat(plan.get(1).nodeJvm()).containsExactly("-Xmx256m", "-XX:+UseSerialGC");
        assertThatThrownBy(() -> parsed("--before-jar", dir.resolve("none.jar").toString()).plan())
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("no node jar at");
    }

    @Test
    void two_setups_of_step_8_are_before_and_after_too() {
        CompareCommand compare = parsed("--after", "step8", "--after-jvm-args", "-Xmx256m");

        assertThat(compare.plan()).extracting(FanoutLoad.Shape::target).containsOnly(Target.STEP8);
        assertThat(compare.sides()).containsExactly("before", "after");
        assertThat(compare.ratiosTitle()).isEqualTo("after / before (below 1: after uses less, or is faster)");
    }

    @Test
    void a_way_to_the_nodes_other_than_direct_or_haproxy_is_a_usage_error() {
        assertThatThrownBy(() -> parsed("--via", "x")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'x' is not a way to the nodes: direct or haproxy");
    }

    @Test
    void fewer_than_one_round_or_an_unbounded_load_is_a_usage_error() {
        assertThatThrownBy(() -> parsed("--rounds", "0").plan()).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--rounds must be at least 1, got 0");
        assertThatThrownBy(() -> parsed("--warmup", "50s").plan()).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("need --warmup + --duration <= 60s, --rate >= 1");
        assertThatThrownBy(() -> parsed("--affinity").plan()).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--affinity is HAProxy's config: it does not go with --direct");
    }

    // ---- the tables, from hand-made runs ----

    /**
     * A 10-second window of one run: a million deliveries, the nodes' CPU split over three of them and Redis's; 90 % of
     * the latencies at {@code p50Micros}, the rest at {@code p99Micros}.
     */
    private static CompareCommand.Run run(int round, Target target, long nodeMicros, long redisMicros, long p50Micros, long p99Micros) {
        Histogram latency = Latency.histogram();
        latency.recordValueWithCount(p50Micros, 90);
        latency.recordValueWithCount(p99Micros, 10);
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (int node = 1; node <= 3; node++) {
            cpu.put("node-" + node, nodeMicros / 3);
        }
        cpu.put("redis", redisMicros);
        FanoutLoad.Step step = new FanoutLoad.Step(3000, 10.0, 30_000, 600_000, 1_000_000, latency, 0, 0, 0, 0, cpu, 4_000_000);
        FanoutLoad.Shape shape = new FanoutLoad.Shape(target, false, true, 3, 200, 10, 20, List.of(), List.of());
        return new CompareCommand.Run(round, String.valueOf(target.number()), 1.5, new FanoutLoad.Result(shape, step,
                new FanoutLoad.Integrity(600_000, 600_000, round == 2 && target == Target.STEP6 ? 7 : 0, 0, 0, 0), null));
    }

    private static final List<String> SIDES = List.of("6", "7");

    private static final List<CompareCommand.Run> RUNS = List.of(
            run(1, Target.STEP6, 3_000_000, 500_000, 1_000, 2_000),
            run(1, Target.STEP7, 1_500_000, 250_000, 500, 1_500),
            run(2, Target.STEP6, 3_000_000, 500_000, 1_000, 2_000),
            run(2, Target.STEP7, 1_800_000, 300_000, 800, 1_000));

    @Test
    void each_run_is_a_row_with_its_cpu_per_delivery_split_by_process() {
        String table = CompareCommand.runs(RUNS).markdown();

        assertThat(table).startsWith("| round | step | load | delivered/s | p50 ms | p99 ms | p99.9 ms | max ms | "
                + "CPU-us / delivery: nodes | Redis | HAProxy | all | lost | generator cores |");
        // 3,000,000 us of the nodes and 500,000 of Redis over 1,000,000 deliveries; no HAProxy on the direct path.
        assertThat(table).contains("| 1 | 6 | 1.50 | 100,000 | 1.00 | 2.00 | 2.00 | 2.00 | 3.00 | 0.50 | – | 3.50 | 0 | 0.40 |");
        assertThat(table).contains("| 2 | 6 | 1.50 | 100,000 | 1.00 | 2.00 | 2.00 | 2.00 | 3.00 | 0.50 | – | 3.50 | 7 | 0.40 |");
        assertThat(table).contains("| 2 | 7 | 1.50 | 100,000 | 0.80 | 1.00 | 1.00 | 1.00 | 1.80 | 0.30 | – | 2.10 | 0 | 0.40 |");
    }

    @Test
    void the_ratios_are_step_7_over_step_6_for_each_round_and_for_the_means() {
        String table = CompareCommand.ratios(RUNS, SIDES).markdown();

        assertThat(table).contains("|  | CPU-us / delivery | p50 | p99 |");
        assertThat(table).contains("| round 1 | 0.50 | 0.50 | 0.75 |");
        assertThat(table).contains("| round 2 | 0.60 | 0.80 | 0.50 |");
        // Means: CPU (1.75 + 2.10) / 2 over 3.50, p50 (500 + 800) / 2 over 1,000, p99 (1,500 + 1,000) / 2 over 2,000.
        assertThat(table).contains("| mean | 0.55 | 0.65 | 0.63 |");
    }

    @Test
    void a_round_without_its_step_7_run_has_no_ratio() {
        String table = CompareCommand.ratios(RUNS.subList(0, 3), SIDES).markdown();

        assertThat(table).contains("| round 1 | 0.50 | 0.50 | 0.75 |");
        assertThat(table).contains("| round 2 | – | – | – |");
        assertThat(table).contains("| mean | 0.50 | 0.50 | 0.75 |");
    }

    @Test
    void the_json_has_every_run_as_fanout_records_it_and_the_ratios() {
        Map<String, Object> json = CompareCommand.json(RUNS, SIDES);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runs = (List<Map<String, Object>>) json.get("runs");
        assertThat(runs).hasSize(4);
        assertThat(runs.get(1)).containsEntry("round", 1).containsEntry("target", Target.STEP7).containsEntry("lost", 0L)
                .containsKeys("latencyMicros", "serverCpuMicrosPerDelivery", "cpuSeconds", "loadAverageBefore");
        assertThat(runs.get(1).get("serverCpuMicrosPerDeliveryByKind")).isEqualTo(Map.of("nodes", 1.5, "redis", 0.25));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> ratios = (Map<String, Map<String, Object>>) json.get("ratios");
        assertThat(ratios).containsOnlyKeys("round1", "round2", "mean");
        assertThat((Double) ratios.get("mean").get("cpuPerDelivery")).isCloseTo(0.55, within(1e-9));
    }
}
