package dev.chatlab.bench.storm;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.SwarmStep;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Pause;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.Table;
import dev.chatlab.bench.crowd.Crowd;
import dev.chatlab.bench.crowd.CrowdOptions;
import dev.chatlab.bench.failover.FailoverCommand;
import dev.chatlab.testkit.process.Signal;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A reconnect storm: every client of one node has to reconnect at once (the node SIGKILLed, or drained), while the
 * others keep chatting; how long until all of them are back, and what the storm does to everyone else's messages.
 */
@Command(name = "storm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts the swarm (Redis, 3 nodes of step 8, or of --step 7, 6 or 5, HAProxy by least connections) through the testkit and "
                + "ResilientClients (heartbeat 1 s, dead after 3 s, backoff 100 ms..2 s) chatting steadily, one message every "
                + "--every each; after --warmup and --before, sends one node's clients all away at once (--via kill: SIGKILL; "
                + "--via drain: POST /admin/drain, else SIGTERM, so the node closes them with 1012 over its drain window). "
                + "Reports how many had to move, event -> resumed (connected again, history intact) p50/p99/max and when all "
                + "were back, the other clients' delivery latency during the storm against before it, and lost/duplicated/"
                + "reordered messages.")
public final class StormCommand implements Callable<Integer> {
    @Option(names = "--via", defaultValue = "kill", description = "kill (SIGKILL) or drain (admin endpoint, else SIGTERM) (default: ${DEFAULT-VALUE})")
    String via;
    @Option(names = "--node", defaultValue = "2", description = "which node of the three (default: ${DEFAULT-VALUE})")
    int node;
    @Mixin
    CrowdOptions crowdOptions;
    @Option(names = "--warmup", defaultValue = "3", description = "seconds of traffic before anything counts (default: ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--before", defaultValue = "10", description = "seconds of traffic measured before the event (default: ${DEFAULT-VALUE})")
    int before;
    @Option(names = "--within", defaultValue = "30", description = "seconds the moved clients have to be back (default: ${DEFAULT-VALUE})")
    int within;
    @Option(names = "--after", defaultValue = "3", description = "seconds of traffic once they are (default: ${DEFAULT-VALUE})")
    int after;
    @Option(names = "--node-args", defaultValue = "", description = "extra options for every node, e.g. '--drain-window 2s' "
            + "(default: none: the node's own drain grace 3 s and window 10 s)")
    String nodeArgs;
    @Mixin
    SwarmStep swarmStep;
    @Mixin
    Saving saving;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!via.equals("kill") && !via.equals("drain")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--via must be kill or drain");
        }
        if (node < 1 || node > 3 || !crowdOptions.valid() || warmup < 0 || before < 1 || within < 1
                || after < 0 || warmup + before + within + after > 60) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --node 1..3, --clients >= --rooms >= 1, "
                    + "--every >= 10, --before and --within >= 1, and --warmup + --before + --within + --after <= 60");
        }
        Report report = new Report("storm", swarmStep.page("storm-" + via), Report.commandOf(spec, "--via"));
        report.announce("reconnect storm (step " + swarmStep.number() + " swarm, node-" + node + " " + (via.equals("kill") ? "SIGKILLed" : "drained") + ")");
        Path jar = swarmStep.jar();
        List<String> extra = nodeArgs.isBlank() ? List.of() : Arrays.asList(nodeArgs.trim().split("\\s+"));
        int clients = crowdOptions.clients();
        try (Swarm swarm = FailoverCommand.startSwarm(jar, extra);
             Crowd crowd = crowdOptions.chatOn(swarm)) {
            Pause.of(Duration.ofSeconds(warmup));
            long measuredFrom = System.nanoTime();
            Pause.of(Duration.ofSeconds(before));
            crowd.mark();
            ChatNodeProcess victim = swarm.node(node);
            long moving = crowd.byNode().getOrDefault(victim.nodeId(), 0L);
            long eventAt = System.nanoTime();
            String event = send(victim);
            say("%s; %d clients have to move", event, moving);
            boolean allBack = Pause.until(() -> crowd.allBack(victim.nodeId(), eventAt), Duration.ofSeconds(within));
            say(allBack ? "every moved client is back: %s" : "not every moved client is back after the wait: %s", crowd.byNode());
            Pause.of(Duration.ofSeconds(after));
            crowd.stop();

            Crowd.Resumes back = crowd.resumes(victim.nodeId(), eventAt);
            Crowd.Integrity integrity = crowd.integrity();
            Latency resumed = Latency.of(back.sinceEvent());
            Latency outage = Latency.of(back.reconnect());
            long stormMicros = Math.max(1_000_000, allBack ? resumed.max() : within * 1_000_000L);
            IntPredicate survivors = crowd.on(victim.nodeId()).negate();
            Histogram calm = crowd.latency(survivors, survivors, measuredFrom, eventAt);
            Histogram storm = crowd.latency(survivors, survivors, eventAt, eventAt + stormMicros * 1_000);
            Latency c = Latency.of(calm);
            Latency s = Latency.of(storm);

            Table table = new Table("Metric", "Value");
            table.row("clients", f("%d", clients));
            table.row("rooms", f("%d", crowdOptions.rooms()));
            table.row("event", event);
            table.row("clients that had to move", f("%d", back.movers()));
            table.row("of them not back within " + within + " s", f("%d", back.notBack()));
            table.row("of them resumed with a hole (not recovered)", f("%d", back.unrecovered()));
            table.row("event -> resumed p50 ms", f("%.0f", resumed.p50() / 1000.0));
            table.row("event -> resumed p99 ms", f("%.0f", resumed.p99() / 1000.0));
            table.row("event -> resumed max ms", f("%.0f", resumed.max() / 1000.0));
            table.row("all resumed after ms", allBack ? f("%.0f", resumed.max() / 1000.0) : "not all");
            table.row("outage (disconnect -> resumed) p50 ms", f("%.0f", outage.p50() / 1000.0));
            table.row("outage p99 ms", f("%.0f", outage.p99() / 1000.0));
            table.row("outage max ms", f("%.0f", outage.max() / 1000.0));
            table.row("others' latency before (" + before + " s) p50 / p99 / max ms",
                    f("%.1f / %.1f / %.1f", c.p50() / 1000.0, c.p99() / 1000.0, c.max() / 1000.0));
            table.row(f("others' latency in the storm (%.1f s) p50 / p99 / max ms", stormMicros / 1e6),
                    f("%.1f / %.1f / %.1f", s.p50() / 1000.0, s.p99() / 1000.0, s.max() / 1000.0));
            table.row("others' deliveries before / in the storm", f("%,d / %,d", c.count(), s.count()));
            integrity.addTo(table);
            report.table(f("storm: %d ResilientClients in %d rooms, a message every %d ms each; %s after %d s", clients,
                    crowdOptions.rooms(), crowdOptions.everyMillis(), event, warmup + before), table);
            report.note("\"Others\" are the clients on the other nodes; their latency counts the messages they sent to each other "
                    + "(send call to delivery), before the event and from the event until the last moved client was back.");
            report.note(integrity.verdict());

            Map<String, Object> res = new LinkedHashMap<>();
            res.put("event", event);
            res.put("moved", back.movers());
            res.put("notBack", back.notBack());
            res.put("unrecovered", back.unrecovered());
            res.put("resumeMillis", Crowd.millis(back.sinceEvent()));
            res.put("allResumedMillis", allBack ? resumed.max() / 1000.0 : null);
            res.put("outageMillis", Crowd.millis(back.reconnect()));
            res.put("stormSeconds", stormMicros / 1e6);
            res.put("othersLatencyMicros", Map.of("before", counted(calm), "storm", counted(storm)));
            integrity.addTo(res);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("step", swarmStep.number());
            settings.put("via", via);
            settings.put("node", node);
            crowdOptions.putSettings(settings);
            settings.put("warmup", warmup);
            settings.put("before", before);
            settings.put("within", within);
            settings.put("after", after);
            settings.put("nodeArgs", nodeArgs);
            report.put("settings", settings);
            report.put("results", res);
        }
        saving.save(report);
        return 0;
    }

    /** Sends the victim's clients away; says how. */
    private String send(ChatNodeProcess victim) {
        if (via.equals("kill")) {
            victim.kill();
            return "SIGKILL " + victim.nodeId();
        }
        int status = victim.drainViaAdmin();
        if (status / 100 == 2) {
            return "drain " + victim.nodeId() + " (POST /admin/drain)";
        }
        say("POST /admin/drain answered %d; SIGTERM instead", status);
        victim.signal(Signal.TERM);
        return "drain " + victim.nodeId() + " (SIGTERM)";
    }

    private static Map<String, Long> counted(Histogram micros) {
        Map<String, Long> out = new LinkedHashMap<>(Latency.percentiles(micros));
        out.put("count", micros.getTotalCount());
        return out;
    }
}
