package dev.chatlab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What Linux's {@code /proc} says about one process: CPU time, resident memory, threads, and TCP connections on its port. */
public final class ProcStats {
    /** ESTABLISHED, in the {@code st} column of {@code /proc/net/tcp}. */
    static final Set<String> ESTABLISHED = Set.of("01");
    /** ESTABLISHED or CLOSE_WAIT: the socket is still open on this side, whether or not the other end has gone. */
    static final Set<String> HELD = Set.of("01", "08");

    /**
     * One reading.
     *
     * @param cpuTicks    user + system CPU time, in clock ticks
     * @param rssKb       resident set size
     * @param threads     live threads
     * @param connections established TCP connections whose local port is the server's
     */
    public record Sample(long cpuTicks, long rssKb, int threads, int connections) {
    }

    /** Asked once: it runs {@code getconf}. */
    private static final long TICKS_PER_SECOND = askClockTicksPerSecond();

    private final long pid;
    private final int port;

    public ProcStats(long pid, int port) {
        this.pid = pid;
        this.port = port;
    }

    public Sample sample() {
        List<String> status = lines(Path.of("/proc", String.valueOf(pid), "status"));
        String stat = String.join(" ", lines(Path.of("/proc", String.valueOf(pid), "stat")));
        int connections = established(port, lines(Path.of("/proc/net/tcp"))) + established(port, lines(Path.of("/proc/net/tcp6")));
        return new Sample(cpuTicks(stat), statusValue(status, "VmRSS"), (int) statusValue(status, "Threads"), connections);
    }

    /**
     * The CPU time alone (rss, threads and connections left at 0): one small read, quick enough to take in the middle
     * of a load generator's schedule, where reading the TCP tables would hold the senders up.
     */
    public Sample cpuSample() {
        return new Sample(cpuTicks(String.join(" ", lines(Path.of("/proc", String.valueOf(pid), "stat")))), 0, 0, 0);
    }

    /** Established connections to the server whose other end is one of {@code remotePorts} on this machine. */
    public int connectionsFrom(Set<Integer> remotePorts) {
        return count(port, remotePorts, ESTABLISHED, lines(Path.of("/proc/net/tcp")))
                + count(port, remotePorts, ESTABLISHED, lines(Path.of("/proc/net/tcp6")));
    }

    /**
     * Sockets the server still holds open for connections from {@code remotePorts}, including those whose client
     * has gone: a server only notices that when it next reads or writes them.
     */
    public int heldFrom(Set<Integer> remotePorts) {
        return count(port, remotePorts, HELD, lines(Path.of("/proc/net/tcp")))
                + count(port, remotePorts, HELD, lines(Path.of("/proc/net/tcp6")));
    }

    /** CPU time between two samples, in microseconds. */
    public long cpuMicros(Sample from, Sample to) {
        return (to.cpuTicks() - from.cpuTicks()) * 1_000_000L / TICKS_PER_SECOND;
    }

    /** utime + stime of a {@code /proc/PID/stat} line. */
    static long cpuTicks(String statLine) {
        long[] ticks = userAndSystemTicks(statLine);
        return ticks[0] + ticks[1];
    }

    /**
     * utime and stime (fields 14 and 15) of a {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat} line; the name
     * in field 2 may hold spaces and parentheses.
     */
    static long[] userAndSystemTicks(String statLine) {
        String[] fields = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is field 3 (state), so field N is at index N - 3.
        return new long[] {Long.parseLong(fields[14 - 3]), Long.parseLong(fields[15 - 3])};
    }

    /** The number in a {@code Key:   value [kB]} line of {@code /proc/PID/status}; -1 when it is missing. */
    static long statusValue(List<String> statusLines, String key) {
        for (String line : statusLines) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** Established connections in a {@code /proc/net/tcp} table whose local port is {@code port}. */
    static int established(int port, List<String> tcpTable) {
        return count(port, null, ESTABLISHED, tcpTable);
    }

    /** Connections in one of {@code states} on {@code port} whose remote port is in {@code remotePorts} (any, when null). */
    static int count(int port, Set<Integer> remotePorts, Set<String> states, List<String> tcpTable) {
        String localPort = ":" + hex(port);
        int count = 0;
        for (String line : tcpTable) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length > 3 && columns[1].endsWith(localPort) && states.contains(columns[3])
                    && (remotePorts == null || remotePorts.contains(portOf(columns[2])))) {
                count++;
            }
        }
        return count;
    }

    private static String hex(int port) {
        return String.format(Locale.ROOT, "%04X", port);
    }

    /** The port of an {@code ADDRESS:PORT} column, both in hex. */
    private static int portOf(String column) {
        return Integer.parseInt(column.substring(column.lastIndexOf(':') + 1), 16);
    }

    /** {@code getconf CLK_TCK}, or the usual 100 when it cannot be asked. */
    static long clockTicksPerSecond() {
        return TICKS_PER_SECOND;
    }

    private static long askClockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (getconf.waitFor() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the usual value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }

    private static List<String> lines(Path path) {
        try {
            return Files.exists(path) ? Files.readAllLines(path, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " (has the process exited?)", e);
        }
    }
}
