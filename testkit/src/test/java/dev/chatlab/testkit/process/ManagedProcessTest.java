package dev.chatlab.testkit.process;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ManagedProcessTest {

    private static ManagedProcess sh(String name, String script) {
        return ManagedProcess.start(name, WorkDirs.create(name), List.of("sh", "-c", script));
    }

    @Test
    void a_process_that_exits_before_it_is_ready_is_reported_with_the_end_of_its_log() {
        try (ManagedProcess broken = sh("broken", "echo reading config; echo 'bad directive on line 3' >&2; exit 3")) {
            int port = Ports.free();

            assertThatThrownBy(() -> broken.awaitPort(port, ofSeconds(10)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code 3 before it was ready")
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("reading config")
                    .hasMessageContaining("bad directive on line 3")
                    .hasMessageContaining(broken.log().toString());
        }
    }

    @Test
    void a_process_that_never_gets_ready_is_reported_once_the_timeout_passes() {
        try (ManagedProcess idle = sh("idle", "echo waiting for nothing; exec sleep 60")) {
            assertThatThrownBy(() -> idle.awaitReady("a condition that never holds", ofMillis(300), () -> false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was not ready within 300 ms")
                    .hasMessageContaining("a condition that never holds")
                    .hasMessageContaining("waiting for nothing");
            assertThat(idle.isAlive()).isTrue();
        }
    }

    @Test
    void a_process_is_ready_once_its_port_accepts_connections() {
        int port = Ports.free();
        Path dir = WorkDirs.create("listener");
        try (ManagedProcess listener = ManagedProcess.start("listener", dir, ChildJvm.command("listen", String.valueOf(port)))) {
            listener.awaitPort(port, ofSeconds(20));

            assertThat(Ports.accepts(port)).isTrue();
        }
        assertThat(Ports.accepts(port)).isFalse();
    }

    @Test
    void a_process_is_ready_once_its_output_says_so() {
        try (ManagedProcess server = sh("talker", "echo warming up; sleep 0.2; echo ready to serve; exec sleep 60")) {
            server.awaitOutput("ready to serve", ofSeconds(10));

            assertThat(server.output()).contains("warming up");
        }
    }

    @Test
    void each_run_appends_to_the_log_and_output_shows_only_its_own() {
        Path dir = WorkDirs.create("twice");
        try (ManagedProcess first = ManagedProcess.start("echo", dir, List.of("sh", "-c", "echo first run"))) {
            first.awaitExit(ofSeconds(10));
        }
        try (ManagedProcess second = ManagedProcess.start("echo", dir, List.of("sh", "-c", "echo second run"))) {
            second.awaitExit(ofSeconds(10));

            assertThat(second.output()).contains("second run").doesNotContain("first run");
            assertThat(second.logTail(10)).contains("first run", "second run");
        }
    }

    @Test
    void stop_and_cont_freeze_and_thaw_a_process() {
        try (ManagedProcess sleeper = sh("freezable", "exec sleep 60")) {
            sleeper.signal(Signal.STOP);
            await("the process is frozen").atMost(ofSeconds(5))
                    .until(() -> Processes.state(sleeper.pid()).orElse('?') == 'T');

            sleeper.signal(Signal.CONT);
            await("the process runs again").atMost(ofSeconds(5))
                    .until(() -> Processes.state(sleeper.pid()).orElse('?') != 'T');
            assertThat(sleeper.isAlive()).isTrue();
        }
    }

    @Test
    void stop_ends_a_frozen_process_with_sigterm() {
        ManagedProcess sleeper = sh("frozen", "exec sleep 60");
        sleeper.signal(Signal.STOP);

        sleeper.stop(ofSeconds(10));

        assertThat(sleeper.exitCode()).hasValue(128 + 15);
        sleeper.close();
    }

    @Test
    void stop_ends_a_process_that_ignores_sigterm_with_sigkill() {
        // An ignored signal stays ignored across exec, so sleep itself ignores TERM.
        try (ManagedProcess stubborn = sh("stubborn", "trap '' TERM; echo ignoring TERM; exec sleep 60")) {
            stubborn.awaitOutput("ignoring TERM", ofSeconds(10));

            stubborn.stop(ofMillis(300));

            assertThat(stubborn.isAlive()).isFalse();
            assertThat(stubborn.exitCode()).hasValue(128 + 9);
        }
    }

    @Test
    void a_signal_to_a_process_that_has_exited_is_refused() {
        try (ManagedProcess done = sh("done", "exit 0")) {
            assertThat(done.awaitExit(ofSeconds(10))).isTrue();

            assertThatThrownBy(() -> done.signal(Signal.KILL))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code 0");
        }
    }

    @Test
    void closing_twice_is_harmless_and_leaves_nothing_running() {
        Set<Long> before = Processes.children();
        ManagedProcess sleeper = sh("closable", "exec sleep 60");
        long pid = sleeper.pid();
        assertThat(Processes.children()).contains(pid);

        sleeper.close();
        sleeper.close();

        assertThat(Processes.running(pid)).isFalse();
        await("the guard process is gone too").atMost(ofSeconds(5))
                .until(() -> before.containsAll(Processes.children()));
    }

    @Test
    void a_process_does_not_outlive_the_jvm_that_started_it_when_that_jvm_is_killed() {
        Path dir = WorkDirs.create("parent-jvm");
        try (ManagedProcess parent = ManagedProcess.start("parent", dir, ChildJvm.command("start-sleeper", dir.toString()))) {
            parent.awaitOutput("sleeper pid ", ofSeconds(20));
            Matcher found = Pattern.compile("sleeper pid (\\d+)").matcher(parent.output());
            assertThat(found.find()).isTrue();
            long sleeper = Long.parseLong(found.group(1));
            assertThat(Processes.running(sleeper)).isTrue();

            // SIGKILL runs no shutdown hook in the parent; only its guard process can end the sleeper.
            parent.signal(Signal.KILL);

            await("the sleeper is killed with its parent JVM").atMost(ofSeconds(10))
                    .until(() -> !Processes.running(sleeper));
        }
    }
}
