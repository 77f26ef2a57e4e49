package dev.chatlab.bench.summary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SummaryTest {
    private static final String MACHINE = "\"machine\":{\"cores\":2,\"cpu\":\"AMD EPYC\",\"memoryMb\":24105,\"os\":\"Linux\",\"java\":\"17\"}";

    @TempDir
    Path dir;

    /** A fanout line as the bench wrote them before ramp existed; {@code latency} is the latencyMicros object. */
    private static String fanout(String at, String command, String target, double load, int rate, String latency) {
        return "{\"scenario\":\"fanout\",\"at\":\"" + at + "\",\"command\":\"" + command + "\"," + MACHINE + ",\"loadAverageBefore\":" + load
                + ",\"settings\":{\"target\":\"" + target + "\",\"rate\":" + rate + ",\"clients\":200,\"rooms\":10},"
                + "\"results\":{\"sentInWindow\":4000,\"windowSeconds\":20.0,\"deliveredPerSecond\":4021.7,\"latencyMicros\":" + latency
                + ",\"lost\":0,\"duplicated\":0,\"reordered\":0,\"cpuSeconds\":{\"node-1\":3.1,\"generator (this JVM)\":7.2},"
                + "\"serverCpuMicrosPerDelivery\":165.875}}";
    }

    private static final String RAMP = "{\"scenario\":\"ramp\",\"at\":\"2026-11-28T01:00:00Z\",\"command\":\"bench ramp --target step5\","
            + MACHINE + ",\"loadAverageBefore\":1.5,\"settings\":{\"target\":\"step5\",\"affinity\":false,\"p99LimitMillis\":50.0},"
            + "\"results\":{\"steps\":["
            + "{\"rate\":50,\"latencyMicros\":{\"p50\":3000,\"p90\":5000,\"p99\":8000,\"p999\":9000,\"max\":9500},\"held\":true},"
            + "{\"rate\":75,\"latencyMicros\":{\"p50\":3100,\"p90\":6000,\"p99\":20000,\"p999\":30000,\"max\":31000},\"held\":true},"
            + "{\"rate\":113,\"latencyMicros\":{\"p50\":4000,\"p90\":90000,\"p99\":180000,\"p999\":200000,\"max\":210000},\"held\":false}],"
            + "\"heldRate\":75,\"heldDeliveriesPerSecond\":1500.0,"
            + "\"heldLatencyMicros\":{\"p50\":3100,\"p90\":6000,\"p99\":20000,\"p999\":30000,\"max\":31000},"
            + "\"endedBy\":\"p99\",\"endedByText\":\"p99 180.0 ms > the 50ms limit at 113 msg/s\",\"generatorBottleneck\":false,"
            + "\"whole\":{\"expected\":19280,\"received\":19280,\"lost\":0,\"duplicated\":0,\"reordered\":0,\"errors\":0}}}";

    private static final String STORM = "{\"scenario\":\"storm\",\"at\":\"2026-11-28T01:05:00Z\",\"command\":\"bench storm --via kill\","
            + MACHINE + ",\"loadAverageBefore\":2.0,\"settings\":{\"via\":\"kill\"},\"results\":{\"moved\":100,\"notBack\":0,"
            + "\"resumeMillis\":{\"p50\":865.0,\"p99\":1122.0,\"max\":1128.0},\"allResumedMillis\":1128.0,"
            + "\"othersLatencyMicros\":{\"before\":{\"p50\":3900,\"p90\":9000,\"p99\":42500,\"p999\":55000,\"max\":58600,\"count\":2800},"
            + "\"storm\":{\"p50\":16500,\"p90\":40000,\"p99\":64400,\"p999\":70000,\"max\":74600,\"count\":799}},"
            + "\"lost\":0,\"duplicated\":0,\"reordered\":0}}";

    /** A transports line whose label needs escaping, with p50/p99/max only (the transports scenario records no p90). */
    private static final String TRANSPORTS = "{\"scenario\":\"transports\",\"at\":\"2026-11-27T23:22:10Z\","
            + "\"command\":\"./lab bench transports\"," + MACHINE + ",\"loadAverageBefore\":2.49,"
            + "\"load\":[{\"transport\":\"short <polling> & co\",\"latency\":{\"count\":9998,\"p50\":505855,\"p99\":996351,\"max\":1012735},"
            + "\"deliveredShare\":0.9998,\"cpuMicrosPerMessage\":166.0,\"bytesPerMessage\":94.3}],"
            + "\"idle\":[{\"transport\":\"short <polling> & co\",\"heapKbPerClient\":83.4}]}";

    private void write(String name, String... lines) throws IOException {
        Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    private void writeAll() throws IOException {
        write("fanout.jsonl",
                fanout("2026-11-27T23:33:45Z", "bench fanout --target step4", "step4", 16.85, 3000,
                        "{\"p50\":14352383,\"p90\":18219007,\"p99\":20119551,\"p999\":21463039,\"max\":21790719}"),
                fanout("2026-11-27T23:42:14Z", "bench fanout --target step4", "step4", 5.76, 200,
                        "{\"p50\":1793,\"p90\":3549,\"p99\":22207,\"p999\":163199,\"max\":201471}"),
                // An older line: no affinity in its settings, no p90 or p99.9 in its latency.
                fanout("2026-11-27T23:55:32Z", "bench fanout --target step5 --affinity", "step5", 4.33, 200,
                        "{\"p50\":2619,\"p99\":104447,\"max\":292095}"),
                "{this line was torn",
                fanout("2026-11-28T00:10:00Z", "bench fanout --target step5 --node-jvm-args '-Xmx1g|x'", "step5", 1.0, 200,
                        "{\"p50\":2611,\"p90\":8055,\"p99\":162815,\"p999\":310783,\"max\":381183}"));
        write("ramp.jsonl", RAMP);
        write("storm.jsonl", STORM);
        write("transports.jsonl", TRANSPORTS);
        write("storage.jsonl", "{\"scenario\":\"storage\",\"at\":\"2026-11-27T23:43:52Z\",\"command\":\"bench storage\","
                + "\"results\":{\"appendsPerSecond\":21266.2}}");
    }

    /** The results page made from every hand-written line above. */
    private String summaryOfAll() throws IOException {
        writeAll();
        Summary.write(dir);
        return read("README.md");
    }

    @Test
    void each_page_shows_its_last_run_with_command_date_and_load() throws IOException {
        String md = summaryOfAll();

        assertThat(md).contains("| step4 | 200 | 4,022 | 1.79 | 22.2 | 163 | 201 | 0 | 0 | 0 | 165.9 | 0.36 | "
                + "`bench fanout --target step4` | 2026-11-27 23:42 | 5.76 |");
        assertThat(md).doesNotContain("2026-11-27 23:33"); // the earlier step4 run is not the last
        assertThat(md).contains("| step5-affinity | 200 | 4,022 | 2.62 | 104 | – | 292 |");
        assertThat(md).contains("Pages: [fanout-step4](fanout-step4.md), [fanout-step5](fanout-step5.md), "
                + "[fanout-step5-affinity](fanout-step5-affinity.md).");
    }

    @Test
    void the_ramp_says_the_last_rate_that_held_and_what_ended_it() throws IOException {
        String md = summaryOfAll();

        assertThat(md).contains("| step5 | 75 | 1,500 | 20.0 | p99 180.0 ms > the 50ms limit at 113 msg/s | 3 | 0 | 0 | 0 | no | "
                + "`bench ramp --target step5` | 2026-11-28 01:00 | 1.50 |");
        assertThat(md).contains("![p99 against the offered rate](ramp.svg)", "![Delivery latency percentiles, log scale](latency.svg)");
        String svg = read("ramp.svg");
        assertThat(svg).contains("class=\"limit\"", ">p99 limit 50 ms</text>");
        assertThat(ChartsTest.labels(svg, "legend")).containsExactly("ramp step5");
    }

    @Test
    void the_latency_chart_has_a_group_per_run_and_a_bar_per_recorded_percentile() throws IOException {
        summaryOfAll();
        String svg = read("latency.svg");

        assertThat(ChartsTest.labels(svg, "group")).containsExactly("transports: short &lt;polling&gt; &amp; co", "fanout step4",
                "fanout step5", "fanout step5-affinity", "ramp step5 @ 75 msg/s", "storm kill: before", "storm kill: in it");
        // transports and the older affinity line have p50, p99 and max only; the rest have all five.
        assertThat(ChartsTest.bars(svg)).hasSize(3 + 5 + 5 + 3 + 5 + 5 + 5);
    }

    @Test
    void a_pipe_in_a_command_does_not_break_the_table() throws IOException {
        assertThat(summaryOfAll()).contains("`bench fanout --target step5 --node-jvm-args '-Xmx1g\\|x'`");
    }

    @Test
    void fields_a_line_lacks_show_as_dashes() throws IOException {
        String md = summaryOfAll();

        assertThat(md).contains("| 21,266 | – | – | – | – | `bench storage` | 2026-11-27 23:43 | – |");
        assertThat(md).contains("| short &lt;polling> & co | 506 | 996 | 1,013 | 1.000 | 166 | 94 | 83.4 |");
    }

    @Test
    void storm_compares_the_others_latency_before_and_in_it() throws IOException {
        assertThat(summaryOfAll()).contains("| kill | 100 | 0 | 865 | 1,122 | 1,128 | 1,128 | 42.5 | 64.4 | 0 | 0 | 0 |");
    }

    @Test
    void compare_shows_step_7_over_step_6_of_the_means() throws IOException {
        write("compare.jsonl", "{\"scenario\":\"compare\",\"at\":\"2026-12-06T10:00:00Z\",\"command\":\"bench compare --via direct\","
                + "\"page\":\"compare\"," + MACHINE + ",\"loadAverageBefore\":1.25,\"settings\":{\"via\":\"direct\",\"rounds\":2,"
                + "\"rate\":3000},\"results\":{\"runs\":[],\"ratios\":{\"round1\":{\"cpuPerDelivery\":0.5,\"p50\":0.5,\"p99\":0.75},"
                + "\"mean\":{\"cpuPerDelivery\":0.55,\"p50\":0.65,\"p99\":null}}}}");
        writeAll();
        Summary.write(dir);
        String md = read("README.md");

        assertThat(md).contains("| variant | ratio of | rounds | msg/s | CPU-µs / delivery | p50 | p99 | command | run (UTC) | load |");
        assertThat(md).contains("| compare | 7 / 6 | 2 | 3,000 | 0.55 | 0.65 | – | `bench compare --via direct` | 2026-12-06 10:00 | 1.25 |");
        assertThat(md.lines().filter(l -> l.startsWith("## ")).toList()).containsSubsequence("## fanout", "## compare", "## ramp");
    }

    @Test
    void compare_says_which_steps_it_put_side_by_side() throws IOException {
        write("compare.jsonl", "{\"scenario\":\"compare\",\"at\":\"2026-12-08T10:00:00Z\",\"command\":\"bench compare --via direct "
                + "--before step7 --after step8\",\"page\":\"compare-step7-step8\"," + MACHINE + ",\"loadAverageBefore\":1.0,"
                + "\"settings\":{\"via\":\"direct\",\"rounds\":1,\"steps\":[\"step7\",\"step8\"],\"rate\":3000},"
                + "\"results\":{\"runs\":[],\"ratios\":{\"mean\":{\"cpuPerDelivery\":1.1,\"p50\":1.0,\"p99\":0.9}}}}",
                "{\"scenario\":\"compare\",\"at\":\"2026-12-08T11:00:00Z\",\"command\":\"bench compare --via direct --after-jvm-args -Xmx1g\","
                + "\"page\":\"compare-builds\"," + MACHINE + ",\"loadAverageBefore\":1.0,\"settings\":{\"via\":\"direct\",\"rounds\":1,"
                + "\"rate\":3000},\"results\":{\"runs\":[],\"ratios\":{\"mean\":{\"cpuPerDelivery\":1.0,\"p50\":1.0,\"p99\":1.0}}}}");
        Summary.write(dir);
        String md = read("README.md");

        assertThat(md).contains("| step7-step8 | 8 / 7 | 1 | 3,000 | 1.10 | 1.00 | 0.90 |");
        assertThat(md).contains("| builds | after / before | 1 | 3,000 | 1.00 | 1.00 | 1.00 |");
    }

    @Test
    void capacity_shows_what_holding_the_idle_connections_costs_each_second_and_dashes_for_runs_before_the_hold()
            throws IOException {
        String settings = ",\"results\":{\"joined\":10000,\"connectSeconds\":6.0,\"rssKbBefore\":100000,\"rssKbAfter\":180000,"
                + "\"heapKbBefore\":8000,\"heapKbAfter\":50000,\"threadsAfter\":40";
        write("capacity.jsonl",
                "{\"scenario\":\"capacity\",\"at\":\"2026-12-08T09:00:00Z\",\"command\":\"bench capacity --step 7\",\"page\":\"capacity-step7\","
                        + MACHINE + ",\"loadAverageBefore\":1.0,\"settings\":{\"step\":7}" + settings + "}}",
                "{\"scenario\":\"capacity\",\"at\":\"2026-12-08T10:00:00Z\",\"command\":\"bench capacity\",\"page\":\"capacity\","
                        + MACHINE + ",\"loadAverageBefore\":1.0,\"settings\":{\"step\":8}" + settings
                        + ",\"idle\":{\"seconds\":20.0,\"nodeCpuMicros\":600000,\"redisCpuMicros\":200000,\"redisCommands\":200020}}}");
        Summary.write(dir);
        String md = read("README.md");

        assertThat(md).contains("| step | connections | connect s | RSS KB / connection | live heap KB / connection | node threads | "
                + "idle: node CPU ms/s | Redis CPU ms/s | Redis commands/s |");
        assertThat(md).contains("| 8 | 10,000 | 6.0 | 8.0 | 4.2 | 40 | 30.0 | 10.0 | 10,001 | `bench capacity` |");
        assertThat(md).contains("| 7 | 10,000 | 6.0 | 8.0 | 4.2 | 40 | – | – | – | `bench capacity --step 7` |");
    }

    @Test
    void scenarios_come_in_the_lab_order() throws IOException {
        String md = summaryOfAll();

        List<String> headings = md.lines().filter(l -> l.startsWith("## ")).toList();
        assertThat(headings).containsExactly("## transports", "## fanout", "## ramp", "## storm", "## storage");
    }

    @Test
    void with_no_results_the_page_says_how_to_get_some() throws IOException {
        Summary.write(dir);

        assertThat(read("README.md")).contains("No results yet: run `./lab bench`.");
        assertThat(read("latency.svg")).contains("no latency results yet");
        assertThat(read("ramp.svg")).contains("no ramp results yet");
    }

    @Test
    void fanout_pages_come_from_the_target_and_affinity_even_on_lines_without_them() {
        assertThat(Summary.pageOf("fanout", json("{\"command\":\"bench fanout --target step5 --affinity\",\"settings\":{\"target\":\"step5\"}}")))
                .isEqualTo("fanout-step5-affinity");
        assertThat(Summary.pageOf("fanout", json("{\"settings\":{}}"))).isEqualTo("fanout-step4");
        assertThat(Summary.pageOf("ramp", json("{\"settings\":{\"target\":\"step4\"}}"))).isEqualTo("ramp-step4");
        assertThat(Summary.pageOf("storm", json("{\"settings\":{\"via\":\"drain\"}}"))).isEqualTo("storm-drain");
        assertThat(Summary.pageOf("storage", json("{}"))).isEqualTo("storage");
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
