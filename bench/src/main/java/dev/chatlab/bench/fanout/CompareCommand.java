package dev.chatlab.bench.fanout;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Machine;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.Table;
import java.util.ArrayList;
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
 * Step 7 against step 6 on one shape, alternately in one run (6, 7, 6, 7, ...), so that whatever else the shared
 * machine does falls on both: each run a whole fanout on fresh processes, then the ratios step 7 / step 6.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs fanout's standard shape (by default 200 clients in 10 rooms, 20 senders, 3,000 msg/s = 60,000 "
                + "deliveries/s, 30 s warm-up and 20 s measured; Redis and 3 nodes, the clients connected to the nodes "
                + "round-robin) on step 6, then step 7, --rounds times, each run a whole fanout on processes of its own. "
                + "Reports each run (delivered/s, latency, server CPU-us per delivery of the nodes, Redis and HAProxy, lost) "
                + "and the ratios step 7 / step 6 of CPU per delivery, p50 and p99, for each round and for the means.",
            "Takes about --rounds x 2 x (start-up + --warmup + --duration + up to 15 s for the deliveries to settle): "
                + "about 5 minutes by default (4 runs of 65-80 s on 2 cores)."})
public final class CompareCommand implements Callable<Integer> {
    /** The steps compared, the older first: each round runs them in this order. */
    static final List<String> TARGETS = List.of("step6", "step7");

    @Option(names = "--via", defaultValue = "direct", converter = ViaConverter.class,
            description = "direct (the clients connect to the nodes round-robin) or haproxy (through HAProxy, least "
                    + "connections, or with --affinity room affinity) (default: ${DEFAULT-VALUE})")
    String via;
    @Option(names = "--rounds", defaultValue = "2", description = "rounds, each a run of step 6 then one of step 7 (default: ${DEFAULT-VALUE})")
    int rounds;
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
     * @param loadAverage the machine's 1-minute load average as the run began
     * @param result      what fanout measured
     */
    record Run(int round, double loadAverage, FanoutLoad.Result result) {
        String target() {
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

    /** Step 7's figure over step 6's, NaN where step 6's is 0. */
    record Ratios(double cpuPerDelivery, double p50, double p99) {
        static Ratios of(List<Run> sixes, List<Run> sevens) {
            return new Ratios(ratio(sixes, sevens, Run::cpuPerDelivery), ratio(sixes, sevens, Run::p50), ratio(sixes, sevens, Run::p99));
        }

        private static double ratio(List<Run> sixes, List<Run> sevens, ToDoubleFunction<Run> figure) {
            double six = sixes.stream().mapToDouble(figure).average().orElse(0);
            double seven = sevens.stream().mapToDouble(figure).average().orElse(Double.NaN);
            return six == 0 ? Double.NaN : seven / six;
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

    /** The shapes of the runs in the order they run: step 6, step 7, step 6, ...; a usage error when the options do not fit. */
    List<FanoutLoad.Shape> plan() {
        if (rounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
        }
        load.check(spec);
        List<FanoutLoad.Shape> shapes = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (String target : TARGETS) {
                shapes.add(options.shape(target, via.equals("direct"), load.rate, spec));
            }
        }
        return shapes;
    }

    @Override
    public Integer call() {
        List<FanoutLoad.Shape> plan = plan();
        String page = via.equals("direct") ? "compare" : "compare-" + via;
        Report report = new Report("compare", page, Report.commandOf(spec, "--via"));
        report.announce(f("step 6 against step 7, %s, %d round%s", via, rounds, rounds == 1 ? "" : "s"));
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            FanoutLoad.Shape shape = plan.get(i);
            int round = i / TARGETS.size() + 1;
            double loadAverage = Machine.loadAverage();
            say("run %d of %d: %s %s, round %d; load average %.2f", i + 1, plan.size(), shape.target(), via, round, loadAverage);
            runs.add(new Run(round, loadAverage, load.run(shape, page + "-" + shape.target() + "-" + round)));
        }
        FanoutLoad.Shape shape = plan.get(0);
        report.table(f("each run (%d clients, %d rooms, %d senders, %,d msg/s, %s measured after %s of warm-up; %s)", shape.clients(),
                shape.rooms(), shape.senders(), load.rate, DurationConverter.format(load.duration),
                DurationConverter.format(load.warmup), via), runs(runs));
        report.table("step 7 / step 6 (below 1: step 7 uses less, or is faster)", ratios(runs));
        runs.forEach(r -> report.note(f("Round %d, %s: %s", r.round(), r.target(), r.result().step().generatorVerdict())));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("via", via);
        settings.put("rounds", rounds);
        options.putSettings(settings);
        settings.put("nodeArgs", plan.get(0).nodeArgs());
        load.putSettings(settings);
        report.put("settings", settings);
        report.put("results", json(runs));
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
            table.row(String.valueOf(run.round()), run.target().substring("step".length()), f("%.2f", run.loadAverage()),
                    f("%,.0f", step.deliveredPerSecond()), millis(run.p50()), millis(run.p99()),
                    millis(step.latency().getTotalCount() == 0 ? 0 : step.latency().getValueAtPercentile(99.9)),
                    millis(step.latency().getMaxValue()), micros(cpu.get("nodes")), micros(cpu.get("redis")), micros(cpu.get("haproxy")),
                    micros(step.serverCpuMicrosPerDelivery()), f("%,d", run.result().whole().lost()), f("%.2f", step.generatorCores()));
        }
        return table;
    }

    /** Step 7 / step 6 of each round's pair ("round 1", ...), then of the means over every round ("mean"). */
    static Map<String, Ratios> ratiosByRow(List<Run> runs) {
        Map<String, Ratios> rows = new LinkedHashMap<>();
        int rounds = runs.stream().mapToInt(Run::round).max().orElse(0);
        for (int round = 1; round <= rounds; round++) {
            rows.put("round " + round, Ratios.of(of(runs, TARGETS.get(0), round), of(runs, TARGETS.get(1), round)));
        }
        rows.put("mean", Ratios.of(of(runs, TARGETS.get(0), 0), of(runs, TARGETS.get(1), 0)));
        return rows;
    }

    /** {@link #ratiosByRow} as a table. */
    static Table ratios(List<Run> runs) {
        Table table = new Table("", "CPU-us / delivery", "p50", "p99");
        ratiosByRow(runs).forEach((row, ratios) -> {
            List<String> cells = new ArrayList<>(List.of(row));
            cells.addAll(ratios.cells());
            table.row(cells.toArray(String[]::new));
        });
        return table;
    }

    /** The runs of {@code target} in {@code round}, or in every round when it is 0. */
    private static List<Run> of(List<Run> runs, String target, int round) {
        return runs.stream().filter(r -> r.target().equals(target) && (round == 0 || r.round() == round)).toList();
    }

    /** Every run's numbers as fanout records them, and the ratios. */
    static Map<String, Object> json(List<Run> runs) {
        List<Map<String, Object>> each = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("round", run.round());
            numbers.put("target", run.target());
            numbers.put("loadAverageBefore", run.loadAverage());
            run.result().addTo(numbers);
            numbers.put("serverCpuMicrosPerDeliveryByKind", run.result().step().serverCpuMicrosPerDeliveryByKind());
            numbers.put("generatorCores", run.result().step().generatorCores());
            numbers.put("generatorBottleneck", run.result().step().generatorBound());
            each.add(numbers);
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        ratiosByRow(runs).forEach((row, r) -> ratios.put(row.replace(" ", ""), r.json()));
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
