package dev.chatlab.bench.fanout;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Machine;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.SwarmStep;
import dev.chatlab.bench.Table;
import dev.chatlab.bench.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Two steps on one shape, alternately in one run (by default step 6 and step 7: 6, 7, 6, 7, ...), so that whatever
 * else the shared machine does falls on both: each run a whole fanout on fresh processes, then the ratios after /
 * before. {@code --before step7 --after step8} puts another pair side by side. With {@code --before-jar},
 * {@code --after-jar} or the JVM options of either side, it compares two builds (or two setups) of one step the same
 * way: before, after, before, after.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs fanout's standard shape (by default 200 clients in 10 rooms, 20 senders, 3,000 msg/s = 60,000 "
                + "deliveries/s, 30 s warm-up and 20 s measured; Redis and 3 nodes, the clients connected to the nodes "
                + "round-robin) on step 6, then step 7 (or --before, then --after), --rounds times, each run a whole fanout "
                + "on processes of its own. Reports each run (delivered/s, latency, server CPU-us per delivery of the nodes, "
                + "Redis and HAProxy, lost) and the ratios step 7 / step 6 (after / before) of CPU per delivery, p50 and p99, "
                + "for each round and for the means.",
            "Takes about --rounds x 2 x (start-up + --warmup + --duration + up to 15 s for the deliveries to settle): "
                + "about 6 minutes by default (4 runs of 80-90 s on 2 cores).",
            "Another pair of swarm steps goes to a page of its own: --before step7 --after step8 on compare-step7-step8.",
            "With --before-jar, --after-jar, --before-jvm-args or --after-jvm-args it compares two builds or setups of the "
                + "--after step (step 7 by default) instead (before, after, before, ...; ratios after / before), on the page "
                + "compare-builds."})
public final class CompareCommand implements Callable<Integer> {
    /** The steps compared by default, the older first: each round runs them in this order. */
    static final List<Target> TARGETS = List.of(Target.STEP6, Target.STEP7);

    @Option(names = "--via", defaultValue = "direct", converter = ViaConverter.class,
            description = "direct (the clients connect to the nodes round-robin) or haproxy (through HAProxy, least "
                    + "connections, or with --affinity room affinity) (default: ${DEFAULT-VALUE})")
    String via;
    @Option(names = "--rounds", defaultValue = "2", description = "rounds, each a run of step 6 then one of step 7 (or before, then after) (default: ${DEFAULT-VALUE})")
    int rounds;
    @Option(names = "--before", converter = SwarmTargetConverter.class, description = "the swarm step run first in each round: "
            + "step5 ... step8 or the number alone (default: step6; the --after step when two builds or setups are compared)")
    Target before;
    @Option(names = "--after", defaultValue = "step7", converter = SwarmTargetConverter.class,
            description = "the swarm step run second in each round (default: ${DEFAULT-VALUE})")
    Target after;
    @Option(names = "--before-jar", description = "a node jar of the --before step (by default the --after step: step 7) to "
            + "run as 'before' (a copy of an earlier step7-performance/target/step7-performance.jar)")
    Path beforeJar;
    @Option(names = "--after-jar", description = "a node jar of the --after step to run as 'after' (default: the one its module builds)")
    Path afterJar;
    @Option(names = "--before-jvm-args", description = "JVM options of the 'before' nodes (default: --node-jvm-args)")
    String beforeJvmArgs;
    @Option(names = "--after-jvm-args", description = "JVM options of the 'after' nodes (default: --node-jvm-args)")
    String afterJvmArgs;
    @Mixin
    LoadOptions load;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    ShapeOptions options;
    @Mixin
    Saving saving;

    /**
     * One run of the comparison.
     *
     * @param round       from 1
     * @param side        which side of the comparison it ran: 6 or 7, or before or after (see {@link #sides()})
     * @param loadAverage the machine's 1-minute load average as the run began
     * @param result      what fanout measured
     */
    record Run(int round, String side, double loadAverage, FanoutLoad.Result result) {
        Target target() {
            return result.shape().target();
        }

        double cpuPerDelivery() {
            return result.step().serverCpuMicrosPerDelivery();
        }

        double p50() {
            return Latency.of(result.step().latency()).p50();
        }

        double p99() {
            return Latency.of(result.step().latency()).p99();
        }
    }

    /** The after side's figure over the before side's (step 7's over step 6's), NaN where the before side's is 0. */
    record Ratios(double cpuPerDelivery, double p50, double p99) {
        static Ratios of(List<Run> befores, List<Run> afters) {
            return new Ratios(ratio(befores, afters, Run::cpuPerDelivery), ratio(befores, afters, Run::p50), ratio(befores, afters, Run::p99));
        }

        private static double ratio(List<Run> befores, List<Run> afters, ToDoubleFunction<Run> figure) {
            double before = befores.stream().mapToDouble(figure).average().orElse(0);
            double after = afters.stream().mapToDouble(figure).average().orElse(Double.NaN);
            return before == 0 ? Double.NaN : after / before;
        }

