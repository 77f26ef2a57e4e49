package dev.chatlab.bench.failover;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Pause;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.SwarmStep;
import dev.chatlab.bench.Table;
import dev.chatlab.bench.crowd.Crowd;
import dev.chatlab.bench.crowd.CrowdOptions;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A node killed under steady traffic: how long its clients take to be back, and whether anything acked went missing. */
@Command(name = "failover", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts the swarm (Redis, 3 nodes of step 8, or of --step 7, 6 or 5, HAProxy) through the testkit, connects ResilientClients "
                + "(heartbeat 1 s, dead after 3 s, backoff 100 ms..2 s), each sending one message every 2 s; kills one node "
                + "with SIGKILL after --before, keeps sending for --after, then waits for every ack. Reports the killed node's "
                + "clients' reconnect time (disconnect -> connected) and lost/duplicated/reordered/unacked messages.")
public final class FailoverCommand implements Callable<Integer> {
    @Mixin
    CrowdOptions crowdOptions;
    @Option(names = "--before", defaultValue = "10", description = "seconds of traffic before the kill (default: ${DEFAULT-VALUE})")
    int before;
    @Option(names = "--after", defaultValue = "15", description = "seconds of traffic after it (default: ${DEFAULT-VALUE})")
    int after;
    @Mixin
    SwarmStep swarmStep;
    @Mixin
    Saving saving;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Report report = new Report("failover", swarmStep.page("failover"), Report.commandOf(spec));
        report.announce("failover (step " + swarmStep.number() + " swarm, one node SIGKILLed)");
        Path jar = swarmStep.jar();
        int clients = crowdOptions.clients();
        try (Swarm swarm = startSwarm(jar, List.of());
             Crowd crowd = crowdOptions.chatOn(swarm)) {
            Pause.of(Duration.ofSeconds(before));
            crowd.mark();
            ChatNodeProcess victim = swarm.node(2);
            long killAt = System.nanoTime();
            victim.kill();
            say("SIGKILLed %s", victim);
            Pause.of(Duration.ofSeconds(after));
            crowd.stop();
            Crowd.Integrity integrity = crowd.integrity();
            Crowd.Resumes back = crowd.resumes(victim.nodeId(), killAt);
            Latency r = Latency.of(back.reconnect());
            Latency k = Latency.of(back.sinceEvent());
            Table table = new Table("Metric", "Value");
            table.row("clients", f("%d", clients));
            table.row("rooms", f("%d", crowdOptions.rooms()));
            table.row("killed node's clients", f("%d", back.movers()));
            table.row("of them not back", f("%d", back.notBack()));
            table.row("reconnect (disconnect -> connected) p50 ms", f("%.0f", r.p50() / 1000.0));
            table.row("reconnect p99 ms", f("%.0f", r.p99() / 1000.0));
            table.row("reconnect max ms", f("%.0f", r.max() / 1000.0));
            table.row("kill -> connected p50 ms", f("%.0f", k.p50() / 1000.0));
            table.row("kill -> connected max ms", f("%.0f", k.max() / 1000.0));
            integrity.addTo(table);
            report.table(f("failover: %d ResilientClients in %d rooms, a message every %d ms each; node-2 SIGKILLed after %d s, "
                    + "%d s more traffic", clients, crowdOptions.rooms(), crowdOptions.everyMillis(), before, after), table);
            report.note(integrity.verdict());
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("victims", back.movers());
            res.put("notBack", back.notBack());
            res.put("reconnectMillis", Crowd.millis(back.reconnect()));
            integrity.addTo(res);
            Map<String, Object> settings = new LinkedHashMap<>();
            crowdOptions.putSettings(settings);
            settings.put("step", swarmStep.number());
            settings.put("before", before);
            settings.put("after", after);
            report.put("settings", settings);
            report.put("results", res);
        }
        saving.save(report);
        return 0;
    }

    /** The swarm of {@code jar}'s nodes (Redis, 3 nodes, HAProxy by least connections), once HAProxy has every node in rotation. */
    public static Swarm startSwarm(Path jar, List<String> nodeArgs) {
        Swarm swarm = Swarm.builder(jar).nodes(3).balancing(Balancing.LEAST_CONNECTIONS).nodeArgs(nodeArgs).start();
        if (!Pause.until(swarm::allNodesInRotation, Duration.ofSeconds(30))) {
            say("HAProxy has not every node in rotation after 30 s: %s", swarm.haproxy().nodeStates());
        }
        return swarm;
    }
}
