package dev.chatlab.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What one run of a scenario leaves behind: its tables on the console, a JSON line appended to
 * {@code <scenario>.jsonl} and {@code <scenario>.md} rewritten, each saying the command, the machine and the load.
 */
public final class Report {
    private final String scenario;
    private final String page;
    private final String command;
    private final Machine machine = Machine.current();
    private final Instant started = Instant.now();
    private final double loadBefore = Machine.loadAverage();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> sections = new ArrayList<>();

    public Report(String scenario, String command) {
        this(scenario, scenario, command);
    }

    /** {@code page}: the Markdown page's name, when one scenario keeps a page per variant (fanout-step4.md). */
    public Report(String scenario, String page, String command) {
        this.scenario = scenario;
        this.page = page;
        this.command = command;
        json.put("scenario", scenario);
        json.put("at", started.toString());
        json.put("command", command);
        json.put("page", page);
        json.put("machine", machine);
        json.put("loadAverageBefore", loadBefore);
    }

    /** Says on the console what runs where, with the load average at the start. */
    public void announce(String what) {
        say("%s on %s; load average %.2f at the start", what, machine.describe(), loadBefore);
    }

    public Report put(String key, Object value) {
        json.put(key, value);
        return this;
    }

    /** A table with its title, printed now and kept for the Markdown page. */
    public Report table(String title, Table table) {
        System.out.println();
        System.out.println(title);
        System.out.println(table.console());
        sections.add("### " + title + "\n\n" + table.markdown());
        return this;
    }

    /** A line printed now and kept for the Markdown page. */
    public Report note(String text) {
        System.out.println(text);
        sections.add(text + "\n");
        return this;
    }

    public void save(Path resultsDir, boolean noSave) {
        if (noSave) {
            return;
        }
        Path jsonl = resultsDir.resolve(scenario + ".jsonl");
        Path md = resultsDir.resolve(page + ".md");
        Results.appendLine(jsonl, Results.jsonLine(json));
        StringBuilder text = new StringBuilder();
        text.append("# ").append(page).append("\n\n")
                .append("Run ").append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
                        .format(started.atOffset(ZoneOffset.UTC))).append(" with `").append(command).append("` on ")
                .append(machine.describe()).append(String.format(Locale.ROOT, "; load average %.2f at the start.%n%n", loadBefore));
        sections.forEach(s -> text.append(s).append('\n'));
        text.append("Every run is also a line of `").append(scenario).append(".jsonl`.\n");
        Results.write(md, text.toString());
        say("appended to %s, wrote %s", jsonl, md);
    }

    /**
     * The command as it was run, for the record: {@code bench <scenario>}, the {@code always} options with their
     * values (a flag only when set), then every other option given whose value is not its default, in the order given;
     * where the results go is left out.
     */
    public static String commandOf(CommandLine.Model.CommandSpec spec, String... always) {
        List<String> words = new ArrayList<>(List.of("bench", spec.name()));
        Set<String> named = Set.of(always);
        for (String name : always) {
            OptionSpec option = spec.findOption(name);
            Object value = option.getValue();
            if (option.arity().max() == 0) {
                if (Boolean.TRUE.equals(value)) {
                    words.add(name);
                }
            } else {
                words.add(name);
                words.add(quoted(String.valueOf(value)));
            }
        }
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (OptionSpec option : given == null ? List.<OptionSpec>of() : given.matchedOptions()) {
            if (named.contains(option.longestName()) || Set.of("--results", "--no-save").contains(option.longestName())
                    || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            if (option.arity().max() == 0) {
                words.add(option.longestName());
                continue;
            }
            List<String> values = option.originalStringValues();
            String value = values.isEmpty() ? "" : values.get(values.size() - 1);
            if (!value.equals(option.defaultValue())) {
                words.add(option.longestName());
                words.add(quoted(value));
            }
        }
        return String.join(" ", words);
    }

    private static String quoted(String value) {
        return value.isEmpty() || value.matches(".*[\\s\"'].*") ? "'" + value.replace("'", "'\\''") + "'" : value;
    }

    public static Path resultsDir(Path option) {
        return option != null ? option : Repository.root().resolve("bench/results");
    }

    public static void say(String format, Object... args) {
        System.out.println("[" + DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).format(Instant.now().atOffset(ZoneOffset.UTC))
                + "] " + String.format(Locale.ROOT, format, args));
    }

    public static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** The PID of a testkit fixture that does not publish it (LocalRedis's is package-private), for /proc readings only; -1 if unknown. */
    public static long pidOf(Object fixture, String commandLineText) {
        try {
            java.lang.reflect.Method pid = fixture.getClass().getDeclaredMethod("pid");
            pid.setAccessible(true);
            return ((Number) pid.invoke(fixture)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return descendantPid(commandLineText);
        }
    }

    /** The pid of the first descendant of this JVM whose command line contains {@code text} (for /proc readings only), or -1. */
    public static long descendantPid(String text) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }
}