        List<String> cells() {
            return List.of(cell(cpuPerDelivery), cell(p50), cell(p99));
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("cpuPerDelivery", Double.isNaN(cpuPerDelivery) ? null : cpuPerDelivery);
            json.put("p50", Double.isNaN(p50) ? null : p50);
            json.put("p99", Double.isNaN(p99) ? null : p99);
            return json;
        }

        private static String cell(double ratio) {
            return Double.isNaN(ratio) ? "–" : f("%.2f", ratio);
        }
    }

    /** Whether two builds or setups of one step are compared, rather than two steps. */
    boolean builds() {
        return beforeJar != null || afterJar != null || beforeJvmArgs != null || afterJvmArgs != null;
    }

    /** The step of the first run of each round: --before, else step 6, or the --after step when builds are compared. */
    Target beforeStep() {
        return before != null ? before : builds() ? after : TARGETS.get(0);
    }

    /** Whether the two sides are two steps (their numbers name them) rather than two builds or setups of one. */
    boolean twoSteps() {
        return beforeStep() != after;
    }

    /** The names of the two sides, as the tables show them: the steps' numbers (6 and 7), or before and after. */
    List<String> sides() {
        return twoSteps() ? List.of(String.valueOf(beforeStep().number()), String.valueOf(after.number())) : List.of("before", "after");
    }

    /**
     * The page: {@code compare} for the default pair, step 6 and step 7; {@code compare-step7-step8} for another pair;
     * {@code compare-builds} for two builds or setups of one step; with {@code -haproxy} when through HAProxy.
     */
    String page() {
        String pair = !twoSteps() ? "compare-builds"
                : List.of(beforeStep(), after).equals(TARGETS) ? "compare" : "compare-" + beforeStep() + "-" + after;
        return pair + (via.equals("direct") ? "" : "-" + via);
    }

    /** "step 7 / step 6 (below 1: step 7 uses less, or is faster)", or after / before for two builds. */
    String ratiosTitle() {
        if (!twoSteps()) {
            return "after / before (below 1: after uses less, or is faster)";
        }
        return f("step %d / step %d (below 1: step %d uses less, or is faster)", after.number(), beforeStep().number(), after.number());
    }

