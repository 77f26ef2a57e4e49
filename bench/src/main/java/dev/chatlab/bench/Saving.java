package dev.chatlab.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a run's results go, the same for every scenario: {@code --results DIR} and {@code --no-save}. */
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

    public void save(Report report) {
        report.save(dir(), noSave);
    }
}
