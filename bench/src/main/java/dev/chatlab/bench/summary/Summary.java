package dev.chatlab.bench.summary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatlab.bench.Results;
import dev.chatlab.bench.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The results page, {@code README.md} in the results directory, with {@code latency.svg} and {@code ramp.svg} beside
 * it: for each scenario, the headline numbers of the last run of each of its pages (fanout-step4, fanout-step5, ...),
 * read from the last line per page of {@code <scenario>.jsonl}. Lines written before a field existed show a dash.
 */
public final class Summary {
    /** The scenarios in the order the page shows them; any other .jsonl follows, with its runs only. */
    static final List<String> ORDER = List.of("transports", "fanout", "compare", "ramp", "capacity", "failover", "storm", "storage");
    static final String DASH = "–";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run: the last line of its page. */
    record Run(String scenario, String page, JsonNode line) {
        JsonNode settings() {
            return line.path("settings");
        }

        JsonNode results() {
            return line.path("results");
        }

        String command() {
            return line.path("command").asText(DASH);
        }

        /** "2026-11-27 23:42" (UTC), or a dash. */
        String date() {
            try {
                return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
                        .format(Instant.parse(line.path("at").asText()).atOffset(ZoneOffset.UTC));
            } catch (RuntimeException e) {
                return DASH;
            }
        }

        String load() {
            JsonNode load = line.path("loadAverageBefore");
            return load.isNumber() ? String.format(Locale.ROOT, "%.2f", load.asDouble()) : DASH;
        }

        /** The page without its scenario: "step5-affinity" for fanout-step5-affinity, the scenario itself when alone. */
        String variant() {
            return page.equals(scenario) ? scenario : page.substring(scenario.length() + 1);
        }
    }

    private Summary() {
    }

    /** Rewrites README.md, latency.svg and ramp.svg in {@code dir} from the .jsonl files there. */
    public static void write(Path dir) {
        List<Run> runs = read(dir);
        Results.write(dir.resolve("README.md"), markdown(runs));
        Results.write(dir.resolve("latency.svg"), Charts.latency(latencyGroups(runs)));
        Results.write(dir.resolve("ramp.svg"), Charts.ramp(rampLines(runs), rampLimit(runs)));
    }