    /** The shapes of the runs in the order they run: step 6, step 7, step 6, ...; a usage error when the options do not fit. */
    List<FanoutLoad.Shape> plan() {
        if (rounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
        }
        if (!twoSteps() && !builds()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--before and --after are both " + after
                    + ": to compare two builds or setups of one step, give --before-jar, --after-jar, --before-jvm-args or --after-jvm-args");
        }
        load.check(spec);
        for (Path jar : Arrays.asList(beforeJar, afterJar)) {
            if (jar != null && !Files.isRegularFile(jar)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no node jar at " + jar);
            }
        }
        boolean direct = via.equals("direct");
        String defaultJvm = options.nodeJvmArgs();
        FanoutLoad.Shape first = options.shape(beforeStep(), direct, load.rate, spec, beforeJvmArgs != null ? beforeJvmArgs : defaultJvm)
                .withJar(beforeJar);
        FanoutLoad.Shape second = options.shape(after, direct, load.rate, spec, afterJvmArgs != null ? afterJvmArgs : defaultJvm)
                .withJar(afterJar);
        List<FanoutLoad.Shape> shapes = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            shapes.add(first);
            shapes.add(second);
        }
        return shapes;
    }

    @Override
    public Integer call() {
        List<FanoutLoad.Shape> plan = plan();
        List<String> sides = sides();
        String page = page();
        Report report = new Report("compare", page, Report.commandOf(spec, "--via"));
        report.announce(f("%s against %s, %s, %d round%s", twoSteps() ? "step " + beforeStep().number() : "before",
                twoSteps() ? "step " + after.number() : "after (" + after + ")", via, rounds, rounds == 1 ? "" : "s"));
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            FanoutLoad.Shape shape = plan.get(i);
            int round = i / sides.size() + 1;
            String side = sides.get(i % sides.size());
            double loadAverage = Machine.loadAverage();
            say("run %d of %d: %s (%s%s) %s, round %d; load average %.2f", i + 1, plan.size(), side, shape.target(),
                    shape.jar() == null ? "" : ", " + shape.jar(), via, round, loadAverage);
            runs.add(new Run(round, side, loadAverage, load.run(shape, page + "-" + side + "-" + round)));
        }
        FanoutLoad.Shape shape = plan.get(0);
        report.table(f("each run (%d clients, %d rooms, %d senders, %,d msg/s, %s measured after %s of warm-up; %s)", shape.clients(),
                shape.rooms(), shape.senders(), load.rate, DurationConverter.format(load.duration),
                DurationConverter.format(load.warmup), via), runs(runs));
        report.table(ratiosTitle(), ratios(runs, sides));
        runs.forEach(r -> report.note(f("Round %d, %s: %s", r.round(), r.side(), r.result().step().generatorVerdict())));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("via", via);
        settings.put("rounds", rounds);
        settings.put("steps", List.of(beforeStep(), after));
        options.putSettings(settings);
        settings.put("nodeArgs", plan.get(0).nodeArgs());
        if (builds()) {
            settings.put("before", Map.of("jar", String.valueOf(plan.get(0).jar()), "jvm", String.join(" ", plan.get(0).nodeJvm())));
            settings.put("after", Map.of("jar", String.valueOf(plan.get(1).jar()), "jvm", String.join(" ", plan.get(1).nodeJvm())));
        }
        load.putSettings(settings);
        report.put("settings", settings);
        report.put("results", json(runs, sides));
        saving.save(report);
        return 0;
    }

    /** One row per run: its step, the load as it began, delivered/s, latency, server CPU per delivery by process, lost. */
    static Table runs(List<Run> runs) {
        Table table = new Table("round", "step", "load", "delivered/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                "CPU-us / delivery: nodes", "Redis", "HAProxy", "all", "lost", "generator cores");
        for (Run run : runs) {
            FanoutLoad.Step step = run.result().step();
            Map<String, Double> cpu = step.serverCpuMicrosPerDeliveryByKind();
            table.row(String.valueOf(run.round()), run.side(), f("%.2f", run.loadAverage()),
                    f("%,.0f", step.deliveredPerSecond()), millis(run.p50()), millis(run.p99()),
                    millis(step.latency().getTotalCount() == 0 ? 0 : step.latency().getValueAtPercentile(99.9)),
                    millis(step.latency().getMaxValue()), micros(cpu.get("nodes")), micros(cpu.get("redis")), micros(cpu.get("haproxy")),
                    micros(step.serverCpuMicrosPerDelivery()), f("%,d", run.result().whole().lost()), f("%.2f", step.generatorCores()));
        }
        return table;
    }

    /** The second side over the first (step 7 / step 6, after / before) of each round's pair ("round 1", ...), then of the means over every round ("mean"). */
    static Map<String, Ratios> ratiosByRow(List<Run> runs, List<String> sides) {
        Map<String, Ratios> rows = new LinkedHashMap<>();
        int rounds = runs.stream().mapToInt(Run::round).max().orElse(0);
        for (int round = 1; round <= rounds; round++) {
            rows.put("round " + round, Ratios.of(of(runs, sides.get(0), round), of(runs, sides.get(1), round)));
        }
        rows.put("mean", Ratios.of(of(runs, sides.get(0), 0), of(runs, sides.get(1), 0)));
        return rows;
    }

    /** {@link #ratiosByRow} as a table. */
    static Table ratios(List<Run> runs, List<String> sides) {
        Table table = new Table("", "CPU-us / delivery", "p50", "p99");
        ratiosByRow(runs, sides).forEach((row, ratios) -> {
            List<String> cells = new ArrayList<>(List.of(row));
            cells.addAll(ratios.cells());
            table.row(cells.toArray(String[]::new));
        });
        return table;
    }

    /** The runs of {@code side} in {@code round}, or in every round when it is 0. */
    private static List<Run> of(List<Run> runs, String side, int round) {
        return runs.stream().filter(r -> r.side().equals(side) && (round == 0 || r.round() == round)).toList();
    }

    /** Every run's numbers as fanout records them, and the ratios. */
    static Map<String, Object> json(List<Run> runs, List<String> sides) {
        List<Map<String, Object>> each = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("round", run.round());
            numbers.put("target", run.target());
            numbers.put("side", run.side());
            numbers.put("loadAverageBefore", run.loadAverage());
            run.result().addTo(numbers);
            numbers.put("serverCpuMicrosPerDeliveryByKind", run.result().step().serverCpuMicrosPerDeliveryByKind());
            numbers.put("generatorCores", run.result().step().generatorCores());
            numbers.put("generatorBottleneck", run.result().step().generatorBound());
            each.add(numbers);
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratiosByRow(runs, sides).forEach((row, r) -> ratios.put(row.replace(" ", ""), r.json()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("runs", each);
        json.put("ratios", ratios);
        return json;
    }

    private static String millis(double micros) {
        return f("%.2f", micros / 1000.0);
    }

    private static String micros(Double micros) {
        return micros == null ? "–" : f("%.2f", micros);
    }

    /** A swarm step, as {@code --target} takes it ({@code step8} or {@code 8}); any other step is a usage error. */
    static final class SwarmTargetConverter implements ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            Target target = new ShapeOptions.TargetConverter().convert(value);
            if (!target.swarm()) {
                throw new TypeConversionException("'" + value + "' is not a swarm step: " + SwarmStep.choices(Target.swarmSteps()));
            }
            return target;
        }
    }

    /** {@code direct} or {@code haproxy}; anything else is a usage error. */
    static final class ViaConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.equals("direct") && !value.equals("haproxy")) {
                throw new TypeConversionException("'" + value + "' is not a way to the nodes: direct or haproxy");
            }
            return value;
        }
    }
}
