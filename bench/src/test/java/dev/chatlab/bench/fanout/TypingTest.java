package dev.chatlab.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatlab.bench.Report;
import dev.chatlab.bench.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code fanout --typing}: its options, shape, page and what it owes, checked without starting anything. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TypingTest {

    private static FanoutCommand parsed(String... args) {
        FanoutCommand fanout = new FanoutCommand();
        new CommandLine(fanout).parseArgs(args);
        return fanout;
    }

    @Test
    void typing_on_step_8_relays_every_signal_and_has_a_page_of_its_own() {
        FanoutCommand fanout = parsed("--target", "step8", "--direct", "--typing");
        FanoutLoad.Shape shape = fanout.shape(3000);

        assertThat(shape.typing()).isTrue();
        assertThat(shape.nodeArgs()).containsExactly("--typing-interval", "0ms");
        assertThat(shape.page("fanout")).isEqualTo("fanout-step8-direct-typing");
        assertThat(Report.commandOf(fanout.spec, "--target", "--affinity")).isEqualTo("bench fanout --target step8 --direct --typing");
        assertThat(parsed("--target", "step8", "--direct").shape(3000).typing()).isFalse();
        assertThat(parsed("--target", "step8", "--direct").shape(3000).page("fanout")).isEqualTo("fanout-step8-direct");
    }

    @Test
    void the_typing_interval_comes_after_the_limits_the_load_lifts() {
        FanoutLoad.Shape shape = parsed("--step", "8", "--senders", "2", "--direct", "--typing").shape(3000);

        assertThat(shape.nodeArgs()).containsExactly("--rate-messages", "3000", "--typing-interval", "0ms");
    }

    @Test
    void typing_before_step_8_is_a_usage_error() {
        for (String step : List.of("7", "4", "2")) {
            assertThatThrownBy(() -> parsed("--step", step, "--typing").shape(3000)).isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessage("--typing goes with --target step8 (the steps before it relay no typing signals)");
        }
    }

    @Test
    void a_typing_signal_is_owed_to_the_other_members_of_the_room_and_a_message_to_all_of_them() {
        FanoutLoad.Shape messages = new FanoutLoad.Shape(Target.STEP8, false, true, 3, 205, 10, 20, List.of(), List.of());
        FanoutLoad.Shape typing = messages.withTyping();

        assertThat(IntStream.range(0, 10).map(messages::owedPerSend)).containsExactly(21, 21, 21, 21, 21, 20, 20, 20, 20, 20);
        assertThat(IntStream.range(0, 10).map(typing::owedPerSend)).containsExactly(20, 20, 20, 20, 20, 19, 19, 19, 19, 19);
        assertThat(typing.withJar(null).typing()).isTrue();
    }

    @Test
    void on_step_8_each_member_joins_with_a_name_of_its_own_and_before_it_without_one() {
        FanoutLoad.Shape step8 = new FanoutLoad.Shape(Target.STEP8, false, true, 3, 200, 10, 20, List.of(), List.of());
        FanoutLoad.Shape step7 = new FanoutLoad.Shape(Target.STEP7, false, true, 3, 200, 10, 20, List.of(), List.of());

        assertThat(step8.memberName(0)).isEqualTo("m0");
        assertThat(step8.memberName(199)).isEqualTo("m199");
        assertThat(step7.memberName(5)).isNull();
    }

    @Test
    void typing_signals_are_judged_by_count_alone() {
        FanoutLoad.Integrity short_ = FanoutLoad.Integrity.ofTyping(1_000, 990, 0, 0, 10);
        FanoutLoad.Integrity over = FanoutLoad.Integrity.ofTyping(1_000, 1_003, 2, 1, 0);

        assertThat(List.of(short_.lost(), short_.duplicated(), short_.reordered(), short_.typingDropped())).containsExactly(10L, 0L, 0L, 10L);
        assertThat(List.of(over.lost(), over.duplicated(), over.errors(), over.ownTypings())).containsExactly(0L, 3L, 2L, 1L);
    }

    @Test
    void a_nodes_counter_is_read_off_its_metrics_page_summed_over_its_labels() {
        String page = "# HELP chat_typing_dropped_total typing signals dropped\n"
                + "# TYPE chat_typing_dropped_total counter\n"
                + "chat_typing_dropped_total{node=\"node-1\",} 12.0\n"
                + "chat_typing_dropped_totals_not_this 5.0\n"
                + "chat_typing_relayed_total{node=\"node-1\",} 3000.0\n";

        assertThat(FanoutLoad.counter(page, "chat_typing_dropped_total")).isEqualTo(12.0);
        assertThat(FanoutLoad.counter(page, "chat_typing_relayed_total")).isEqualTo(3000.0);
        assertThat(FanoutLoad.counter(page, "chat_presence_events_total")).isEqualTo(-1.0);
        assertThat(FanoutLoad.counter("chat_x 1\nchat_x{a=\"b\"} 2\n", "chat_x")).isEqualTo(3.0);
    }

    @Test
    void a_typing_runs_json_has_no_latency_and_says_how_many_came_back_to_their_sender() {
        FanoutLoad.Shape typing = new FanoutLoad.Shape(Target.STEP8, false, true, 3, 200, 10, 20, List.of(), List.of()).withTyping();
        FanoutLoad.Step step = new FanoutLoad.Step(3000, 10.0, 30_000, 570_000, 570_000, dev.chatlab.bench.Latency.histogram(), 0, 0, 0, 0,
                Map.of("node-1", 1_000_000L), 2_000_000);
        Map<String, Object> numbers = new LinkedHashMap<>();
        new FanoutLoad.Result(typing, step, FanoutLoad.Integrity.ofTyping(600_000, 600_000, 0, 0, 0), null).addTo(numbers);

        assertThat(numbers).doesNotContainKey("latencyMicros").containsEntry("ownTypings", 0L).containsEntry("typingDroppedByNodes", 0L).containsEntry("lost", 0L)
                .containsEntry("deliveredPerSecond", 57_000.0);
    }
}
