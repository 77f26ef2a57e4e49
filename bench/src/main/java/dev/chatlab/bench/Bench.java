package dev.chatlab.bench;

import dev.chatlab.bench.transports.TransportsCommand;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The lab's benchmarks: one subcommand per scenario, each on loopback, each printing a table and appending JSON to {@code bench/results/}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the chat lab's servers on loopback. Each scenario starts the servers it needs as separate "
                + "processes, prints a table, appends a JSON line to bench/results/<scenario>.jsonl and rewrites "
                + "bench/results/<scenario>.md.",
        subcommands = {TransportsCommand.class, dev.chatlab.bench.fanout.FanoutCommand.class, dev.chatlab.bench.failover.FailoverCommand.class, dev.chatlab.bench.capacity.CapacityCommand.class, dev.chatlab.bench.storage.StorageCommand.class, CommandLine.HelpCommand.class})
public final class Bench implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    /**
     * The repository's root: found from where the bench's own classes live ({@code bench/target/...}),
     * so that default paths work from any directory; the working directory otherwise.
     */
    public static Path repositoryRoot() {
        try {
            Path here = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = here; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("bench"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back below
        }
        return Path.of("").toAbsolutePath();
    }
}
