package dev.chatlab.bench.fanout;

import static dev.chatlab.bench.Report.f;

import dev.chatlab.bench.DurationConverter;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.Table;
import dev.chatlab.bench.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Fan-out through Redis: a swarm of nodes (step 4 directly, or step 5, 6, 7 or 8 behind HAProxy), many members per room,
 * a few senders at a fixed total rate; delivered rate, latency, loss/duplicates/reordering and CPU per delivery.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts Redis and 3 nodes (step 4, clients spread over the nodes round-robin; or step 5, 6, 7 or 8 behind HAProxy, "
                + "or with --direct round-robin too), "
                + "joins the clients to their rooms and has the senders send at a fixed total rate, each text carrying its "
                + "send time (nanoTime, same JVM). Reports delivered msgs/s, latency p50..max, lost/duplicated/reordered by "
                + "seq per member, CPU of every server process and of the generator, and server CPU-us per delivery.",
            "With --typing (step 8) the senders send typing signals instead, relayed by the nodes to the other members of "
                + "the room and never stored: the same figures but latency, since a typing frame carries no send time."})
public final class FanoutCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = {"--target", "--step"}, defaultValue = "step4", converter = ShapeOptions.TargetConverter.class,
            description = "step2 (one node, rooms in memory), step4 (3 nodes direct, round-robin), step5, step6, step7 or step8 (HAProxy); "
                    + "--step takes the number alone (default: ${DEFAULT-VALUE})")
    Target target;
    @Option(names = "--direct", description = "with --target step5, step6, step7 or step8: no HAProxy; the clients connect to the nodes "
            + "round-robin, as on step 4")
    boolean direct;
    @Option(names = "--typing", description = "with --target step8: the senders send typing signals instead of messages, at "
            + "--rate in all, each owed to the other members of the room; the nodes relay every one (--typing-interval 0ms)")
    boolean typing;
    @Mixin
    ShapeOptions options;
    @Mixin
    LoadOptions load;
    @Mixin
    Saving saving;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        load.check(spec);
        int rate = load.rate;
        FanoutLoad.Shape shape = shape(rate);
        String page = shape.page("fanout") + "-" + rate;
        Report report = new Report("fanout", page, Report.commandOf(spec, "--target", "--affinity"));
        String via = target + (direct ? " direct" : "");
        report.announce((typing ? "typing fanout via " : "fanout via ") + via);
        FanoutLoad.Result result = load.run(shape, page);
        FanoutLoad.Step step = result.step();
        FanoutLoad.Integrity whole = result.whole();
        Histogram all = step.latency();
        Latency lat = Latency.of(all);
        double seconds = step.seconds();
        Table table = new Table("Metric", "Value");
        if (typing) {
            table.row("offered typing signals/s (sent)", f("%,.0f", step.sentPerSecond()));
            table.row("offered deliveries/s (to the other members)", f("%,.0f", step.offeredDeliveriesPerSecond()));
            table.row("delivered typing frames/s", f("%,.0f", step.deliveredPerSecond()));
        } else {
            table.row("offered msgs/s (sent)", f("%,.0f", step.sentPerSecond()));
            table.row("offered deliveries/s", f("%,.0f", step.offeredDeliveriesPerSecond()));
            table.row("delivered msgs/s", f("%,.0f", step.deliveredPerSecond()));
            table.row("latency p50 ms", f("%.2f", lat.p50() / 1000.0));
            table.row("latency p90 ms", f("%.2f", all.getValueAtPercentile(90) / 1000.0));
            table.row("latency p99 ms", f("%.2f", lat.p99() / 1000.0));
            table.row("latency p99.9 ms", f("%.2f", all.getValueAtPercentile(99.9) / 1000.0));
            table.row("latency max ms", f("%.2f", lat.max() / 1000.0));
        }
        table.row("expected deliveries (whole run)", f("%,d", whole.expected()));
        table.row("received", f("%,d", whole.received()));
        table.row("lost (not delivered " + FanoutLoad.DRAIN.toSeconds() + " s after the end)", f("%,d", whole.lost()));
        if (typing) {
            table.row("received beyond what was owed", f("%,d", whole.duplicated()));
            table.row("own signals sent back to their sender", f("%,d", whole.ownTypings()));
            table.row("signals the nodes dropped (chat_typing_dropped_total, whole run)",
                    whole.typingDropped() < 0 ? "–" : f("%,d", whole.typingDropped()));
        } else {
            table.row("duplicated", f("%,d", whole.duplicated()));
            table.row("reordered", f("%,d", whole.reordered()));
        }
        table.row("error frames", f("%,d", whole.errors()));
        step.serverCpuMicros().forEach((name, micros) -> table.row("CPU " + name + " (cores)", f("%.2f", micros / 1e6 / seconds)));
        table.row("CPU generator (cores)", f("%.2f", step.generatorCores()));
        table.row(typing ? "server CPU-us per delivered typing frame" : "server CPU-us per delivered msg",
                f("%.2f", step.serverCpuMicrosPerDelivery()));
        report.table((typing ? "typing fanout via " : "fanout via ") + via + " (" + shape.clients() + " clients, " + shape.rooms()
                + " rooms, " + shape.senders() + " senders, " + f("%,d", rate) + (typing ? " typing signals/s, " : " msg/s, ")
                + DurationConverter.format(load.duration) + " measured)", table);
        if (typing) {
            report.note(TYPING_NOTE);
        }
        report.note(step.generatorVerdict());
        Map<String, Object> numbers = new LinkedHashMap<>();
        result.profile().report(report, step, numbers);
        result.addTo(numbers);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("target", target);
        settings.put("direct", direct);
        settings.put("typing", typing);
        options.putSettings(settings);
        settings.put("nodeArgs", shape.nodeArgs());
        load.putSettings(settings);
        report.put("settings", settings);
        report.put("results", numbers);
        saving.save(report);
        return 0;
    }

    /** What a typing run measures, and what it cannot. */
    static final String TYPING_NOTE = "Each sender sends typing signals, not messages: the node publishes each once on the room's "
            + "typing channel (no append to the history, no seq, no ack) and every node sends it to the room's other members. "
            + "A typing frame carries the room and the sender's name only, no send time, so there is no latency here, and "
            + "nothing to tell one signal from another: lost is what was still missing at the end, and what came beyond "
            + "what was owed would count above. The members join with names of their own (m0, m1, ...).";

    /** The shape the options describe, its senders typing with --typing; a usage error when they do not fit. */
    FanoutLoad.Shape shape(int rate) {
        if (typing && !target.presence()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--typing goes with --target step8 (the steps before "
                    + "it relay no typing signals)");
        }
        FanoutLoad.Shape shape = options.shape(target, direct, rate, spec);
        return typing ? shape.withTyping() : shape;
    }
}
