package dev.chatlab.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatlab.bench.Bench;
import dev.chatlab.bench.RedisCommands;
import dev.chatlab.bench.ThreadCpu;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Capacity's idle hold: its option, and its tables and JSON from hand-made readings; nothing here starts a process. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IdleHoldTest {

    private static CapacityCommand parsed(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "capacity";
        System.arraycopy(args, 0, all, 1, args.length);
        return (CapacityCommand) new CommandLine(new Bench()).parseArgs(all).subcommand().commandSpec().userObject();
    }

    /** 20 s held: the node used 0.6 s of CPU, Redis 0.2 s; 4,000 script runs that made 200,000 calls, 20 publishes. */
    private static final CapacityCommand.Idle IDLE = new CapacityCommand.Idle(20.0, 600_000, 200_000, commands(), 40_000,
            List.of(new ThreadCpu.Group("presence", 0.3, 0.1), new ThreadCpu.Group("C2 CompilerThre", 0.1, 0.0),
                    new ThreadCpu.Group("VM Periodic Tas", 0.001, 0.0)));

    private static RedisCommands commands() {
        Map<String, RedisCommands.Calls> byCommand = new LinkedHashMap<>();
        byCommand.put("zadd", new RedisCommands.Calls(196_000, 392_000));
        byCommand.put("evalsha", new RedisCommands.Calls(4_000, 400_000));
        byCommand.put("publish", new RedisCommands.Calls(20, 60));
        return new RedisCommands(byCommand);
    }

    @Test
    void the_hold_lasts_10_s_by_default_and_is_bounded() {
        assertThat(parsed().hold).hasSeconds(10);
        assertThat(parsed("--hold", "20s").hold).hasSeconds(20);
        for (String hold : List.of("0s", "3m")) {
            CapacityCommand capacity = parsed("--hold", hold);
            assertThatThrownBy(capacity::call).isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessage("--hold must be more than 0 and at most 2m");
        }
    }

    @Test
    void the_hold_table_gives_each_figure_per_second() {
        String table = IDLE.table(10_000).markdown();

        assertThat(table).contains("| hold s | 20.0 |");
        assertThat(table).contains("| node CPU ms/s | 30.0 |");
        assertThat(table).contains("| node CPU per 1,000 connections, ms/s | 3.00 |");
        assertThat(table).contains("| Redis CPU ms/s | 10.0 |");
        assertThat(table).contains("| Redis commands/s (calls made by scripts included) | 10,001 |");
        assertThat(table).contains("| Redis scripts run/s | 200.0 |");
        assertThat(table).contains("| Redis PUBLISH/s | 1.0 |");
        assertThat(table).contains("| bytes to the clients/s | 2,000 |");
    }

    @Test
    void the_threads_and_commands_tables_are_per_second_with_the_small_threads_summed() {
        assertThat(IDLE.threads().markdown()).contains("| presence | 20.00 | 75 |", "| C2 CompilerThre | 5.00 | 100 |",
                "| (the rest) | 0.05 |  |", "| all | 25.05 |  |");
        assertThat(IDLE.commandsTable().markdown()).contains("| zadd | 9,800.0 | 2.0 |", "| evalsha | 200.0 | 100.0 |",
                "| publish | 1.0 | 3.0 |");
    }

    @Test
    void the_json_keeps_the_counts_and_the_length_so_rates_can_be_read_back() {
        Map<String, Object> json = IDLE.json();

        assertThat(json).containsEntry("seconds", 20.0).containsEntry("nodeCpuMicros", 600_000L).containsEntry("redisCpuMicros", 200_000L)
                .containsEntry("redisCommands", 200_020L).containsEntry("redisScripts", 4_000L).containsEntry("bytesToClients", 40_000L);
        assertThat(json.get("redisCommandsByName")).isEqualTo(Map.of("zadd", 196_000L, "evalsha", 4_000L, "publish", 20L));
        assertThat(json).containsKey("nodeCpuSecondsByThread");
    }
}
