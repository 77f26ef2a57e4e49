package dev.chatlab.bench;

import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.summary.Summary;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a run's results go, the same for every scenario: {@code --results DIR} and {@code --no-save}; saving a run
 * also rewrites the summary, {@code README.md} and its charts.
 */
public final class Saving {
    @Option(names = "--results", description = "the results directory, with <scenario>.jsonl, <page>.md and README.md "
            + "(default: bench/results)")
    Path results;
    @Option(names = "--no-save", description = "print only: write nothing to the results directory")
    boolean noSave;

    public Path dir() {
        return Report.resultsDir(results);
    }

    public boolean noSave() {
        return noSave;
    }

    /** The options again, for a scenario run from another command. */
    public java.util.List<String> args() {
        java.util.List<String> args = new java.util.ArrayList<>();
        if (results != null) {
            args.addAll(java.util.List.of("--results", results.toString()));
        }
        if (noSave) {
            args.add("--no-save");
        }
        return args;
    }

    /** Saves the run's report, then rewrites the summary from it; nothing with --no-save. */
    public void save(Report report) {
        report.save(dir(), noSave);
        if (!noSave) {
            rewriteSummary();
        }
    }

    /** Rewrites the summary; a fault there must not cost the run its results, which are saved already. */
    public void rewriteSummary() {
        Path dir = dir();
        try {
            Summary.write(dir);
            say("rewrote %s", dir.resolve("README.md"));
        } catch (RuntimeException e) {
            say("could not rewrite the summary in %s: %s", dir, e);
        }
    }
}
