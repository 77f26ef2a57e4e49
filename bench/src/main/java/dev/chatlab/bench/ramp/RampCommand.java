package dev.chatlab.bench.ramp;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.Table;
import dev.chatlab.bench.Target;
import dev.chatlab.bench.fanout.FanoutLoad;
import dev.chatlab.bench.fanout.ShapeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The fan-out load at rising rates on one swarm, until latency or delivery gives: the highest rate that held.
 */
@Command(name = "ramp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts the fanout scenario's swarm once (step 8, or step 7, 6 or 5, behind HAProxy by least connections, or step 4 "
                + "directly) with its clients, warms it up at the first rate, then runs steps of rising rate (--start-rate, "
                + "times --factor each step), each a short warm-up and a measured window, waiting between steps until the "
                + "deliveries have settled. Only the messages sent in a step's window count toward its latency. Stops at the "
                + "first step whose p99 is above --p99-limit or that delivered less than 95%% of what it offered, or when the "
                + "next step would take the load past --max-load. Reports every step and the last rate that held."})
public final class RampCommand implements Callable<Integer> {
    @Option(names = {"--target", "--step"}, defaultValue = "step8", converter = ShapeOptions.TargetConverter.class,
            description = "step8, step7, step6 or step5 (HAProxy), step4 (direct, round-robin) or step2 (one node); --step takes the number "
                    + "alone (default: ${DEFAULT-VALUE})")
    Target target;
    @Mixin
    ShapeOptions options;
    @Option(names = "--start-rate", defaultValue = "200", description = "messages per second of the first step (default: ${DEFAULT-VALUE})")
    int startRate;
    @Option(names = "--factor", defaultValue = "1.5", description = "each step's rate over the one before (default: ${DEFAULT-VALUE})")
    double factor;
    @Option(names = "--warmup", defaultValue = "25s", converter = DurationConverter.class,
            description = "load at the first rate before the first step, so that it does not measure the nodes' JIT at work "
                    + "(default: ${DEFAULT-VALUE})")
    Duration warmup;
    @Option(names = "--step-warmup", defaultValue = "1s", converter = DurationConverter.class,
            description = "each step's load before its window (default: ${DEFAULT-VALUE})")
    Duration stepWarmup;
    @Option(names = "--step-window", defaultValue = "3s", converter = DurationConverter.class,
            description = "each step's measured window (default: ${DEFAULT-VALUE})")
    Duration step;
    @Option(names = "--settle", defaultValue = "5s", converter = DurationConverter.class,
            description = "at most this long after a step, no load, for its deliveries to arrive (default: ${DEFAULT-VALUE})")
    Duration settle;
    @Option(names = "--p99-limit", defaultValue = "50ms", converter = DurationConverter.class,
            description = "a step whose p99 is above this did not hold (default: ${DEFAULT-VALUE})")
    Duration p99Limit;
    @Option(names = "--max-load", defaultValue = "60s", converter = DurationConverter.class,
            description = "the most load in all, warm-up included; at most 60s (default: ${DEFAULT-VALUE})")
    Duration maxLoad;
    @Mixin
    Saving saving;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Why a ramp ended. */
    enum End {
        P99("p99"), DELIVERED("delivered"), BUDGET("budget");

        final String key;

        End(String key) {
            this.key = key;
        }
    }

    /**
     * The limit a step broke, or null when it held: its p99 (deliveries still owed counted as late as they were when the
     * waiting stopped) above the limit, or less than 95% of the offered deliveries delivered in its window.
     */
    static End broke(FanoutLoad.Step step, long p99LimitMicros) {
        if (Latency.of(step.latencyCountingUnsettled()).p99() > p99LimitMicros) {
            return End.P99;
        }
        if (step.deliveredShare() < FanoutLoad.MIN_DELIVERED_SHARE) {
            return End.DELIVERED;
        }
        return null;
    }

    /** The highest rate a ramp can reach: as many steps as --max-load has room for after --warmup. */
    static double peakRate(int startRate, double factor, Duration warmup, Duration perStep, Duration maxLoad) {
        long steps = maxLoad.minus(warmup).toMillis() / perStep.toMillis();
        return startRate * Math.pow(factor, Math.max(0, steps - 1));
    }

