package dev.chatlab.bench;

import static dev.chatlab.bench.Report.say;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Every scenario in turn at its default settings, each bounded, then the results page; what `./lab bench` alone runs. */
@Command(name = "all", mixinStandardHelpOptions = true,
        description = "Runs every scenario in turn with its default settings (transports; fanout on step 4, on step 8 and on "
                + "step 8 with --affinity; compare; ramp; capacity; failover; storm; storage), each bounded to a minute or so "
                + "of load a run, then rewrites bench/results/README.md. A scenario that fails is reported and the rest still "
                + "run. About 13 minutes on 2 cores.")
public final class AllCommand implements Callable<Integer> {
    /** The runs, in order: each is a scenario's arguments. */
    static final List<List<String>> RUNS = List.of(
            List.of("transports"),
            // What the pub/sub hop costs: one node against three through Redis, at a rate both hold.
            List.of("fanout", "--target", "step2", "--rate", "1000"),
            List.of("fanout", "--target", "step4", "--rate", "1000"),
            // The target shape: 60,000 deliveries/s offered.
            List.of("fanout", "--target", "step4"),
            // HAProxy in front, then room affinity.
            List.of("fanout", "--target", "step8", "--rate", "1000"),
            List.of("fanout", "--target", "step8", "--rate", "1000", "--affinity"),
            // Step 7 against step 6 on the target shape, straight at the nodes, alternated.
            List.of("compare"),
            List.of("ramp"),
            List.of("capacity"),
            List.of("failover"),
            List.of("storm"),
            List.of("storage"));

    @Mixin
    Saving saving;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long started = System.nanoTime();
        List<String> failed = new ArrayList<>();
        List<String> took = new ArrayList<>();
        for (List<String> run : RUNS) {
            List<String> args = new ArrayList<>(run);
            args.addAll(saving.args());
            String name = String.join(" ", run);
            say("==== bench %s", name);
            long from = System.nanoTime();
            int exit;
            try {
                exit = new CommandLine(spec.root().userObject().getClass()).execute(args.toArray(String[]::new));
            } catch (RuntimeException e) {
                say("bench %s failed: %s", name, e);
                exit = 1;
            }
            took.add(Report.f("%-34s %5.0f s%s", name, (System.nanoTime() - from) / 1e9, exit == 0 ? "" : "  FAILED (exit " + exit + ")"));
            if (exit != 0) {
                failed.add(name);
            }
        }
        if (!saving.noSave()) {
            saving.rewriteSummary();
        }
        System.out.println();
        took.forEach(System.out::println);
        say("all scenarios in %.0f s%s", (System.nanoTime() - started) / 1e9, failed.isEmpty() ? "" : "; failed: " + failed);
        return failed.isEmpty() ? 0 : 1;
    }
}
