package dev.chatlab.bench.fanout;

import dev.chatlab.bench.SwarmStep;
import dev.chatlab.bench.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options of a {@link FanoutLoad.Shape} that {@code fanout}, {@code ramp} and {@code compare} share. */
public final class ShapeOptions {
    /** The steps a swarm runs behind HAProxy: the swarm steps. */
    static final List<Target> HAPROXY_TARGETS = Target.swarmSteps();
    /** Every target, oldest first. */
    static final List<Target> TARGETS = List.of(Target.values());

    /** A target as {@code --target stepN} or {@code --step N} gives it (either spelling for either). */
    public static final class TargetConverter implements ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            String target = value.matches("\\d+") ? "step" + value : value;
            return Target.named(target).orElseThrow(() -> new TypeConversionException("'" + value + "' is not a target: "
                    + SwarmStep.choices(TARGETS) + " (or " + String.join(", ", TARGETS.stream().map(t -> String.valueOf(t.number())).toList()) + ")"));
        }
    }

    @Option(names = "--affinity", description = "through HAProxy (--target step5, step6, step7 or step8; compare --via haproxy): its "
            + "room-affinity config (roomId in the URL, consistently hashed), so each room lives on one node")
    boolean affinity;
    @Option(names = "--nodes", defaultValue = "3", description = "chat nodes (default: ${DEFAULT-VALUE})")
    int nodeCount;
    @Option(names = "--clients", defaultValue = "200", description = "members in all (default: ${DEFAULT-VALUE})")
    int clients;
    @Option(names = "--rooms", defaultValue = "10", description = "rooms; member i is in room i mod rooms (default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--senders", defaultValue = "20", description = "members that also send (default: ${DEFAULT-VALUE})")
    int senders;
    @Option(names = "--node-jvm-args", defaultValue = "-Xmx512m", description = "JVM options of each node (default: ${DEFAULT-VALUE})")
    String nodeJvmArgs;
    @Option(names = "--jfr", description = "record each node with Java Flight Recorder (settings=profile); the recordings go to "
            + "bench/target/jfr/ and a summary by phase of the message path to the results")
    boolean jfr;

    /** What --node-jvm-args says. */
    public String nodeJvmArgs() {
        return nodeJvmArgs;
    }

    /**
     * The shape these options describe on {@code target}, its members connected to the nodes directly when {@code direct}
     * (else through HAProxy, on the swarm steps), its nodes told to lift the limits that {@code peakRate} (messages per
     * second, all senders together, at the most) would reach; a usage error for {@code spec}'s command when they do not fit.
     */
    public FanoutLoad.Shape shape(Target target, boolean direct, double peakRate, CommandLine.Model.CommandSpec spec) {
        return shape(target, direct, peakRate, spec, nodeJvmArgs);
    }

    /** As {@link #shape(Target, boolean, double, CommandLine.Model.CommandSpec)}, the nodes run with {@code jvmArgs} instead of --node-jvm-args. */
    public FanoutLoad.Shape shape(Target target, boolean direct, double peakRate, CommandLine.Model.CommandSpec spec, String jvmArgs) {
        if (direct && !HAPROXY_TARGETS.contains(target)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--direct goes with --target "
                    + SwarmStep.choices(HAPROXY_TARGETS) + " (step 4's nodes are always reached directly, and step 2 is one node)");
        }
        if (affinity && direct) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--affinity is HAProxy's config: it does not go with --direct");
        }
        if (affinity && !HAPROXY_TARGETS.contains(target)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--affinity goes with --target " + SwarmStep.choices(HAPROXY_TARGETS));
        }
        if (rooms < 1 || senders < 1 || senders > clients || clients < rooms || nodeCount < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "need 1 <= --senders <= --clients, --clients >= --rooms >= 1, --nodes >= 1");
        }
        List<String> jvm = new ArrayList<>(jvmArgs.isBlank() ? List.of() : Arrays.asList(jvmArgs.trim().split("\\s+")));
        if (jfr) {
            jvm.add("-XX:StartFlightRecording=settings=profile");
        }
        // Step 2 is one node by design.
        return new FanoutLoad.Shape(target, affinity, direct, target == Target.STEP2 ? 1 : nodeCount, clients, rooms, senders, jvm,
                NodeLimits.lifting(target, clients, senders, peakRate));
    }

    /** The settings both scenarios record, as the JSON has them. */
    public void putSettings(java.util.Map<String, Object> settings) {
        settings.put("nodes", nodeCount);
        settings.put("clients", clients);
        settings.put("rooms", rooms);
        settings.put("senders", senders);
        settings.put("nodeJvmArgs", nodeJvmArgs);
    }
}
