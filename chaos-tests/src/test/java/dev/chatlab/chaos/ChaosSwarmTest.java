package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** What about the swarm needs no processes: which step's nodes it runs, how extra node options are read. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChaosSwarmTest {

    @Test
    void extra_node_options_are_comma_separated_and_blanks_are_ignored() {
        assertThat(ChaosSwarm.extraNodeArgs("--backfill,off")).containsExactly("--backfill", "off");
        assertThat(ChaosSwarm.extraNodeArgs(" --backfill , off ,, --max-queued-bytes,1024 "))
                .containsExactly("--backfill", "off", "--max-queued-bytes", "1024");
        assertThat(ChaosSwarm.extraNodeArgs("")).isEmpty();
        assertThat(ChaosSwarm.extraNodeArgs(null)).isEmpty();
    }

    @Test
    void an_extra_option_replaces_the_same_option_given_before_with_its_value() {
        List<String> base = List.of("--drain-grace", "2s", "--presence-ttl", "3000ms", "--leave-delay", "2000ms", "--flag");
        assertThat(ChaosSwarm.withExtra(base, List.of("--leave-delay", "0ms")))
                .containsExactly("--drain-grace", "2s", "--presence-ttl", "3000ms", "--flag", "--leave-delay", "0ms");
        assertThat(ChaosSwarm.withExtra(base, List.of("--flag", "--drain-grace=1s")))
                .containsExactly("--presence-ttl", "3000ms", "--leave-delay", "2000ms", "--flag", "--drain-grace=1s");
        assertThat(ChaosSwarm.withExtra(List.of("--presence-ttl=3s", "--x"), List.of("--presence-ttl", "10s")))
                .containsExactly("--x", "--presence-ttl", "10s");
        assertThat(ChaosSwarm.withExtra(base, List.of())).isEqualTo(base);
    }

    @Test
    void proxies_are_named_after_the_node_and_the_connection() {
        assertThat(ChaosSwarm.commandProxy(2)).isEqualTo("redis-cmd-node-2");
        assertThat(ChaosSwarm.subscriptionProxy(2)).isEqualTo("redis-sub-node-2");
    }

    @Test
    void the_newest_step_runs_unless_another_is_named() {
        assertThat(ChaosSwarm.step(null)).isEqualTo(8);
        assertThat(ChaosSwarm.step(" ")).isEqualTo(8);
        assertThat(ChaosSwarm.step("8")).isEqualTo(8);
        assertThat(ChaosSwarm.step("step8")).isEqualTo(8);
        assertThat(ChaosSwarm.step("7")).isEqualTo(7);
        assertThat(ChaosSwarm.step("step6")).isEqualTo(6);
        assertThat(ChaosSwarm.step(" 5 ")).isEqualTo(5);
        assertThatThrownBy(() -> ChaosSwarm.step("4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5, 6, 7 or 8");
    }

    @Test
    void each_step_runs_from_its_own_module_and_only_step_8_keeps_presence() {
        assertThat(ChaosSwarm.nodeModule(5)).isEqualTo("step5-loadbalancer");
        assertThat(ChaosSwarm.nodeModule(6)).isEqualTo("step6-hardening");
        assertThat(ChaosSwarm.nodeModule(7)).isEqualTo("step7-performance");
        assertThat(ChaosSwarm.nodeModule(8)).isEqualTo("step8-presence");
        assertThat(ChaosSwarm.hasPresence(7)).isFalse();
        assertThat(ChaosSwarm.hasPresence(8)).isTrue();
    }
}
