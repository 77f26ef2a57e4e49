package dev.chatlab.bench.storage;

import static dev.chatlab.bench.Report.f;
import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.Latency;
import dev.chatlab.bench.Report;
import dev.chatlab.bench.Repository;
import dev.chatlab.bench.Saving;
import dev.chatlab.bench.Table;
import dev.chatlab.chat.HistoryAppends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Step 3's SQLite history: how fast one writer appends (WAL, synchronous=NORMAL, as the server runs it). */
@Command(name = "storage", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Appends to step 3's History (SQLite, WAL) from one writer, round-robin over rooms, in this JVM, into a "
                + "fresh file under bench/target/storage; reports appends/s and microseconds per append (p50/p99/max).")
public final class StorageCommand implements Callable<Integer> {
    @Option(names = "--rooms", defaultValue = "20", description = "rooms (default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--messages", defaultValue = "20000", description = "measured appends (default: ${DEFAULT-VALUE})")
    int messages;
    @Option(names = "--warmup-messages", defaultValue = "5000", description = "appends before (default: ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--chars", defaultValue = "100", description = "characters per message (default: ${DEFAULT-VALUE})")
    int chars;
    @Mixin
    Saving saving;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Report report = new Report("storage", Report.commandOf(spec));
        report.announce("storage (step 3 History, SQLite)");
        Path dir = Repository.root().resolve("bench/target/storage");
        Files.createDirectories(dir);
        Path file = dir.resolve("history-" + System.currentTimeMillis() + ".db");
        HistoryAppends.Result r = HistoryAppends.run(file, rooms, warmup, messages, chars);
        long bytes = Files.size(file) + sizeOrZero(Path.of(file + "-wal"));
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
        double seconds = r.nanos() / 1e9;
        Latency lat = Latency.of(r.microsEach());
        Table table = new Table("Metric", "Value");
        table.row("appends", f("%,d", r.appends()));
        table.row("appends/s", f("%,.0f", r.appends() / seconds));
        table.row("us per append (mean)", f("%.1f", r.nanos() / 1e3 / r.appends()));
        table.row("us per append p50", f("%d", lat.p50()));
        table.row("us per append p99", f("%d", lat.p99()));
        table.row("us per append max", f("%d", lat.max()));
        table.row("file size MB (db + wal)", f("%.1f", bytes / 1e6));
        report.table(f("storage: 1 writer, %d rooms, %,d appends of %d chars after %,d warm-up", rooms, messages, chars, warmup), table);
        report.put("settings", Map.of("rooms", rooms, "messages", messages, "warmup", warmup, "chars", chars));
        report.put("results", Map.of("appendsPerSecond", r.appends() / seconds, "microsPerAppend", r.nanos() / 1e3 / r.appends(),
                "p50", lat.p50(), "p99", lat.p99(), "max", lat.max(), "bytes", bytes));
        saving.save(report);
        say("done");
        return 0;
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
