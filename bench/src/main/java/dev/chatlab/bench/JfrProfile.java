package dev.chatlab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Java Flight Recorder profile of chat nodes, boiled down: each execution sample is put in the first phase of the
 * message path whose method is on its stack, and the methods most often on top of the stack are counted. JFR samples
 * Java code only: time in the kernel and in the JIT compiler shows in {@link ThreadCpu} instead.
 */
public final class JfrProfile {

    /** A phase of the node's work, recognised by any of its methods (any part of {@code package.Class.method}) on the stack. */
    public record Phase(String name, List<String> methods) {
        boolean matches(List<String> stack) {
            for (String frame : stack) {
                for (String method : methods) {
                    if (frame.contains(method)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** The phases of a chat node (steps 4 and 5), first match wins. */
    public static final List<Phase> CHAT_NODE = List.of(
            new Phase("delivery: frames handed to Jetty, one per member", List.of("chat.Connection.queue")),
            new Phase("delivery: each member's frames written", List.of("chat.Connection.flush")),
            new Phase("delivery: the rest (room lock, encoding, gap checks)", List.of("chat.Fanout.deliveryLoop")),
            new Phase("subscriber: reading Redis pub/sub", List.of("chat.Fanout.subscribeLoop")),
            new Phase("receive: the append round trip to Redis", List.of("chat.History.append")),
            new Phase("receive: parsing and answering a frame", List.of("chat.ChatServer.receive")),
            new Phase("Jetty: reading sockets, parsing frames, threads", List.of("org.eclipse.jetty.")),
            new Phase("metrics, JFR and the rest", List.of("")));

    /**
     * The summary.
     *
     * @param samples    execution samples read
     * @param phases     samples per phase, in the order the phases were given
     * @param topMethods the methods most often on top of the stack, most first, with their sample counts
     */
    public record Summary(long samples, Map<String, Long> phases, Map<String, Long> topMethods) {
    }

    private JfrProfile() {
    }

    public static Summary summarize(List<Path> recordings, List<Phase> phases, int topCount) {
        Map<String, Long> byPhase = new LinkedHashMap<>();
        phases.forEach(p -> byPhase.put(p.name(), 0L));
        Map<String, Long> tops = new LinkedHashMap<>();
        long samples = 0;
        for (Path recording : recordings) {
            try (RecordingFile file = new RecordingFile(recording)) {
                while (file.hasMoreEvents()) {
                    RecordedEvent event = file.readEvent();
                    if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                        continue;
                    }
                    List<String> stack = frames(event.getStackTrace());
                    if (stack.isEmpty()) {
                        continue;
                    }
                    samples++;
                    tops.merge(stack.get(0), 1L, Long::sum);
                    for (Phase phase : phases) {
                        if (phase.matches(stack)) {
                            byPhase.merge(phase.name(), 1L, Long::sum);
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recording " + recording, e);
            }
        }
        Map<String, Long> top = new LinkedHashMap<>();
        tops.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(topCount)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return new Summary(samples, byPhase, top);
    }

    /** The phases' shares of the samples, and the methods most often on top. */
    public static Table table(Summary summary) {
        Table table = new Table("Where the samples were", "Samples", "Share");
        summary.phases().forEach((phase, n) -> table.row(phase, Report.f("%,d", n),
                Report.f("%.1f%%", summary.samples() == 0 ? 0 : 100.0 * n / summary.samples())));
        summary.topMethods().forEach((method, n) -> table.row("top of stack: " + method, Report.f("%,d", n),
                Report.f("%.1f%%", 100.0 * n / summary.samples())));
        return table;
    }

    /** The stack's methods as {@code package.Class.method}, top first. */
    static List<String> frames(RecordedStackTrace trace) {
        List<String> out = new ArrayList<>(trace.getFrames().size());
        for (RecordedFrame frame : trace.getFrames()) {
            if (frame.getMethod() != null) {
                out.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
            }
        }
        return out;
    }
}
