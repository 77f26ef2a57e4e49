package dev.chatlab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Where one process's CPU goes, thread by thread, from {@code /proc/PID/task/TID/stat} and {@code comm}: threads are
 * grouped by name with their numbers dropped ({@code JettyServerThreadPool-17} and {@code -23} are one group), and
 * user and system time are kept apart. Unlike a sampling profiler this counts time spent in the kernel on a thread's
 * behalf (socket writes, wake-ups), and the JIT compiler's and the garbage collector's threads.
 */
public final class ThreadCpu {
    private static final Pattern NUMBERS = Pattern.compile("[-#]?\\d+$");

    /** One thread: its name, and its user and system clock ticks. */
    record Task(String name, long userTicks, long systemTicks) {
    }

    /** The CPU of one group of threads between two snapshots, in seconds. */
    public record Group(String name, double userSeconds, double systemSeconds) {
        public double seconds() {
            return userSeconds + systemSeconds;
        }
    }

    /** The threads of a process at one moment, by thread id. */
    public record Snapshot(Map<Long, Task> threads) {
    }

    private ThreadCpu() {
    }

    /** The threads of process {@code pid} now; empty if it has gone. A thread that exits between reads is skipped. */
    public static Snapshot take(long pid) {
        Map<Long, Task> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                    threads.put(Long.parseLong(task.getFileName().toString()), parse(name, stat));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException gone) {
            // the process has ended
        }
        return new Snapshot(threads);
    }

    /** A thread from its {@code comm} and {@code stat}. */
    static Task parse(String name, String statLine) {
        long[] ticks = ProcStats.userAndSystemTicks(statLine);
        return new Task(name, ticks[0], ticks[1]);
    }

    /** Linux cuts thread names at 15 characters; numbered threads of one kind share a group. */
    static String group(String threadName) {
        String name = NUMBERS.matcher(threadName).replaceAll("");
        return name.isBlank() ? threadName : name;
    }

    /**
     * The CPU of several processes' threads between two snapshots of each ({@code before.get(i)} and {@code after.get(i)}
     * are one process), summed by group after {@code rename}, largest first.
     */
    public static List<Group> between(List<Snapshot> before, List<Snapshot> after, UnaryOperator<String> rename) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        long ticks = ProcStats.clockTicksPerSecond();
        for (int i = 0; i < before.size(); i++) {
            for (Group g : between(before.get(i), after.get(i), ticks)) {
                double[] sum = sums.computeIfAbsent(rename.apply(g.name()), k -> new double[2]);
                sum[0] += g.userSeconds();
                sum[1] += g.systemSeconds();
            }
        }
        return sums.entrySet().stream().map(e -> new Group(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .sorted((a, b) -> Double.compare(b.seconds(), a.seconds())).toList();
    }

    /**
     * Where the CPU went: each group's cores over {@code seconds}, its user share, and its CPU-µs per delivery; groups
     * under 1% of the total are summed in one row.
     */
    public static Table table(List<Group> groups, double seconds, long deliveries) {
        double total = groups.stream().mapToDouble(Group::seconds).sum();
        Table table = new Table("Threads", "Cores", "User %", "CPU-us per delivery");
        double rest = 0;
        for (Group g : groups) {
            if (g.seconds() < total / 100) {
                rest += g.seconds();
                continue;
            }
            table.row(g.name(), Report.f("%.3f", g.seconds() / seconds), Report.f("%.0f", 100 * g.userSeconds() / g.seconds()),
                    deliveries == 0 ? "-" : Report.f("%.2f", g.seconds() * 1e6 / deliveries));
        }
        if (rest > 0) {
            table.row("(the rest)", Report.f("%.3f", rest / seconds), "", deliveries == 0 ? "-" : Report.f("%.2f", rest * 1e6 / deliveries));
        }
        table.row("all", Report.f("%.3f", total / seconds), "", deliveries == 0 ? "-" : Report.f("%.2f", total * 1e6 / deliveries));
        return table;
    }

    /**
     * The CPU each group used between the snapshots, largest first. A thread born after {@code before} counts from
     * zero; a thread that ended before {@code after} is missing (its time is lost to this count, not to the process's).
     */
    public static List<Group> between(Snapshot before, Snapshot after, long ticksPerSecond) {
        Map<String, long[]> ticks = new LinkedHashMap<>();
        after.threads().forEach((tid, now) -> {
            Task then = before.threads().get(tid);
            long user = now.userTicks() - (then == null ? 0 : then.userTicks());
            long system = now.systemTicks() - (then == null ? 0 : then.systemTicks());
            long[] sum = ticks.computeIfAbsent(group(now.name()), k -> new long[2]);
            sum[0] += user;
            sum[1] += system;
        });
        return ticks.entrySet().stream()
                .map(e -> new Group(e.getKey(), e.getValue()[0] / (double) ticksPerSecond, e.getValue()[1] / (double) ticksPerSecond))
                .filter(g -> g.seconds() > 0)
                .sorted((a, b) -> Double.compare(b.seconds(), a.seconds()))
                .toList();
    }
}
