package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RedisCommandsTest {

    /** An INFO commandstats reply as Redis 7 writes it (CRLF line ends, a heading, a field Redis 7 added). */
    private static String info(long evalsha, long zadd, long publish, long info) {
        return "# Commandstats\r\n"
                + "cmdstat_evalsha:calls=" + evalsha + ",usec=" + (evalsha * 40) + ",usec_per_call=40.00,rejected_calls=0,failed_calls=0\r\n"
                + "cmdstat_zadd:calls=" + zadd + ",usec=" + (zadd * 2) + ",usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n"
                + "cmdstat_publish:calls=" + publish + ",usec=" + (publish * 3) + ",usec_per_call=3.00,rejected_calls=0,failed_calls=0\r\n"
                + "cmdstat_info:calls=" + info + ",usec=300,usec_per_call=150.00,rejected_calls=0,failed_calls=0\r\n";
    }

    @Test
    void a_commandstats_reply_gives_each_commands_calls_and_microseconds() {
        RedisCommands commands = RedisCommands.parse(info(10, 300, 5, 2));

        assertThat(commands.byCommand()).containsOnlyKeys("evalsha", "zadd", "publish", "info");
        assertThat(commands.byCommand().get("evalsha")).isEqualTo(new RedisCommands.Calls(10, 400));
        assertThat(commands.calls("publish")).isEqualTo(5);
        assertThat(commands.calls("get")).isZero();
    }

    @Test
    void what_ran_between_two_readings_leaves_out_the_readings_and_what_did_not_run() {
        RedisCommands before = RedisCommands.parse(info(10, 300, 5, 2));
        RedisCommands after = RedisCommands.parse(info(110, 3_300, 5, 4) + "cmdstat_ping:calls=7,usec=7,usec_per_call=1.00\r\n");

        RedisCommands between = after.since(before);

        // The largest count first; INFO (the bench's own) and PUBLISH (no new calls) left out; PING new since then.
        assertThat(between.byCommand().keySet()).containsExactly("zadd", "evalsha", "ping");
        assertThat(between.byCommand().get("evalsha")).isEqualTo(new RedisCommands.Calls(100, 4_000));
        assertThat(between.calls()).isEqualTo(3_000 + 100 + 7);
        assertThat(between.scripts()).isEqualTo(100);
        assertThat(between.callsByCommand()).containsExactly(java.util.Map.entry("zadd", 3_000L), java.util.Map.entry("evalsha", 100L),
                java.util.Map.entry("ping", 7L));
    }

    @Test
    void an_empty_reply_is_no_commands() {
        assertThat(RedisCommands.parse("# Commandstats\r\n").byCommand()).isEmpty();
        assertThat(RedisCommands.parse("").calls()).isZero();
    }
}
