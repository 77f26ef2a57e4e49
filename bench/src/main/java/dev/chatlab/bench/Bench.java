package dev.chatlab.bench;

import dev.chatlab.bench.capacity.CapacityCommand;
import dev.chatlab.bench.failover.FailoverCommand;
import dev.chatlab.bench.fanout.CompareCommand;
import dev.chatlab.bench.fanout.FanoutCommand;
import dev.chatlab.bench.ramp.RampCommand;
import dev.chatlab.bench.storage.StorageCommand;
import dev.chatlab.bench.storm.StormCommand;
import dev.chatlab.bench.summary.SummaryCommand;
import dev.chatlab.bench.transports.TransportsCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The lab's benchmarks: one subcommand per scenario, each on loopback, each printing a table and appending JSON to {@code bench/results/}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures the chat lab's servers on loopback. Each scenario starts the servers it needs as separate "
                + "processes, prints a table, appends a JSON line to bench/results/<scenario>.jsonl and rewrites "
                + "bench/results/<page>.md and the summary, bench/results/README.md.",
            "Without a scenario, runs them all (the same as `all`)."},
        subcommands = {TransportsCommand.class, FanoutCommand.class, RampCommand.class, FailoverCommand.class, StormCommand.class,
            CapacityCommand.class, StorageCommand.class, CompareCommand.class, AllCommand.class, SummaryCommand.class, CommandLine.HelpCommand.class})
public final class Bench implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** No scenario named: every one of them. */
    @Override
    public Integer call() {
        return spec.commandLine().getSubcommands().get("all").execute();
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }
}
