package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TableTest {

    private final Table table = new Table("transport", "p50 ms", "bytes / msg")
            .row("short polling", "508", "1,094")
            .row("WebSocket", "4.1", "84");

    @Test
    void the_console_table_pads_text_left_and_numbers_right() {
        assertThat(table.console()).isEqualTo(""
                + "transport      p50 ms  bytes / msg\n"
                + "-------------  ------  -----------\n"
                + "short polling     508        1,094\n"
                + "WebSocket         4.1           84\n");
    }

    @Test
    void the_markdown_table_right_aligns_number_columns() {
        assertThat(table.markdown()).isEqualTo(""
                + "| transport | p50 ms | bytes / msg |\n"
                + "|---|---:|---:|\n"
                + "| short polling | 508 | 1,094 |\n"
                + "| WebSocket | 4.1 | 84 |\n");
    }

    @Test
    void a_row_must_fill_every_column() {
        assertThatThrownBy(() -> table.row("one")).hasMessageContaining("1 cells in a table of 3 columns");
    }

    @Test
    void durations_read_the_way_people_write_them() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1_500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.format(Duration.ofMillis(1_500))).isEqualTo("1.5s");
        assertThat(DurationConverter.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThatThrownBy(() -> DurationConverter.parse("soon")).isInstanceOf(CommandLine.TypeConversionException.class);
    }
}
