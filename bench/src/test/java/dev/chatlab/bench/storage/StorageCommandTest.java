package dev.chatlab.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;

class StorageCommandTest {

    @Test
    void the_jmh_benchmark_runs_in_both_modes_and_cleans_up(@TempDir Path dir) throws Exception {
        StorageCommand command = new StorageCommand();
        new CommandLine(command).parseArgs("--forks", "0", "--warmup-iterations", "0", "--iterations", "1", "--rooms", "3");

        StorageCommand.Measured m = StorageCommand.measure(command.options(dir, TimeValue.milliseconds(200)));

        assertThat(m.appendsPerSecond()).isPositive();
        assertThat(m.samples()).isPositive();
        assertThat(m.p50()).isPositive().isLessThanOrEqualTo(m.p99());
        assertThat(m.p99()).isLessThanOrEqualTo(m.p999()).isLessThanOrEqualTo(m.max());
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
