package dev.chatlab.bench.summary;

import dev.chatlab.bench.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Rewrites the results page and its charts from what the scenarios left in the results directory; runs nothing. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Rewrites bench/results/README.md, latency.svg and ramp.svg from the last line of each page of "
                + "bench/results/*.jsonl; starts no server. Every scenario does this after it saves.")
public final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--results", description = "the results directory (default: bench/results)")
    Path results;

    @Override
    public Integer call() {
        Path dir = Report.resultsDir(results);
        Summary.write(dir);
        Report.say("wrote %s with latency.svg and ramp.svg", dir.resolve("README.md"));
        return 0;
    }
}