    @Override
    public Integer call() {
        Duration perStep = stepWarmup.plus(step);
        if (startRate < 1 || factor <= 1.0 || step.isZero() || maxLoad.compareTo(Duration.ofSeconds(60)) > 0
                || warmup.plus(perStep).compareTo(maxLoad) > 0 || p99Limit.isZero()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --start-rate >= 1, --factor > 1, --step-window > 0, "
                    + "--p99-limit > 0, --max-load <= 60s and room in it for --warmup and one step");
        }
        FanoutLoad.Shape shape = options.shape(target, false, peakRate(startRate, factor, warmup, perStep, maxLoad), spec);
        Report report = new Report("ramp", shape.page("ramp"), Report.commandOf(spec, "--target", "--affinity"));
        report.announce("ramp via " + target);
        long limitMicros = p99Limit.toNanos() / 1_000;
        say("%d clients in %d rooms, %d senders; from %,d msg/s, x%.2f a step (%s + %s measured), until p99 > %s or "
                + "delivered < %.0f%% of offered", shape.clients(), shape.rooms(), shape.senders(), startRate, factor,
                DurationConverter.format(stepWarmup), DurationConverter.format(step), DurationConverter.format(p99Limit),
                100 * FanoutLoad.MIN_DELIVERED_SHARE);
        List<FanoutLoad.Step> steps = new ArrayList<>();
        End end = End.BUDGET;
        Duration loaded = warmup;
        FanoutLoad.Integrity whole;
        FanoutLoad.Profile profile;
        try (FanoutLoad load = FanoutLoad.start(shape)) {
            load.warmUp(startRate, warmup, settle);
            double rate = startRate;
            while (loaded.plus(perStep).compareTo(maxLoad) <= 0) {
                FanoutLoad.Step s = load.step((int) Math.round(rate), stepWarmup, step, settle);
                loaded = loaded.plus(perStep);
                steps.add(s);
                say("%,6d msg/s: %,.0f of %,.0f deliveries/s, p99 %.1f ms%s", s.rate(), s.deliveredPerSecond(),
                        s.offeredDeliveriesPerSecond(), Latency.of(s.latencyCountingUnsettled()).p99() / 1000.0,
                        s.unsettled() > 0 ? f(", %,d still owed", s.unsettled()) : "");
                End broke = broke(s, limitMicros);
                if (broke != null) {
                    end = broke;
                    break;
                }
                rate *= factor;
            }
            load.settle(Duration.ofSeconds(15));
            whole = load.integrity();
            profile = load.profile(shape.page("ramp"));
        }
        FanoutLoad.Step held = end == End.BUDGET ? steps.get(steps.size() - 1)
                : steps.size() > 1 ? steps.get(steps.size() - 2) : null;
        FanoutLoad.Step last = steps.get(steps.size() - 1);

