package dev.chatlab.chaos;

import dev.chatlab.testkit.history.History;
import dev.chatlab.testkit.history.History.Receive;
import dev.chatlab.testkit.history.History.Send;
import dev.chatlab.testkit.history.PresenceVerdict;
import dev.chatlab.testkit.history.Verdict;
import dev.chatlab.testkit.svg.Svg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chaos suite's report, in Markdown and as one self-contained HTML page (inline SVG, nothing fetched, all text
 * escaped): a row per scenario with its verdict's counts and reconnect times, and, where presence was judged, its ghost
 * time, false leaves and missing members against their goals; and a timeline per scenario of deliveries per second
 * with its faults shaded.
 */
public final class ChaosReport {
    /** The Markdown report's file name. */
    public static final String MARKDOWN = "chaos-report.md";
    /** The HTML report's file name. */
    public static final String HTML = "chaos-report.html";

    private static final String BARS = " ▁▂▃▄▅▆▇█";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /**
     * One scenario as it ran.
     *
     * @param name                what was done, e.g. "kill -9 node-2"
     * @param test                the test method that ran it
     * @param setup               how its swarm was set up (fresh or reused, node options)
     * @param failure             why it failed, or null when it passed
     * @param verdict             the checker's verdict, or null when the scenario failed before there was a history
     * @param startedAt           when the workload started (run clock, epoch milliseconds)
     * @param endedAt             when the history was taken
     * @param faults              when each fault lasted
     * @param deliveriesPerSecond messages handed to applications in each second since {@code startedAt}
     * @param sendsPerPhase       sends made before, during and after the faults
     * @param backWithinMillis    how long after the last heal the last client was receiving live traffic, or -1
     * @param boundMillis         the bound that time had to stay within
     * @param presence            the presence checker's verdict, or null when presence was not judged
     */
    public record Scenario(String name, String test, String setup, String failure, Verdict verdict, long startedAt,
                           long endedAt,
                           List<Faults.Window> faults, List<Integer> deliveriesPerSecond, List<Integer> sendsPerPhase,
                           long backWithinMillis, long boundMillis, PresenceVerdict presence) {

        public Scenario {
            faults = List.copyOf(faults);
            deliveriesPerSecond = List.copyOf(deliveriesPerSecond);
            sendsPerPhase = List.copyOf(sendsPerPhase);
        }

        public boolean passed() {
            return failure == null;
        }

        /**
         * The scenario's numbers from its history: deliveries per second from {@code startedAt}, sends per phase;
         * {@code presence} is null when presence was not judged.
         */
        public static Scenario of(String name, String test, String setup, String failure, Verdict verdict,
                                  History history, long startedAt, long endedAt, List<Faults.Window> faults,
                                  long backWithinMillis, long boundMillis, PresenceVerdict presence) {
            return new Scenario(name, test, setup, failure, verdict, startedAt, endedAt, faults,
                    perSecond(history, startedAt, endedAt), perPhase(history, faults), backWithinMillis, boundMillis,
                    presence);
        }

        /** A scenario that failed before it had a history to judge (the swarm did not start, say). */
        public static Scenario broken(String name, String test, String setup, String failure, long startedAt,
                                      long endedAt, List<Faults.Window> faults) {
            return new Scenario(name, test, setup, failure, null, startedAt, endedAt, faults, List.of(), List.of(), -1, 0,
                    null);
        }
    }

    private final List<Scenario> scenarios = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final String title;
    private final long createdAt = System.currentTimeMillis();

    public ChaosReport(String title) {
        this.title = title;
    }

    /** A line shown under the title: how the run was set up (which Toxiproxy, extra node options). */
    public synchronized void note(String line) {
        notes.add(line);
    }

    public synchronized void add(Scenario scenario) {
        scenarios.add(scenario);
    }

    public synchronized List<Scenario> scenarios() {
        return List.copyOf(scenarios);
    }

