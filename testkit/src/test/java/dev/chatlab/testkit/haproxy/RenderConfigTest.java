package dev.chatlab.testkit.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What {@code ./lab up} runs to write HAProxy's configuration for its nodes. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RenderConfigTest {

    @ParameterizedTest
    @EnumSource(Balancing.class)
    void a_checked_in_config_is_written_as_render_makes_it(Balancing balancing, @TempDir Path dir) throws IOException {
        Path template = Path.of("..", "haproxy", balancing.fileName());
        Path out = dir.resolve("haproxy.cfg");

        RenderConfig.run(template.toString(), out.toString(), "127.0.0.1:3001", "127.0.0.1:3002");

        assertThat(Files.readString(out)).isEqualTo(
                HaproxyConfig.render(Files.readString(template), List.of("127.0.0.1:3001", "127.0.0.1:3002")));
    }

    @Test
    void a_template_without_a_node_line_is_refused_with_its_name(@TempDir Path dir) throws IOException {
        Path template = Files.writeString(dir.resolve("bare.cfg"), "backend nodes\n");

        assertThatThrownBy(() -> RenderConfig.run(template.toString(), dir.resolve("out.cfg").toString(), "127.0.0.1:3001"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bare.cfg").hasMessageContaining("server node-");
    }

    @Test
    void without_an_address_it_says_how_it_is_used() {
        assertThatThrownBy(() -> RenderConfig.run("haproxy.cfg", "out.cfg"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage");
    }
}