        Table table = new Table("msg/s", "offered deliveries/s", "delivered/s", "p50 ms", "p99 ms", "max ms", "still owed",
                "dup", "reordered", "server CPU-us / delivery", "generator cores", "held");
        List<Map<String, Object>> stepsJson = new ArrayList<>();
        for (FanoutLoad.Step s : steps) {
            Histogram h = s.latencyCountingUnsettled();
            Latency l = Latency.of(h);
            boolean ok = broke(s, limitMicros) == null;
            table.row(f("%,d", s.rate()), f("%,.0f", s.offeredDeliveriesPerSecond()), f("%,.0f", s.deliveredPerSecond()),
                    f("%.2f", l.p50() / 1000.0), f("%.2f", l.p99() / 1000.0), f("%.2f", l.max() / 1000.0), f("%,d", s.unsettled()),
                    f("%,d", s.duplicated()), f("%,d", s.reordered()), f("%.1f", s.serverCpuMicrosPerDelivery()),
                    f("%.2f", s.generatorCores()), ok ? "yes" : "NO");
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("rate", s.rate());
            j.put("windowSeconds", s.seconds());
            j.put("sentPerSecond", s.sentPerSecond());
            j.put("offeredDeliveriesPerSecond", s.offeredDeliveriesPerSecond());
            j.put("deliveredPerSecond", s.deliveredPerSecond());
            j.put("latencyMicros", Latency.percentiles(h));
            j.put("unsettled", s.unsettled());
            j.put("duplicated", s.duplicated());
            j.put("reordered", s.reordered());
            j.put("serverCpuMicrosPerDelivery", s.serverCpuMicrosPerDelivery());
            j.put("generatorCores", s.generatorCores());
            j.put("cpuSeconds", s.cpuSeconds());
            j.put("held", ok);
            stepsJson.add(j);
        }
        report.table(f("ramp via %s (%d clients, %d rooms, %d senders; %s + %s measured a step; latency counts only the "
                + "messages due in the window, and what was still owed after %s as at least that late)", target + (shape.affinity() ? " affinity" : ""),
                shape.clients(), shape.rooms(), shape.senders(), DurationConverter.format(stepWarmup), DurationConverter.format(step),
                DurationConverter.format(settle)), table);
        String why = switch (end) {
            case P99 -> f("p99 %.1f ms > the %s limit at %,d msg/s", Latency.of(last.latencyCountingUnsettled()).p99() / 1000.0,
                    DurationConverter.format(p99Limit), last.rate());
            case DELIVERED -> f("delivered %.0f%% of the offered deliveries at %,d msg/s (< %.0f%%)", 100 * last.deliveredShare(),
                    last.rate(), 100 * FanoutLoad.MIN_DELIVERED_SHARE);
            case BUDGET -> f("the %s load budget ran out before any limit was reached", DurationConverter.format(maxLoad));
        };
        report.note(held == null
                ? f("Nothing held: the first step (%,d msg/s) already broke a limit: %s.", last.rate(), why)
                : f("The last rate that held: %,d msg/s = %,.0f deliveries/s (delivered %,.0f/s, p99 %.1f ms). Ended by: %s.",
                        held.rate(), held.offeredDeliveriesPerSecond(), held.deliveredPerSecond(),
                        Latency.of(held.latencyCountingUnsettled()).p99() / 1000.0, why));
        report.note(f("Whole ramp: %,d deliveries owed, %,d received, %,d lost, %,d duplicated, %,d reordered, %,d error frames.",
                whole.expected(), whole.received(), whole.lost(), whole.duplicated(), whole.reordered(), whole.errors()));
        report.note("At the step that ended it: " + last.generatorVerdict());

        Map<String, Object> res = new LinkedHashMap<>();
        profile.report(report, last, res);
        res.put("steps", stepsJson);
        res.put("heldRate", held == null ? null : held.rate());
        res.put("heldDeliveriesPerSecond", held == null ? null : held.offeredDeliveriesPerSecond());
        res.put("heldLatencyMicros", held == null ? null : Latency.percentiles(held.latencyCountingUnsettled()));
        res.put("endedBy", end.key);
        res.put("endedByText", why);
        res.put("generatorBottleneck", last.generatorBound());
        res.put("loadSeconds", loaded.toMillis() / 1000.0);
        Map<String, Object> integrity = new LinkedHashMap<>();
        whole.addTo(integrity);
        res.put("whole", integrity);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("target", target);
        settings.put("affinity", shape.affinity());
        options.putSettings(settings);
        settings.put("nodeArgs", shape.nodeArgs());
        settings.put("startRate", startRate);
        settings.put("factor", factor);
        settings.put("warmup", warmup.toString());
        settings.put("stepWarmup", stepWarmup.toString());
        settings.put("step", step.toString());
        settings.put("settle", settle.toString());
        settings.put("p99LimitMillis", p99Limit.toNanos() / 1e6);
        settings.put("minDeliveredShare", FanoutLoad.MIN_DELIVERED_SHARE);
        settings.put("maxLoad", maxLoad.toString());
        report.put("settings", settings);
        report.put("results", res);
        saving.save(report);
        return 0;
    }
}
