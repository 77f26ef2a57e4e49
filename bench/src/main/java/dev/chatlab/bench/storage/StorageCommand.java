package dev.chatlab.bench.storage;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Report;
import dev.chatlab.bench.Repository;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.Table;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Step 3's SQLite history: how fast one writer appends (WAL, synchronous=NORMAL, as the server runs it), with JMH. */
@Command(name = "storage", mixinStandardHelpOptions = true, sortOptions = false,
        description = "JMH benchmark of appends to step 3's History (SQLite, WAL) from one writer, round-robin over rooms, "
                + "each trial into a fresh file under bench/target/storage: throughput mode for appends/s, sample-time mode "
                + "for microseconds per append (mean, p50, p99, p99.9, max). About 30 s with the defaults.")
public final class StorageCommand implements Callable<Integer> {
    @Option(names = "--rooms", defaultValue = "20", description = "rooms (default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--chars", defaultValue = "100", description = "characters per message (default: ${DEFAULT-VALUE})")
    int chars;
    @Option(names = "--forks", defaultValue = "1", description = "JMH forks per mode; 0 runs in this JVM (default: ${DEFAULT-VALUE})")
    int forks;
    @Option(names = "--warmup-iterations", defaultValue = "2", description = "JMH warm-up iterations per fork (default: ${DEFAULT-VALUE})")
    int warmupIterations;
    @Option(names = "--iterations", defaultValue = "3", description = "JMH measured iterations per fork (default: ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--iteration-seconds", defaultValue = "2", description = "seconds per iteration (default: ${DEFAULT-VALUE})")
    int iterationSeconds;
    @Mixin
    Saving saving;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** What the two modes measured: appends/s (throughput) and the sampled microseconds per append. */
    record Measured(double appendsPerSecond, double appendsPerSecondError, double microsMean, double p50, double p99,
            double p999, double max, long samples) {
    }

    @Override
    public Integer call() throws Exception {
        Report report = new Report("storage", Report.commandOf(spec));
        report.announce("storage (step 3 History, SQLite, JMH)");
        Path dir = Repository.root().resolve("bench/target/storage");
        Measured m = measure(options(dir, TimeValue.seconds(iterationSeconds)));
        Table table = new Table("Metric", "Value");
        table.row("appends/s (throughput mode, ± 99.9 % error)", f("%,.0f ± %,.0f", m.appendsPerSecond(), m.appendsPerSecondError()));
        table.row("µs per append (sample mode): mean", f("%.1f", m.microsMean()));
        table.row("µs per append p50", f("%.1f", m.p50()));
        table.row("µs per append p99", f("%.1f", m.p99()));
        table.row("µs per append p99.9", f("%.1f", m.p999()));
        table.row("µs per append max", f("%.1f", m.max()));
        table.row("appends sampled", f("%,d", m.samples()));
        report.table(f("storage: 1 writer, %d rooms, appends of %d chars; JMH, %d fork(s) per mode, %d warm-up + %d measured "
                + "iterations of %d s", rooms, chars, forks, warmupIterations, iterations, iterationSeconds), table);
        report.put("settings", Map.of("rooms", rooms, "chars", chars, "forks", forks, "warmupIterations", warmupIterations,
                "iterations", iterations, "iterationSeconds", iterationSeconds, "harness", "JMH"));
        report.put("results", Map.of("appendsPerSecond", m.appendsPerSecond(), "appendsPerSecondError", m.appendsPerSecondError(),
                "microsPerAppend", m.microsMean(), "p50", m.p50(), "p99", m.p99(), "p999", m.p999(), "max", m.max(),
                "samples", m.samples()));
        saving.save(report);
        say("done");
        return 0;
    }

    /** The benchmark in both modes, in microseconds; the iteration time is a parameter so that a test can keep it short. */
    Options options(Path dir, TimeValue iterationTime) {
        return new OptionsBuilder()
                .include(HistoryAppendBenchmark.class.getName() + ".append$")
                .mode(Mode.Throughput)
                .mode(Mode.SampleTime)
                .timeUnit(TimeUnit.MICROSECONDS)
                .forks(forks)
                .warmupIterations(warmupIterations)
                .warmupTime(iterationTime)
                .measurementIterations(iterations)
                .measurementTime(iterationTime)
                .param("rooms", String.valueOf(rooms))
                .param("chars", String.valueOf(chars))
                .param("dir", dir.toString())
                .shouldFailOnError(true)
                .build();
    }

    static Measured measure(Options options) throws RunnerException {
        return measured(new Runner(options).run());
    }

    /** Throughput comes in appends per µs, sample time in µs per append. */
    static Measured measured(Collection<RunResult> runs) {
        RunResult throughput = null;
        RunResult sampled = null;
        for (RunResult run : runs) {
            BenchmarkParams params = run.getParams();
            if (params.getMode() == Mode.Throughput) {
                throughput = run;
            } else if (params.getMode() == Mode.SampleTime) {
                sampled = run;
            }
        }
        if (throughput == null || sampled == null) {
            throw new IllegalStateException("JMH returned no throughput or no sample-time result");
        }
        double error = throughput.getPrimaryResult().getScoreError();
        Statistics s = sampled.getPrimaryResult().getStatistics();
        return new Measured(throughput.getPrimaryResult().getScore() * 1e6, Double.isNaN(error) ? 0 : error * 1e6, s.getMean(),
                s.getPercentile(50), s.getPercentile(99), s.getPercentile(99.9), s.getMax(), s.getN());
    }
}
