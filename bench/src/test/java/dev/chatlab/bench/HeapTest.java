package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HeapTest {

    @Test
    void the_g1_heap_line_gives_the_used_heap_and_metaspace_is_left_out() {
        String g1 = "4242:\n"
                + " garbage-first heap   total 262144K, used 23456K [0x00000000f0000000, 0x0000000100000000)\n"
                + "  region size 1024K, 3 young (3072K), 0 survivors (0K)\n"
                + " Metaspace       used 12345K, committed 12800K, reserved 1114112K\n"
                + "  class space    used 1500K, committed 1664K, reserved 1048576K\n";
        assertThat(Heap.usedKb(g1)).isEqualTo(23_456);
    }

    @Test
    void the_serial_collectors_generations_are_added_up() {
        String serial = "4242:\n"
                + " def new generation   total 4928K, used 2341K [0x00000000e0000000, 0x00000000e0550000)\n"
                + "  eden space 4416K,  53% used [0x00000000e0000000, 0x00000000e0249478, 0x00000000e0450000)\n"
                + " tenured generation   total 10944K, used 1000K [0x00000000eaaa0000, 0x00000000eb550000)\n"
                + " Metaspace       used 700K, committed 900K, reserved 1056768K\n";
        assertThat(Heap.usedKb(serial)).isEqualTo(3_341);
    }

    @Test
    void an_answer_without_a_heap_line_is_unknown() {
        assertThat(Heap.usedKb("4242:\nCould not attach\n")).isEqualTo(-1);
    }

    @Test
    void this_very_process_can_be_asked() {
        assumeTrue(Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "jcmd")), "a JDK with jcmd");
        assertThat(Heap.usedAfterGcKb(ProcessHandle.current().pid())).isPositive();
    }
}
