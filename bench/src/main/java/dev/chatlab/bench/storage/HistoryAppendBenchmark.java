package dev.chatlab.bench.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One writer appending to step 3's {@code History}, round-robin over {@code rooms}, into a fresh SQLite file per trial
 * (fork and mode) under {@code dir}. The modes, times and forks come from {@link StorageCommand}.
 */
@State(Scope.Thread)
public class HistoryAppendBenchmark {
    @Param("20")
    public int rooms;
    @Param("100")
    public int chars;
    /** Where the trial's file goes; empty: a temporary directory. */
    @Param("")
    public String dir;

    private StepThreeHistory history;
    private Path file;
    private String text;
    private String[] roomIds;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path parent = dir.isEmpty() ? Files.createTempDirectory("storage") : Files.createDirectories(Path.of(dir));
        file = parent.resolve("history-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".db");
        history = StepThreeHistory.open(file);
        text = "x".repeat(chars);
        roomIds = new String[rooms];
        for (int i = 0; i < rooms; i++) {
            roomIds[i] = "room-" + i;
        }
    }

    @Benchmark
    public Object append() {
        String room = roomIds[next];
        next = next + 1 == roomIds.length ? 0 : next + 1;
        return history.append(room, "bench", text, System.currentTimeMillis());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        history.close();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }
}
