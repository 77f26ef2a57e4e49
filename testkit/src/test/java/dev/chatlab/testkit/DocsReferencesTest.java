package dev.chatlab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Keeps the docs true: every test name, {@code ./lab} command and option, metric name and relative link that
 * {@code README.md}, {@code WORKSHOP.md}, {@code docs/*.md} and each step's {@code README.md} cite must exist in
 * the repository, so a rename cannot leave a dead reference behind. The checks read files only; they start nothing.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DocsReferencesTest {

    /** An inline code span that names a test: {@code a_b_c} or {@code ClassName.a_b_c} (at least two underscores). */
    private static final Pattern TEST_NAME =
            Pattern.compile("(?:([A-Z][A-Za-z0-9]*)(?:\\$[A-Za-z0-9]+)?\\.)?([a-z][A-Za-z0-9]*(?:_+[A-Za-z0-9]+){2,})");
    /** An inline code span that names one of the node's Prometheus series, optionally with labels. */
    private static final Pattern METRIC = Pattern.compile("(chat_[a-z0-9_]+)(\\{[^}]*})?");
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`\n]+)`");
    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[^\n]*$");
    private static final Pattern LAB_COMMAND = Pattern.compile("\\./lab[ \\t]+([a-z][a-z-]*)");
    /** A whole {@code ./lab} invocation: its command, then its arguments up to the end of the code span, a comment or a list. */
    private static final Pattern LAB_INVOCATION = Pattern.compile("\\./lab[ \\t]+([a-z][a-z-]*)([^`\n#;|),]*)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w=-])(--[a-z][a-z0-9-]*)");
    /** The commands the docs teach; the lab script must have every one. */
    private static final List<String> TAUGHT_COMMANDS =
            List.of("up", "test", "step", "check", "exercise", "doctor", "prepare", "diff", "node", "chaos", "bench");
    private static final Pattern LINK = Pattern.compile("]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("#{1,6}\\s+(.+?)\\s*#*\\s*");
    private static final Pattern METHOD = Pattern.compile("\\bvoid\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
    private static final Pattern METER_NAME = Pattern.compile("\"(chat(?:\\.[a-z0-9]+)+)\"");
    private static final Set<String> SKIPPED_DIRS = Set.of("target", ".git", ".lab", "node_modules", ".mvn");

    private static final Path ROOT = repositoryRoot();

    @Test
    void every_test_name_the_docs_cite_is_a_test_method_in_the_repository() {
        Map<String, Set<String>> methodsByClass = testMethods(ROOT);
        Set<String> allMethods = new TreeSet<>();
        methodsByClass.values().forEach(allMethods::addAll);
        List<String> dead = new ArrayList<>();
        for (Path doc : docs()) {
            for (String name : testNames(read(doc))) {
                String problem = missingTest(name, methodsByClass, allMethods);
                if (problem != null) {
                    dead.add(relative(doc) + ": `" + name + "` " + problem);
                }
            }
        }
        assertThat(dead).as(report("test names that no *Test.java, *IT.java or *Contract.java declares", dead)).isEmpty();
    }

    @Test
    void every_lab_command_the_docs_cite_is_a_command_of_the_lab_script() {
        Set<String> commands = labCommands(read(ROOT.resolve("lab")));
        assertThat(commands).as("the lab script's commands").containsAll(TAUGHT_COMMANDS);
        List<String> dead = new ArrayList<>();
        for (Path doc : docs()) {
            for (String command : cited(LAB_COMMAND, read(doc))) {
                if (!commands.contains(command)) {
                    dead.add(relative(doc) + ": `./lab " + command + "` (the lab script knows " + commands + ")");
                }
            }
        }
        assertThat(dead).as(report("./lab commands the lab script does not have", dead)).isEmpty();
    }

    @Test
    void every_option_the_docs_give_a_lab_command_is_one_that_command_reads() {
        String lab = read(ROOT.resolve("lab"));
        String bench = javaSources(ROOT.resolve("bench/src/main/java"));
        List<String> dead = new ArrayList<>();
        for (Path doc : docs()) {
            for (Map.Entry<String, Set<String>> cited : labOptions(read(doc)).entrySet()) {
                String command = cited.getKey();
                for (String option : cited.getValue()) {
                    if (!knowsOption(command, option, lab, bench)) {
                        dead.add(relative(doc) + ": `./lab " + command + " " + option + "` ("
                                + (command.equals("bench") ? "no \"" + option + "\" in bench/src/main/java" : "the lab script never reads " + option) + ")");
                    }
                }
            }
        }
        assertThat(dead).as(report("./lab options that nothing reads", dead)).isEmpty();
    }

    @Test
    void every_relative_link_in_the_docs_points_at_an_existing_file_and_heading() {
        List<String> dead = new ArrayList<>();
        for (Path doc : docs()) {
            for (String link : relativeLinks(read(doc))) {
                int hash = link.indexOf('#');
                String file = hash < 0 ? link : link.substring(0, hash);
                Path target = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                if (!Files.exists(target)) {
                    dead.add(relative(doc) + ": (" + link + ") no such file");
                } else if (hash >= 0 && target.toString().endsWith(".md")
                        && !headingAnchors(read(target)).contains(link.substring(hash + 1))) {
                    dead.add(relative(doc) + ": (" + link + ") no such heading in " + relative(target));
                }
            }
        }
        assertThat(dead).as(report("links to files or headings that do not exist", dead)).isEmpty();
    }

    @Test
    void every_metric_the_docs_cite_is_one_the_step_5_node_registers() {
        Set<String> meters = meterNames(ROOT.resolve("step8-presence/src/main/java"));
        assertThat(meters).as("the step 5 node's meters").contains("chat.connections");
        List<String> dead = new ArrayList<>();
        for (Path doc : docs()) {
            for (String metric : metrics(read(doc))) {
                if (!meters.contains(meterOf(metric))) {
                    dead.add(relative(doc) + ": `" + metric + "` (no meter \"" + meterOf(metric) + "\" in step8-presence)");
                }
            }
        }
        assertThat(dead).as(report("metrics the step 5 node does not register", dead)).isEmpty();
    }

    @Test
    void the_docs_the_map_links_exist_and_each_cites_something_runnable() {
        List<Path> required = new ArrayList<>(List.of(ROOT.resolve("WORKSHOP.md"), ROOT.resolve("docs/interview.md"),
                ROOT.resolve("docs/architecture.md"), ROOT.resolve("docs/failure-cards.md")));
        required.addAll(stepReadmes(true));
        assertThat(stepReadmes(true)).as("a README per step module").hasSizeGreaterThanOrEqualTo(5);
        assertThat(ROOT.resolve("docs/protocol.md")).as("docs/protocol.md").isRegularFile();
        for (Path doc : required) {
            assertThat(doc).as(relative(doc)).isRegularFile();
            String text = read(doc);
            assertThat(testNames(text).size() + cited(LAB_COMMAND, text).size())
                    .as(relative(doc) + " cites at least one test or ./lab command (or the scanner is broken)").isPositive();
        }
    }

    /** The scanner itself, on a hand-written page: it must find each kind of reference, and skip what is not one. */
    @Test
    void the_scanner_finds_test_names_commands_links_and_metrics_and_skips_everything_else() {
        String page = String.join("\n",
                "See it: `a_message_reaches_every_member_of_the_room_and_the_sender` and",
                "`NodeLifecycleTest.a_drain_says_503_then_closes_every_client_with_1012_and_sends_late_arrivals_on`,",
                "`./lab node kill 2`, then ./lab up --nodes 5. Not names: `REDIS_URL`, `since`, `chat:{room}:seq`,",
                "`one_underscore`, `ChatConfig.defaults()`. Metrics: `chat_errors_total{code=\"unavailable\"}`,",
                "`chat_delivery_latency_seconds`. Links: [readme](../README.md), [web](https://example.org/x),",
                "[anchor](#top), [image](images/step2.png \"title\").",
                "```",
                "`not_a_citation_inside_a_fence` [nor](this.md)",
                "./lab diff 3 4",
                "```");
        assertThat(testNames(page)).containsExactly("a_message_reaches_every_member_of_the_room_and_the_sender",
                "NodeLifecycleTest.a_drain_says_503_then_closes_every_client_with_1012_and_sends_late_arrivals_on");
        assertThat(cited(LAB_COMMAND, page)).containsExactly("node", "up", "diff");
        assertThat(labOptions(page)).containsExactly(Map.entry("node", Set.of()), Map.entry("up", Set.of("--nodes")),
                Map.entry("diff", Set.of()));
        assertThat(labOptions("`./lab check 1 --exercise`, `./lab bench fanout --target step4 --rate 1000` and\n"
                + "    ./lab chaos --step 5 -Dit.test=X   # not --an-option in a comment\n"
                + "`./lab up --step 5` — not --this-either"))
                .containsExactly(Map.entry("check", Set.of("--exercise")), Map.entry("bench", Set.of("--target", "--rate")),
                        Map.entry("chaos", Set.of("--step")), Map.entry("up", Set.of("--step")));
        assertThat(knowsOption("up", "--step", "  up)\n    case $1 in\n      --step) step=$2 ;;", "")).isTrue();
        assertThat(knowsOption("up", "--stpe", "  up)\n    case $1 in\n      --step) step=$2 ;;", "")).isFalse();
        assertThat(knowsOption("bench", "--rate", "", "spec.addOption(\"--rate\", ...)")).isTrue();
        assertThat(knowsOption("bench", "--help", "", "")).isTrue();
        assertThat(relativeLinks(page)).containsExactly("../README.md", "#top", "images/step2.png");
        assertThat(headingAnchors("# Interview guide\n## Is WebSocket HTTP?\n```\n# not a heading\n```\n"
                + "## socket.io or raw WebSocket, in production?\n### What is \"resilience\" when a server dies?\n## Step 5 · the swarm\n"
                + "## Step 5 · the swarm"))
                .containsExactly("interview-guide", "is-websocket-http", "socketio-or-raw-websocket-in-production",
                        "what-is-resilience-when-a-server-dies", "step-5--the-swarm", "step-5--the-swarm-1");
        assertThat(metrics(page)).containsExactly("chat_errors_total{code=\"unavailable\"}", "chat_delivery_latency_seconds");
        assertThat(meterOf("chat_errors_total{code=\"unavailable\"}")).isEqualTo("chat.errors");
        assertThat(meterOf("chat_delivery_latency_seconds_count")).isEqualTo("chat.delivery.latency");
        assertThat(meterOf("chat_connections")).isEqualTo("chat.connections");
    }

    @Test
    void a_renamed_test_or_a_command_the_lab_does_not_have_is_reported_dead() {
        Map<String, Set<String>> methods = Map.of("PubSubTest", Set.of("a_node_started_after_messages_were_sent_serves_them_over_http"));
        Set<String> all = Set.of("a_node_started_after_messages_were_sent_serves_them_over_http");
        assertThat(missingTest("a_node_started_after_messages_were_sent_serves_them_over_http", methods, all)).isNull();
        assertThat(missingTest("PubSubTest.a_node_started_after_messages_were_sent_serves_them_over_http", methods, all)).isNull();
        assertThat(missingTest("a_node_started_late_serves_history", methods, all)).isNotNull();
        assertThat(missingTest("FailoverIT.a_node_started_after_messages_were_sent_serves_them_over_http", methods, all))
                .contains("FailoverIT");
        String lab = String.join("\n",
                "cmd=${1:-help}",
                "case \"$cmd\" in",
                "  help|-h|--help)",
                "    usage ;;",
                "  node)",
                "    case $1 in",
                "      kill|stop) ;;",
                "    esac ;;",
                "  *)",
                "    exit 2 ;;",
                "esac");
        assertThat(labCommands(lab)).containsExactlyInAnyOrder("help", "-h", "--help", "node");
    }

    // ---- the scanner: pure functions of a page's text ----

    /** Inline code spans outside fenced blocks: what a reader sees as a name. */
    private static List<String> inlineCode(String markdown) {
        List<String> spans = new ArrayList<>();
        Matcher m = INLINE_CODE.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            spans.add(m.group(1).trim());
        }
        return spans;
    }

    static Set<String> testNames(String markdown) {
        Set<String> names = new LinkedHashSet<>();
        for (String span : inlineCode(markdown)) {
            if (TEST_NAME.matcher(span).matches() && !METRIC.matcher(span).matches()) {
                names.add(span);
            }
        }
        return names;
    }

    static Set<String> metrics(String markdown) {
        Set<String> names = new LinkedHashSet<>();
        for (String span : inlineCode(markdown)) {
            if (METRIC.matcher(span).matches()) {
                names.add(span);
            }
        }
        return names;
    }

    /** The Micrometer meter a Prometheus series comes from: labels and the unit/type suffix off, dots for underscores. */
    static String meterOf(String series) {
        Matcher m = METRIC.matcher(series);
        String base = m.matches() ? m.group(1) : series;
        base = base.replaceFirst("_(seconds_(count|sum|bucket|max)|seconds|total)$", "");
        return base.replace('_', '.');
    }

    /** Every {@code ./lab <word>}, in fenced blocks too (commands are shown there as often as inline). */
    static Set<String> cited(Pattern pattern, String markdown) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = pattern.matcher(markdown);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** The options ({@code --name}) each cited {@code ./lab} command is given, by command, in the order first cited. */
    static Map<String, Set<String>> labOptions(String markdown) {
        Map<String, Set<String>> options = new java.util.LinkedHashMap<>();
        Matcher m = LAB_INVOCATION.matcher(markdown);
        while (m.find()) {
            Set<String> given = options.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>());
            Matcher option = OPTION.matcher(m.group(2));
            while (option.find()) {
                given.add(option.group(1));
            }
        }
        return options;
    }

    /**
     * Whether a command reads an option: {@code ./lab bench} hands its arguments to the bench, whose sources must
     * name the option; every other command is the lab script's own, which must. {@code --help} is every command's.
     */
    static boolean knowsOption(String command, String option, String labScript, String benchSources) {
        if (option.equals("--help")) {
            return true;
        }
        Pattern named = Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])");
        return named.matcher(command.equals("bench") ? benchSources : labScript).find();
    }

    /** Links that stay in the repository: a path, a path with {@code #heading}, or a {@code #heading} of the same page. */
    static Set<String> relativeLinks(String markdown) {
        Set<String> targets = new LinkedHashSet<>();
        Matcher m = LINK.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                continue;
            }
            target = target.replaceFirst("\\?[^#]*", "");
            if (!target.isEmpty() && !target.equals("#")) {
                targets.add(target);
            }
        }
        return targets;
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : FENCE.matcher(markdown).replaceAll("").split("\n")) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String text = m.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "");
                String anchor = text.replace(' ', '-');
                // A repeated heading gets -1, -2, ... as on GitHub.
                String unique = anchor;
                for (int n = 1; anchors.contains(unique); n++) {
                    unique = anchor + "-" + n;
                }
                anchors.add(unique);
            }
        }
        return anchors;
    }

    /** The top-level words of the lab script's {@code case "$cmd" in}: the commands {@code ./lab} accepts. */
    static Set<String> labCommands(String script) {
        Set<String> commands = new TreeSet<>();
        boolean inCase = false;
        for (String line : script.split("\n")) {
            if (line.startsWith("case \"$cmd\" in")) {
                inCase = true;
            } else if (inCase && line.startsWith("esac")) {
                break;
            } else if (inCase) {
                Matcher m = Pattern.compile("^  ([^ ()*][^)]*)\\)").matcher(line);
                if (m.find()) {
                    for (String word : m.group(1).split("\\|")) {
                        commands.add(word.trim());
                    }
                }
            }
        }
        return commands;
    }

    /** Null when the cited name exists; otherwise what is wrong with it. */
    static String missingTest(String cited, Map<String, Set<String>> methodsByClass, Set<String> allMethods) {
        Matcher m = TEST_NAME.matcher(cited);
        if (!m.matches()) {
            return "is not a test name";
        }
        String className = m.group(1);
        String method = m.group(2);
        if (className == null) {
            return allMethods.contains(method) ? null : "is not declared by any test";
        }
        Set<String> declared = methodsByClass.get(className);
        if (declared == null) {
            return "names a class, " + className + ", that no test file defines";
        }
        return declared.contains(method) ? null : "is not declared in " + className;
    }

    // ---- the repository ----

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("lab")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (a directory with lab and pom.xml) above " + Path.of("").toAbsolutePath());
    }

    /** README.md, WORKSHOP.md, every docs/*.md and every step's README.md. */
    private static List<Path> docs() {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        if (Files.isRegularFile(ROOT.resolve("WORKSHOP.md"))) {
            docs.add(ROOT.resolve("WORKSHOP.md"));
        }
        docs.addAll(stepReadmes(false));
        Path dir = ROOT.resolve("docs");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return docs;
    }

    /**
     * The README.md of each step module ({@code stepN-*} with a pom.xml), in step order; with {@code evenMissing},
     * also the paths of those that are not there, so that a missing one can be reported.
     */
    private static List<Path> stepReadmes(boolean evenMissing) {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(d -> d.getFileName().toString().matches("step\\d+-[a-z0-9-]+") && Files.isRegularFile(d.resolve("pom.xml")))
                    .sorted()
                    .map(d -> d.resolve("README.md"))
                    .filter(readme -> evenMissing || Files.isRegularFile(readme))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaSources(Path dir) {
        StringBuilder all = new StringBuilder();
        if (Files.isDirectory(dir)) {
            javaFiles(dir).forEach(file -> all.append(read(file)).append('\n'));
        }
        return all.toString();
    }

    /** Method names per class, from every *Test.java, *IT.java and *Contract.java (the contracts' tests run in each step). */
    private static Map<String, Set<String>> testMethods(Path root) {
        Map<String, Set<String>> byClass = new HashMap<>();
        for (Path file : javaFiles(root)) {
            String name = file.getFileName().toString();
            if (!(name.endsWith("Test.java") || name.endsWith("IT.java") || name.endsWith("Contract.java"))) {
                continue;
            }
            Set<String> methods = byClass.computeIfAbsent(name.substring(0, name.length() - ".java".length()), k -> new TreeSet<>());
            Matcher m = METHOD.matcher(read(file));
            while (m.find()) {
                methods.add(m.group(1));
            }
        }
        return byClass;
    }

    private static Set<String> meterNames(Path sources) {
        Set<String> names = new TreeSet<>();
        for (Path file : javaFiles(sources)) {
            Matcher m = METER_NAME.matcher(read(file));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static List<Path> javaFiles(Path root) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        for (Path part : root.relativize(p)) {
                            if (SKIPPED_DIRS.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String relative(Path file) {
        return ROOT.relativize(file).toString();
    }

    private static String report(String what, List<String> dead) {
        return dead.size() + " dead reference(s), " + what + ":\n  " + String.join("\n  ", dead) + "\n";
    }
}