    /** The last line of each page of every .jsonl in {@code dir}, scenarios in {@link #ORDER}, pages in the order first seen. */
    static List<Run> read(Path dir) {
        List<Path> files;
        try (Stream<Path> listing = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted(Comparator
                    .comparingInt((Path p) -> rank(scenarioOf(p))).thenComparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<Run> runs = new ArrayList<>();
        for (Path file : files) {
            Map<String, Run> byPage = new LinkedHashMap<>();
            for (String text : lines(file)) {
                if (text.isBlank()) {
                    continue;
                }
                JsonNode line;
                try {
                    line = JSON.readTree(text);
                } catch (IOException | RuntimeException e) {
                    continue; // a torn or hand-broken line says nothing
                }
                String scenario = line.path("scenario").asText(scenarioOf(file));
                String page = pageOf(scenario, line);
                byPage.remove(page);
                byPage.put(page, new Run(scenario, page, line));
            }
            List<Run> last = new ArrayList<>(byPage.values());
            last.sort(Comparator.comparing(Run::page));
            runs.addAll(last);
        }
        return runs;
    }

    /** Which page a line belongs to: fanout and ramp by target (and affinity), storm by how the node went, else the scenario. */
    static String pageOf(String scenario, JsonNode line) {
        JsonNode settings = line.path("settings");
        if (line.hasNonNull("page")) {
            return line.get("page").asText();
        }
        boolean affinity = settings.path("affinity").asBoolean(false) || line.path("command").asText("").contains("--affinity");
        return switch (scenario) {
            case "fanout", "ramp" -> scenario + "-" + settings.path("target").asText(scenario.equals("ramp") ? "step5" : "step4")
                    + (affinity ? "-affinity" : "");
            case "storm" -> "storm-" + settings.path("via").asText("kill");
            default -> scenario;
        };
    }

    static String markdown(List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Rewritten by every `./lab bench` run (and by `java -jar bench/target/bench.jar summary`) from the last line of each "
                + "page of `bench/results/*.jsonl`: the latest run of each scenario and variant, its command, when it ran (UTC) "
                + "and the machine's 1-minute load average as it began (the machine is shared; a high load skews the numbers). "
                + "Each scenario's own page has the full table. Latencies are in milliseconds.\n\n");
        if (runs.isEmpty()) {
            md.append("No results yet: run `./lab bench`.\n");
            return md.toString();
        }
        md.append("![Delivery latency percentiles, log scale](latency.svg)\n\n");
        List<String> scenarios = runs.stream().map(Run::scenario).distinct().toList();
        for (String scenario : scenarios) {
            List<Run> of = runs.stream().filter(r -> r.scenario().equals(scenario)).toList();
            md.append("## ").append(scenario).append("\n\n");
            switch (scenario) {
                case "transports" -> transports(md, of.get(of.size() - 1));
                case "fanout" -> md.append(fanout(of).markdown());
                case "compare" -> md.append(compare(of).markdown());
                case "ramp" -> {
                    md.append(ramp(of).markdown()).append('\n');
                    md.append("![p99 against the offered rate](ramp.svg)\n");
                }
                case "capacity" -> md.append(capacity(of).markdown());
                case "failover" -> md.append(failover(of).markdown());
                case "storm" -> md.append(storm(of).markdown());
                case "storage" -> md.append(storage(of).markdown());
                default -> md.append(withRun(new Table("page"), of, r -> List.of(r.page())).markdown());
            }
            md.append('\n').append("Pages: ").append(String.join(", ", of.stream().map(r -> "[" + r.page() + "](" + r.page() + ".md)")
                    .toList())).append(".\n\n");
        }
        return md.toString();
    }

    private static void transports(StringBuilder md, Run run) {
        md.append(code(run.command())).append(", ").append(run.date()).append(" UTC, load ").append(run.load()).append(".\n\n");
        Table table = new Table("transport", "p50", "p99", "max", "delivered share", "server CPU-µs / msg", "bytes / msg",
                "idle heap KB / client");
        Map<String, JsonNode> idle = new LinkedHashMap<>();
        run.line().path("idle").forEach(i -> idle.put(i.path("transport").asText(), i));
        for (JsonNode load : run.line().path("load")) {
            JsonNode latency = load.path("latency");
            String name = load.path("transport").asText(DASH);
            table.row(cell(name), ms(latency.path("p50")), ms(latency.path("p99")), ms(latency.path("max")),
                    number(load.path("deliveredShare"), "%.3f"), number(load.path("cpuMicrosPerMessage"), "%,.0f"),
                    number(load.path("bytesPerMessage"), "%,.0f"), number(idle.getOrDefault(name, JSON.missingNode())
                            .path("heapKbPerClient"), "%,.1f"));
        }
        md.append(table.markdown());
    }

    static Table fanout(List<Run> runs) {
        return withRun(new Table("variant", "msg/s", "delivered/s", "p50", "p99", "p99.9", "max", "lost", "dup", "reordered",
                "server CPU-µs / delivery", "generator cores"), runs, r -> {
            JsonNode res = r.results();
            JsonNode lat = res.path("latencyMicros");
            JsonNode generator = res.path("cpuSeconds").path("generator (this JVM)");
            double window = res.path("windowSeconds").asDouble(0);
            return List.of(r.variant(), number(r.settings().path("rate"), "%,.0f"), number(res.path("deliveredPerSecond"), "%,.0f"),
                    ms(lat.path("p50")), ms(lat.path("p99")), ms(lat.path("p999")), ms(lat.path("max")), number(res.path("lost"), "%,d"),
                    number(res.path("duplicated"), "%,d"), number(res.path("reordered"), "%,d"),
                    number(res.path("serverCpuMicrosPerDelivery"), "%,.1f"),
                    generator.isNumber() && window > 0 ? String.format(Locale.ROOT, "%.2f", generator.asDouble() / window) : DASH);
        });
    }

    /**
     * The after side over the before side of the means over the rounds (below 1: the after side uses less, or is
     * faster): step 7 / step 6 by default, 8 / 7 for {@code --before step7 --after step8}, after / before for two builds.
     */
    static Table compare(List<Run> runs) {
        return withRun(new Table("variant", "ratio of", "rounds", "msg/s", "CPU-µs / delivery", "p50", "p99"), runs, r -> {
            JsonNode mean = r.results().path("ratios").path("mean");
            return List.of(r.variant(), comparedSides(r), number(r.settings().path("rounds"), "%d"), number(r.settings().path("rate"), "%,.0f"),
                    number(mean.path("cpuPerDelivery"), "%.2f"), number(mean.path("p50"), "%.2f"), number(mean.path("p99"), "%.2f"));
        });
    }

    /** "8 / 7" from the steps a compare line records; lines from before it recorded them compared step 7 with step 6, or two builds. */
    static String comparedSides(Run run) {
        JsonNode steps = run.settings().path("steps");
        if (steps.isArray() && steps.size() == 2) {
            String before = steps.get(0).asText().replace("step", "");
            String after = steps.get(1).asText().replace("step", "");
            return before.equals(after) ? "after / before" : after + " / " + before;
        }
        return run.page().startsWith("compare-builds") ? "after / before" : "7 / 6";
    }

    static Table ramp(List<Run> runs) {
        return withRun(new Table("variant", "held msg/s", "held deliveries/s", "p99 there", "ended by", "steps", "lost", "dup",
                "reordered", "generator bottleneck"), runs, r -> {
            JsonNode res = r.results();
            JsonNode whole = res.path("whole");
            JsonNode generator = res.path("generatorBottleneck");
            return List.of(r.variant(), number(res.path("heldRate"), "%,d"), number(res.path("heldDeliveriesPerSecond"), "%,.0f"),
                    ms(res.path("heldLatencyMicros").path("p99")), cell(res.path("endedByText").asText(res.path("endedBy").asText(DASH))),
                    res.path("steps").isArray() ? String.valueOf(res.path("steps").size()) : DASH, number(whole.path("lost"), "%,d"),
                    number(whole.path("duplicated"), "%,d"), number(whole.path("reordered"), "%,d"),
                    generator.isBoolean() ? (generator.asBoolean() ? "YES (or the machine)" : "no") : DASH);
        });
    }

    /** Each step's idle connections: what they take to open and to keep, and what holding them idle costs each second. */
    static Table capacity(List<Run> runs) {
        return withRun(new Table("step", "connections", "connect s", "RSS KB / connection", "live heap KB / connection", "node threads",
                "idle: node CPU ms/s", "Redis CPU ms/s", "Redis commands/s"), runs, r -> {
                    JsonNode res = r.results();
                    JsonNode idle = res.path("idle");
                    long joined = res.path("joined").asLong(0);
                    return List.of(number(r.settings().path("step"), "%d"), number(res.path("joined"), "%,d"), number(res.path("connectSeconds"), "%.1f"),
                            per(res.path("rssKbAfter"), res.path("rssKbBefore"), joined), per(res.path("heapKbAfter"), res.path("heapKbBefore"), joined),
                            number(res.path("threadsAfter"), "%,d"), rate(idle.path("nodeCpuMicros"), idle.path("seconds"), 1e-3, "%.1f"),
                            rate(idle.path("redisCpuMicros"), idle.path("seconds"), 1e-3, "%.1f"),
                            rate(idle.path("redisCommands"), idle.path("seconds"), 1, "%,.0f"));
                });
    }

    static Table failover(List<Run> runs) {
        return withRun(new Table("step", "moved", "not back", "reconnect p50", "p99", "max", "lost", "dup", "stored twice", "reordered"),
                runs, r -> {
                    JsonNode res = r.results();
                    JsonNode rec = res.path("reconnectMillis");
                    return List.of(number(r.settings().path("step"), "%d"), number(res.path("victims"), "%,d"), number(res.path("notBack"), "%,d"), msOf(rec.path("p50")),
                            msOf(rec.path("p99")), msOf(rec.path("max")), number(res.path("lost"), "%,d"),
                            number(res.path("duplicated"), "%,d"), number(res.path("storedTwice"), "%,d"), number(res.path("reordered"), "%,d"));
                });
    }

    static Table storm(List<Run> runs) {
        return withRun(new Table("variant", "moved", "not back", "resumed p50", "p99", "max", "all resumed", "others' p99 before",
                "others' p99 in the storm", "lost", "dup", "reordered"), runs, r -> {
            JsonNode res = r.results();
            JsonNode resumed = res.path("resumeMillis");
            JsonNode others = res.path("othersLatencyMicros");
            return List.of(r.variant(), number(res.path("moved"), "%,d"), number(res.path("notBack"), "%,d"), msOf(resumed.path("p50")),
                    msOf(resumed.path("p99")), msOf(resumed.path("max")), msOf(res.path("allResumedMillis")),
                    ms(others.path("before").path("p99")), ms(others.path("storm").path("p99")), number(res.path("lost"), "%,d"),
                    number(res.path("duplicated"), "%,d"), number(res.path("reordered"), "%,d"));
        });
    }

    static Table storage(List<Run> runs) {
        return withRun(new Table("appends/s", "µs / append", "p50 µs", "p99 µs", "max µs"), runs, r -> {
            JsonNode res = r.results();
            return List.of(number(res.path("appendsPerSecond"), "%,.0f"), number(res.path("microsPerAppend"), "%.1f"),
                    number(res.path("p50"), "%,.1f"), number(res.path("p99"), "%,.1f"), number(res.path("max"), "%,.1f"));
        });
    }

    /** A table whose rows are {@code cells} of each run followed by its command, date and load. */
    private static Table withRun(Table headers, List<Run> runs, Function<Run, List<String>> cells) {
        List<String> columns = new ArrayList<>(headers.headers());
        columns.addAll(List.of("command", "run (UTC)", "load"));
        Table table = new Table(columns.toArray(String[]::new));
        for (Run run : runs) {
            List<String> row = new ArrayList<>(cells.apply(run));
            row.addAll(List.of(code(run.command()), run.date(), run.load()));
            table.row(row.toArray(String[]::new));
        }
        return table;
    }

    // ---- the charts' data ----

    /** One bar group per fanout variant, ramp variant (at the rate that held), transport, and storm variant (before, in it). */
    static List<Charts.LatencyGroup> latencyGroups(List<Run> runs) {
        List<Charts.LatencyGroup> groups = new ArrayList<>();
        for (Run run : runs) {
            switch (run.scenario()) {
                case "transports" -> run.line().path("load").forEach(l ->
                        groups.add(group("transports: " + l.path("transport").asText("?"), l.path("latency"))));
                case "fanout" -> groups.add(group("fanout " + run.variant(), run.results().path("latencyMicros")));
                case "ramp" -> {
                    JsonNode held = run.results().path("heldLatencyMicros");
                    if (held.isObject()) {
                        groups.add(group("ramp " + run.variant() + " @ " + Charts.count(run.results().path("heldRate").asDouble())
                                + " msg/s", held));
                    }
                }
                case "storm" -> {
                    JsonNode others = run.results().path("othersLatencyMicros");
                    groups.add(group("storm " + run.variant() + ": before", others.path("before")));
                    groups.add(group("storm " + run.variant() + ": in it", others.path("storm")));
                }
                default -> {
                    // no delivery latency
                }
            }
        }
        return groups.stream().filter(g -> g.millis().stream().anyMatch(v -> v != null && v > 0)).toList();
    }

    private static Charts.LatencyGroup group(String label, JsonNode micros) {
        return new Charts.LatencyGroup(label, Arrays.stream(new String[] {"p50", "p90", "p99", "p999", "max"})
                .map(k -> micros.path(k).isNumber() ? micros.path(k).asDouble() / 1000.0 : null).toList());
    }

    static List<Charts.RampLine> rampLines(List<Run> runs) {
        List<Charts.RampLine> lines = new ArrayList<>();
        for (Run run : runs) {
            if (!run.scenario().equals("ramp")) {
                continue;
            }
            List<Charts.RampPoint> points = new ArrayList<>();
            for (JsonNode step : run.results().path("steps")) {
                JsonNode p99 = step.path("latencyMicros").path("p99");
                if (step.path("rate").isNumber() && p99.isNumber()) {
                    points.add(new Charts.RampPoint(step.path("rate").asDouble(), p99.asDouble() / 1000.0, step.path("held").asBoolean(true)));
                }
            }
            lines.add(new Charts.RampLine("ramp " + run.variant(), points));
        }
        return lines;
    }

    /** The p99 limit of the last ramp run (50 ms when none says). */
    static double rampLimit(List<Run> runs) {
        return runs.stream().filter(r -> r.scenario().equals("ramp")).map(r -> r.settings().path("p99LimitMillis"))
                .filter(JsonNode::isNumber).reduce((a, b) -> b).map(JsonNode::asDouble).orElse(50.0);
    }

    // ---- cells ----

    /** Microseconds as milliseconds: "0.85", "22.2", "1,116". */
    static String ms(JsonNode micros) {
        return micros.isNumber() ? millisCell(micros.asDouble() / 1000.0) : DASH;
    }

    static String msOf(JsonNode millis) {
        return millis.isNumber() ? millisCell(millis.asDouble()) : DASH;
    }

    private static String millisCell(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%,.0f", ms);
    }

    static String number(JsonNode value, String format) {
        if (!value.isNumber()) {
            return DASH;
        }
        return format.endsWith("d") ? String.format(Locale.ROOT, format, value.asLong()) : String.format(Locale.ROOT, format, value.asDouble());
    }

    /** {@code value × scale} per second of {@code seconds}, or a dash. */
    private static String rate(JsonNode value, JsonNode seconds, double scale, String format) {
        return value.isNumber() && seconds.isNumber() && seconds.asDouble() > 0
                ? String.format(Locale.ROOT, format, value.asDouble() * scale / seconds.asDouble()) : DASH;
    }

    private static String per(JsonNode after, JsonNode before, long count) {
        return after.isNumber() && before.isNumber() && count > 0
                ? String.format(Locale.ROOT, "%.1f", (after.asDouble() - before.asDouble()) / count) : DASH;
    }

    /** Text for a Markdown table cell: a pipe would end the cell, and {@code <x>} would be taken for HTML. */
    static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;");
    }

    /** A command as inline code in a table cell (where a pipe still needs its backslash). */
    static String code(String text) {
        return text.equals(DASH) ? DASH : "`" + text.replace("|", "\\|").replace("\n", " ").replace("`", "'") + "`";
    }

    private static String scenarioOf(Path jsonl) {
        String name = jsonl.getFileName().toString();
        return name.substring(0, name.length() - ".jsonl".length());
    }

    private static int rank(String scenario) {
        int i = ORDER.indexOf(scenario);
        return i < 0 ? ORDER.size() : i;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