    /** Writes {@value #MARKDOWN} and {@value #HTML} into {@code dir}; returns the HTML file. */
    public Path write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(MARKDOWN), markdown(), StandardCharsets.UTF_8);
            Path html = dir.resolve(HTML);
            Files.writeString(html, html(), StandardCharsets.UTF_8);
            return html;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the chaos report into " + dir, e);
        }
    }

    static List<Integer> perSecond(History history, long startedAt, long endedAt) {
        int seconds = (int) Math.max(1, (endedAt - startedAt + 999) / 1000);
        int[] counts = new int[seconds];
        for (Receive r : history.receives()) {
            int second = (int) ((r.at() - startedAt) / 1000);
            if (second >= 0 && second < seconds) {
                counts[second]++;
            }
        }
        List<Integer> list = new ArrayList<>(seconds);
        for (int count : counts) {
            list.add(count);
        }
        return list;
    }

    static List<Integer> perPhase(History history, List<Faults.Window> faults) {
        if (faults.isEmpty()) {
            return List.of(history.sends().size(), 0, 0);
        }
        long from = faults.stream().mapToLong(Faults.Window::from).min().orElseThrow();
        long to = faults.stream().mapToLong(Faults.Window::to).max().orElseThrow();
        int before = 0;
        int during = 0;
        int after = 0;
        for (Send send : history.sends()) {
            if (send.invokedAt() < from) {
                before++;
            } else if (send.invokedAt() <= to) {
                during++;
            } else {
                after++;
            }
        }
        return List.of(before, during, after);
    }

    // ---- Markdown ----

    public synchronized String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(mdText(title)).append("\n\n");
        md.append(summaryLine()).append("\n\n");
        for (String note : notes) {
            md.append("- ").append(mdText(note)).append('\n');
        }
        if (!notes.isEmpty()) {
            md.append('\n');
        }
        md.append("| scenario | result | sends (acked / failed / unknown, recovered) | before / during / after | deliveries"
                + " | lost | unexpected | duplicated after dedupe (raw) | reordered | undetected gaps | gaps nodes left"
                + " | reconnects: n, p50 / p99 / max | all back within (bound) | " + PRESENCE_HEADS + " | time |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Scenario s : scenarios) {
            List<String> cells = new ArrayList<>();
            cells.add(mdCell(s.name()));
            cells.add(s.passed() ? "pass" : "**FAIL**");
            cells.addAll(counts(s));
            cells.add(seconds(s.endedAt() - s.startedAt()));
            md.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        for (Scenario s : scenarios) {
            md.append("\n## ").append(mdText(s.name())).append(s.passed() ? "" : " — FAILED").append("\n\n");
            md.append("`").append(mdText(s.test())).append("` — ").append(mdText(s.setup())).append("\n\n");
            if (!s.deliveriesPerSecond().isEmpty()) {
                md.append("```\n").append(sparkline(s)).append("```\n\n");
            }
            for (Faults.Window w : s.faults()) {
                md.append("- ").append(mdText(w.fault())).append(": from ").append(seconds(w.from() - s.startedAt()))
                        .append(" to ").append(seconds(w.to() - s.startedAt())).append('\n');
            }
            if (s.failure() != null) {
                md.append("\nFailure:\n\n```\n").append(fenced(s.failure())).append("\n```\n");
            }
            if (s.verdict() != null) {
                md.append("\nVerdict:\n\n```\n").append(fenced(s.verdict().describe())).append("```\n");
            }
            if (s.presence() != null) {
                md.append("\nPresence:\n\n```\n").append(fenced(s.presence().describe())).append("```\n");
            }
        }
        return md.toString();
    }

    /** Deliveries per second as a text sparkline, and under it the seconds some fault lasted. */
    static String sparkline(Scenario s) {
        List<Integer> counts = s.deliveriesPerSecond();
        int max = counts.stream().mapToInt(Integer::intValue).max().orElse(0);
        StringBuilder bars = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        for (int second = 0; second < counts.size(); second++) {
            int count = counts.get(second);
            int level = max == 0 || count == 0 ? 0 : Math.max(1, Math.round(count * (BARS.length() - 1f) / max));
            bars.append(BARS.charAt(level));
            marks.append(inFault(s, second) ? '━' : '·');
        }
        return "deliveries/s " + bars + "  (max " + max + "/s)\n" + "fault        " + marks + '\n';
    }

    private static boolean inFault(Scenario s, int second) {
        long from = s.startedAt() + second * 1000L;
        long to = from + 1000;
        return s.faults().stream().anyMatch(w -> w.from() < to && w.to() >= from);
    }

    // ---- HTML ----

    public synchronized String html() {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}\n")
                .append("td:first-child,th{text-align:left}.pass{color:#1a7f37}.fail{color:#c62828;font-weight:bold}\n")
                .append("pre{background:#f6f8fa;padding:8px;white-space:pre-wrap}svg{display:block;margin:6px 0}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<p>").append(esc(summaryLine())).append("</p>\n");
        if (!notes.isEmpty()) {
            h.append("<ul>\n");
            notes.forEach(note -> h.append("<li>").append(esc(note)).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("<table>\n<tr><th>scenario</th><th>result</th><th>sends (acked / failed / unknown, recovered)</th>"
                + "<th>before / during / after</th><th>deliveries</th><th>lost</th><th>unexpected</th>"
                + "<th>duplicated after dedupe (raw)</th><th>reordered</th><th>undetected gaps</th><th>gaps nodes left</th>"
                + "<th>reconnects: n, p50 / p99 / max</th><th>all back within (bound)</th><th>"
                + esc(PRESENCE_HEADS).replace(" | ", "</th><th>") + "</th><th>time</th></tr>\n");
        int i = 0;
        for (Scenario s : scenarios) {
            h.append("<tr><td><a href=\"#s").append(i++).append("\">").append(esc(s.name())).append("</a></td>");
            h.append(s.passed() ? "<td class=\"pass\">pass</td>" : "<td class=\"fail\">FAIL</td>");
            for (String cell : counts(s)) {
                h.append("<td>").append(esc(cell)).append("</td>");
            }
            h.append("<td>").append(esc(seconds(s.endedAt() - s.startedAt()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
        i = 0;
        for (Scenario s : scenarios) {
            h.append("<h2 id=\"s").append(i++).append("\">").append(esc(s.name()))
                    .append(s.passed() ? "" : " <span class=\"fail\">FAILED</span>").append("</h2>\n");
            h.append("<p><code>").append(esc(s.test())).append("</code> — ").append(esc(s.setup())).append("</p>\n");
            if (!s.deliveriesPerSecond().isEmpty()) {
                h.append(svg(s));
            }
            if (s.failure() != null) {
                h.append("<p>Failure:</p>\n<pre>").append(esc(s.failure())).append("</pre>\n");
            }
            if (s.verdict() != null) {
                h.append("<p>Verdict:</p>\n<pre>").append(esc(s.verdict().describe())).append("</pre>\n");
            }
            if (s.presence() != null) {
                h.append("<p>Presence:</p>\n<pre>").append(esc(s.presence().describe())).append("</pre>\n");
            }
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** Deliveries per second as bars, each fault's window shaded and named, seconds along the bottom. */
    static String svg(Scenario s) {
        List<Integer> counts = s.deliveriesPerSecond();
        int max = Math.max(1, counts.stream().mapToInt(Integer::intValue).max().orElse(1));
        int left = 48;
        int top = 18;
        int plotHeight = 120;
        int bottom = top + plotHeight;
        double step = Math.max(4, Math.min(32, 840.0 / counts.size()));
        double plotWidth = step * counts.size();
        Svg svg = Svg.inline((int) Math.ceil(left + plotWidth + 10), bottom + 34, "deliveries per second: " + s.name());
        for (Faults.Window w : s.faults()) {
            double x0 = left + Math.max(0, (w.from() - s.startedAt()) / 1000.0) * step;
            double x1 = left + Math.min(counts.size(), (w.to() - s.startedAt()) / 1000.0) * step;
            svg.rect(x0, top, Math.max(1, x1 - x0), plotHeight, "fill=\"#f8c9c4\" fill-opacity=\"0.7\"", w.fault());
            svg.text(x0 + 2, top - 5, w.fault(), "fill=\"#b71c1c\"");
        }
        for (int second = 0; second < counts.size(); second++) {
            double h = (double) counts.get(second) / max * plotHeight;
            svg.rect(left + second * step + 0.5, bottom - h, Math.max(1, step - 1), h, "fill=\"#3b6ea8\"",
                    second + "s: " + counts.get(second));
        }
        svg.line(left, bottom, left + plotWidth, bottom, "stroke=\"#555\"");
        svg.line(left, top, left, bottom, "stroke=\"#555\"");
        svg.text(left - 4, top + 10, max + "/s", "text-anchor=\"end\"");
        svg.text(left - 4, bottom, "0", "text-anchor=\"end\"");
        for (int second = 0; second < counts.size(); second += 10) {
            svg.text(left + second * step, bottom + 14, second + "s", "text-anchor=\"middle\"");
        }
        svg.text(left, bottom + 30, "deliveries per second; shaded: fault", "fill=\"#555\"");
        return svg.toString();
    }

    // ---- shared ----

    private String summaryLine() {
        long passed = scenarios.stream().filter(Scenario::passed).count();
        long millis = scenarios.stream().mapToLong(s -> s.endedAt() - s.startedAt()).sum();
        String when = scenarios.isEmpty() ? "" : ", run " + WHEN.format(Instant.ofEpochMilli(scenarios.get(0).startedAt()));
        return passed + " of " + scenarios.size() + " scenarios passed; " + seconds(millis) + " of traffic in "
                + seconds(System.currentTimeMillis() - createdAt) + " (swarm starts and checks included)" + when + ".";
    }

    /** The counting cells of a row, from "sends" to "all back within". */
    private static List<String> counts(Scenario s) {
        Verdict v = s.verdict();
        List<String> cells = new ArrayList<>();
        String back = s.backWithinMillis() < 0 ? "–" : seconds(s.backWithinMillis());
        String phases = s.sendsPerPhase().size() == 3
                ? s.sendsPerPhase().get(0) + " / " + s.sendsPerPhase().get(1) + " / " + s.sendsPerPhase().get(2) : "–";
        if (v == null) {
            for (int i = 0; i < 10; i++) {
                cells.add("–");
            }
        } else {
            cells.add(v.sends() + " (" + v.acked() + " / " + v.failed() + " / " + v.unknown() + ", " + v.unknownRecovered() + ")");
            cells.add(phases);
            cells.add(String.valueOf(v.delivered()));
            cells.add(String.valueOf(v.lost()));
            cells.add(String.valueOf(v.unexpected()));
            cells.add(v.duplicated() + " (" + v.rawDuplicates() + ")");
            cells.add(String.valueOf(v.reordered()));
            cells.add(String.valueOf(v.undetectedGaps()));
            cells.add(String.valueOf(v.nodeGaps()));
            cells.add(v.reconnectMillis().size() + ": " + v.reconnectPercentile(50) + " / " + v.reconnectPercentile(99)
                    + " / " + v.reconnectPercentile(100) + " ms");
        }
        cells.add(back + " (" + seconds(s.boundMillis()) + ")");
        cells.addAll(presence(s.presence()));
        return cells;
    }

    /** The presence columns' heads, as Markdown cells. */
    static final String PRESENCE_HEADS = "ghost time, max (goal) | false leaves (expected leaves) | missing members / gone but listed";

    /** The presence cells of a row: ghost time against its goal, false leaves, missing members; dashes when not judged. */
    static List<String> presence(PresenceVerdict p) {
        if (p == null) {
            return List.of("–", "–", "–");
        }
        String goal = "≤ " + seconds(p.rules().ghostGoalMillis());
        String ghost = p.ghosts().isEmpty() ? "no ghosts"
                : (p.someGhostStayed() ? "> " : "") + seconds(p.maxGhostMillis()) + (p.ghostsWithinGoal() ? "" : ", over");
        return List.of(ghost + " (" + goal + ")", p.falseLeaves().count() + " (" + p.expectedLeaves() + ")",
                p.missing().count() + " / " + p.lingering().count());
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** Escapes text for HTML content and attribute values; null is shown as nothing. */
    static String esc(String text) {
        return text == null ? "" : Svg.escape(text);
    }

    /** Text for a Markdown table cell: one line, pipes escaped. */
    static String mdCell(String text) {
        return mdText(text).replace("|", "\\|");
    }

    private static String mdText(String text) {
        return text == null ? "" : text.replace('\n', ' ').replace('\r', ' ');
    }

    /** Text inside a fenced block: a fence in the text would end the block early. */
    private static String fenced(String text) {
        return text.replace("```", "` ` `");
    }
}
