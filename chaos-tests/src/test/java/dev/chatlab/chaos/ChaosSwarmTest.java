package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The one thing about the swarm that needs no processes: how extra node options are read. */
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
    void proxies_are_named_after_the_node_and_the_connection() {
        assertThat(ChaosSwarm.commandProxy(2)).isEqualTo("redis-cmd-node-2");
        assertThat(ChaosSwarm.subscriptionProxy(2)).isEqualTo("redis-sub-node-2");
    }
}
