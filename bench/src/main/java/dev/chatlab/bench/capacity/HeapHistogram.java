package dev.chatlab.bench.capacity;

import dev.chatlab.bench.Heap;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Table;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a node's live heap goes, by owner: {@code jcmd PID GC.class_histogram} (a full GC, then bytes per class) read
 * into a few groups by class name, so that two readings (before and after the sockets opened) say what each socket
 * costs and who holds it.
 */
final class HeapHistogram {
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

    /** A group of classes: its name and the class-name prefixes it takes, first match wins. */
    record Owner(String name, List<String> prefixes) {
        boolean owns(String className) {
            return prefixes.stream().anyMatch(className::startsWith);
        }
    }

    /** A socket's heap, by who keeps it; the last group takes every class left. */
    static final List<Owner> OWNERS = List.of(
            new Owner("the HTTP upgrade request, kept for the socket's life (Jetty's request, servlet wrappers, header fields, session)",
                    List.of("org.eclipse.jetty.ee10.", "org.eclipse.jetty.http.", "[Lorg.eclipse.jetty.http.", "org.eclipse.jetty.server.",
                            "org.eclipse.jetty.session.", "org.eclipse.jetty.websocket.server.", "org.eclipse.jetty.websocket.core.server.")),
            new Owner("Javalin's per-socket context (WsContext, its lazies)", List.of("io.javalin.", "kotlin.")),
            new Owner("Jetty's WebSocket session, parser, flusher and endpoint method handles",
                    List.of("org.eclipse.jetty.websocket.", "java.lang.invoke.")),
            new Owner("the socket: Jetty's endpoint with its locks and callbacks, the NIO channel, timers",
                    List.of("org.eclipse.jetty.io.", "org.eclipse.jetty.util.", "sun.nio.", "java.nio.", "java.io.FileDescriptor",
                            "java.util.concurrent.ScheduledThreadPoolExecutor")),
            new Owner("the chat's own state (Connection, rate limit)", List.of("dev.chatlab.")),
            new Owner("strings, arrays, maps and locks the above point to", List.of("")));

    private HeapHistogram() {
    }

    /** Bytes per owner in the live heap of {@code pid}, or an empty map when jcmd cannot say. */
    static Map<String, Long> take(long pid) {
        String histogram = Heap.jcmd(pid, "GC.class_histogram");
        return histogram == null ? Map.of() : byOwner(histogram);
    }

    static Map<String, Long> byOwner(String histogram) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        OWNERS.forEach(o -> bytes.put(o.name(), 0L));
        for (String line : histogram.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            String className = m.group(2);
            for (Owner owner : OWNERS) {
                if (owner.owns(className)) {
                    bytes.merge(owner.name(), Long.parseLong(m.group(1)), Long::sum);
                    break;
                }
            }
        }
        return bytes;
    }

    /** What each owner holds per connection: the growth between the readings over {@code connections}. */
    static Table perConnection(Map<String, Long> before, Map<String, Long> after, int connections) {
        Table table = new Table("Held by", "Bytes per connection");
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long grown = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            total += grown;
            table.row(e.getKey(), Report.f("%,.0f", grown / (double) connections));
        }
        table.row("all", Report.f("%,.0f", total / (double) connections));
        return table;
    }
}
