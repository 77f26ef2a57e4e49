package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProcStatsTest {

    @Test
    void cpu_time_is_utime_plus_stime_read_past_a_process_name_with_spaces_and_parentheses() {
        String stat = "4242 (java (my) server) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1500 250 3 4 20 0 35 0 100 "
                + "5000000 30000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertThat(ProcStats.cpuTicks(stat)).isEqualTo(1_750);
    }

    @Test
    void rss_and_threads_come_from_the_status_file() {
        List<String> status = List.of("Name:\tjava", "VmPeak:\t 3000000 kB", "VmRSS:\t  123456 kB", "Threads:\t37");
        assertThat(ProcStats.statusValue(status, "VmRSS")).isEqualTo(123_456);
        assertThat(ProcStats.statusValue(status, "Threads")).isEqualTo(37);
        assertThat(ProcStats.statusValue(status, "VmSwap")).isEqualTo(-1);
    }

    @Test
    void connections_on_the_servers_port_are_counted_by_state_and_by_client_port() {
        // Port 3000 is 0BB8; 01 is ESTABLISHED, 0A is LISTEN, 06 is TIME_WAIT, 08 is CLOSE_WAIT.
        List<String> tcp = List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",
                "   1: 0100007F:0BB8 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1",
                "   2: 0100007F:0BB8 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 3 1",
                "   3: 0100007F:0BB8 0100007F:9C42 06 00000000:00000000 00:00000000 00000000     0        0 0 1",
                "   4: 0100007F:9C40 0100007F:0BB8 01 00000000:00000000 00:00000000 00000000     0        0 4 1",
                "   5: 0100007F:0BB8 0100007F:9C43 08 00000000:00000000 00:00000000 00000000     0        0 5 1");
        assertThat(ProcStats.established(3000, tcp)).isEqualTo(2);
        assertThat(ProcStats.count(3000, Set.of(0x9C41), ProcStats.ESTABLISHED, tcp)).isEqualTo(1);
        assertThat(ProcStats.count(3000, Set.of(0x9C41, 0x9C42, 0x9C43), ProcStats.HELD, tcp))
                .as("a connection whose client has gone is held until the server closes it").isEqualTo(2);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void this_very_process_can_be_sampled() {
        ProcStats.Sample sample = new ProcStats(ProcessHandle.current().pid(), 1).sample();
        assertThat(sample.threads()).isPositive();
        assertThat(sample.rssKb()).isPositive();
        assertThat(ProcStats.clockTicksPerSecond()).isPositive();
    }
}
