package dev.chatlab.bench.transports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Results;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResultsTest {
    private static final Latency TWO_THOUSAND = new Latency(2_000, 4_000, 20_000, 30_000);

    @Test
    void per_message_figures_are_window_totals_divided_by_deliveries() {
        LoadResult result = new LoadResult("long polling", 100, 100, 20, 1.0, 20, TWO_THOUSAND, 1_000, 500_000, 300_000);
        assertThat(result.delivered()).isEqualTo(2_000);
        assertThat(result.requestsPerMessage()).isEqualTo(0.5);
        assertThat(result.bytesPerMessage()).isEqualTo(250.0);
        assertThat(result.cpuMicrosPerMessage()).isEqualTo(150.0);
        assertThat(result.deliveredShare()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void with_nothing_delivered_there_is_no_per_message_figure() {
        LoadResult result = new LoadResult("websocket", 10, 0, 20, 1.0, 20, new Latency(0, 0, 0, 0), 0, 0, 1_000);
        assertThat(result.bytesPerMessage()).isNaN();
        assertThat(result.deliveredShare()).isNaN();
        assertThat(TransportsCommand.fixed(result.bytesPerMessage(), 0)).isEqualTo("-");
    }

    @Test
    void idle_figures_are_per_second_and_per_client() {
        IdleResult idle = new IdleResult("short polling", 1_000, 1_000, 2, 700, 40, 60, 100_000, 150_000, 20_000, 30_000,
                5.0, 2_000_000, 5_000, 1_500_000);
        assertThat(idle.heapKbPerClient()).isEqualTo(10.0);
        assertThat(idle.cpuMillisPerSecond()).isEqualTo(400.0);
        assertThat(idle.requestsPerSecond()).isEqualTo(1_000.0);
        assertThat(idle.bytesPerSecond()).isEqualTo(300_000.0);

        IdleResult unasked = new IdleResult("WebSocket", 1_000, 1_000, 2, 1_002, 40, 40, 100_000, 110_000, -1, -1,
                5.0, 0, 0, 0);
        assertThat(unasked.heapKbPerClient()).as("no heap figure without jcmd").isNaN();
    }

    @Test
    void the_tables_show_latency_in_milliseconds_and_the_json_line_carries_the_derived_figures() {
        LoadResult result = new LoadResult("WebSocket", 50, 50, 20, 10.0, 200, TWO_THOUSAND, 0, 168_000, 232_000);
        String console = TransportsCommand.loadTable(List.of(result)).console();
        assertThat(console).contains("WebSocket", "4.0", "20.0", "0.000", "84", "116");

        String json = Results.jsonLine(result);
        assertThat(json).contains("\"delivered\":2000", "\"bytesPerMessage\":84.0", "\"requestsPerMessage\":0.0",
                "\"latency\":{\"count\":2000,\"p50\":4000,\"p99\":20000,\"max\":30000}");
    }

    @Test
    void bench_messages_are_timed_and_other_messages_are_not() {
        Tally tally = new Tally();
        ObjectMapper json = new ObjectMapper();
        tally.received(json.createObjectNode().put("message", Tally.PREFIX + (System.nanoTime() - 2_000_000)));
        tally.received(json.createObjectNode().put("message", "hello from a person"));
        tally.received(json.createObjectNode().put("message", Tally.PREFIX + "not a number"));

        assertThat(tally.received()).isEqualTo(1);
        Latency latency = Latency.of(tally.window());
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.p50()).isGreaterThanOrEqualTo(2_000);
    }

    @Test
    void transports_are_named_on_the_command_line_by_short_keys() {
        assertThat(Transport.byKey("ws")).isEqualTo(Transport.WEBSOCKET);
        assertThat(Transport.byKey(" SSE ")).isEqualTo(Transport.SSE);
        assertThatThrownBy(() -> Transport.byKey("pigeon"))
                .hasMessageContaining("short, long, sse, ws");
    }
}
