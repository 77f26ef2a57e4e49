package dev.chatlab.testkit.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatlab.testkit.process.WorkDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HaproxyConfigTest {

    private static final String TEMPLATE = String.join("\n",
            "backend nodes",
            "    balance leastconn",
            "    server node-1 \"${NODE1-127.0.0.1:3001}\" check weight 10",
            "    server node-2 \"${NODE2-127.0.0.1:3002}\"",
            "",
            "frontend stats",
            "    stats enable",
            "");

    private static List<String> nodes(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "127.0.0.1:" + (4000 + i)).toList();
    }

    private static String checkedIn(Balancing balancing) throws IOException {
        return Files.readString(Path.of("..", "haproxy", balancing.fileName()));
    }

    @Test
    void the_node_lines_become_one_line_per_node_in_the_place_of_the_first() {
        String rendered = HaproxyConfig.render(TEMPLATE, nodes(3));

        assertThat(rendered).isEqualTo(String.join("\n",
                "backend nodes",
                "    balance leastconn",
                "    server node-1 127.0.0.1:4001 check weight 10",
                "    server node-2 127.0.0.1:4002 check weight 10",
                "    server node-3 127.0.0.1:4003 check weight 10",
                "",
                "frontend stats",
                "    stats enable",
                ""));
    }

    @ParameterizedTest
    @EnumSource(Balancing.class)
    void a_checked_in_config_rendered_for_five_nodes_changes_only_its_server_lines(Balancing balancing) throws IOException {
        String template = checkedIn(balancing);

        String rendered = HaproxyConfig.render(template, nodes(5));

        List<String> serverLines = rendered.lines().filter(line -> line.trim().startsWith("server ")).toList();
        assertThat(serverLines).containsExactly(
                "    server node-1 127.0.0.1:4001",
                "    server node-2 127.0.0.1:4002",
                "    server node-3 127.0.0.1:4003",
                "    server node-4 127.0.0.1:4004",
                "    server node-5 127.0.0.1:4005");
        assertThat(rendered.lines().filter(line -> !line.trim().startsWith("server ")))
                .containsExactlyElementsOf(template.lines().filter(line -> !line.trim().startsWith("server ")).toList());
    }

    @ParameterizedTest
    @EnumSource(Balancing.class)
    void a_checked_in_config_rendered_for_one_node_and_for_seven_passes_haproxys_check(Balancing balancing)
            throws IOException {
        Path dir = WorkDirs.create("haproxy-render");
        for (int count : new int[] {1, 7}) {
            Path rendered = dir.resolve(count + "-" + balancing.fileName());
            Files.writeString(rendered, HaproxyConfig.render(checkedIn(balancing), nodes(count)));

            assertThat(HaproxyServer.check(rendered))
                    .contains("Configuration file is valid")
                    .doesNotContain("WARNING");
        }
    }

    @Test
    void a_template_without_a_node_line_is_refused() {
        assertThatThrownBy(() -> HaproxyConfig.render("backend nodes\n    server web-1 127.0.0.1:80\n", nodes(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 'server node-...' line");
    }

    @Test
    void an_address_that_is_not_host_and_port_is_refused() {
        assertThatThrownBy(() -> HaproxyConfig.render(TEMPLATE, List.of("127.0.0.1:3001", "127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'127.0.0.1'");
        assertThatThrownBy(() -> HaproxyConfig.render(TEMPLATE, List.of("127.0.0.1:3001 backup")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_config_without_nodes_is_refused() {
        assertThatThrownBy(() -> HaproxyConfig.render(TEMPLATE, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one node");
    }

    @Test
    void the_repositorys_haproxy_directory_is_found_from_the_module_directory() throws IOException {
        assertThat(HaproxyConfig.directory().toRealPath()).isEqualTo(Path.of("..", "haproxy").toRealPath());
        assertThat(HaproxyConfig.file(Balancing.ROOM_AFFINITY).toRealPath())
                .isEqualTo(Path.of("..", "haproxy", "haproxy-affinity.cfg").toRealPath());
    }

    @Test
    void node_states_are_read_from_the_stats_csv_of_the_nodes_backend() {
        String csv = String.join("\n",
                "# pxname,svname,qcur,status,weight",
                "chat,FRONTEND,,OPEN,",
                "nodes,node-1,0,UP,1",
                "nodes,node-2,0,DOWN,1",
                "nodes,node-3,0,UP 1/2,1",
                "nodes,BACKEND,0,UP,2",
                "stats,FRONTEND,,OPEN,",
                "");

        assertThat(HaproxyServer.nodeStates(csv))
                .containsExactly(
                        Map.entry("node-1", "UP"),
                        Map.entry("node-2", "DOWN"),
                        Map.entry("node-3", "UP 1/2"));
    }
}
