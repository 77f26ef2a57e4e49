package dev.chatlab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void reads_user_and_system_ticks_after_a_name_with_spaces_and_parentheses() {
        String stat = "4242 (odd (name) here) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 1 0";
        ThreadCpu.Task task = ThreadCpu.parse("odd (name) here", stat);
        assertThat(task.userTicks()).isEqualTo(150);
        assertThat(task.systemTicks()).isEqualTo(25);
    }

    @Test
    void numbered_threads_of_one_kind_share_a_group() {
        assertThat(ThreadCpu.group("JettyServerThre")).isEqualTo("JettyServerThre");
        assertThat(ThreadCpu.group("qtp123-45")).isEqualTo("qtp123");
        assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo("C2 CompilerThre");
        assertThat(ThreadCpu.group("GC Thread#3")).isEqualTo("GC Thread");
        assertThat(ThreadCpu.group("node-1-delivery")).isEqualTo("node-1-delivery");
        assertThat(ThreadCpu.group("42")).isEqualTo("42");
    }

    @Test
    void the_cpu_between_snapshots_is_summed_per_group_largest_first_and_new_threads_count_from_zero() {
        ThreadCpu.Snapshot before = new ThreadCpu.Snapshot(Map.of(
                1L, new ThreadCpu.Task("worker-1", 100, 10),
                2L, new ThreadCpu.Task("worker-2", 50, 5),
                3L, new ThreadCpu.Task("delivery", 0, 0),
                4L, new ThreadCpu.Task("gone", 70, 0)));
        ThreadCpu.Snapshot after = new ThreadCpu.Snapshot(Map.of(
                1L, new ThreadCpu.Task("worker-1", 130, 20),
                2L, new ThreadCpu.Task("worker-2", 60, 5),
                3L, new ThreadCpu.Task("delivery", 200, 100),
                5L, new ThreadCpu.Task("worker-3", 20, 0),
                6L, new ThreadCpu.Task("idle", 0, 0)));

        List<ThreadCpu.Group> groups = ThreadCpu.between(before, after, 100);

        assertThat(groups).extracting(ThreadCpu.Group::name).containsExactly("delivery", "worker");
        assertThat(groups.get(0).userSeconds()).isEqualTo(2.0);
        assertThat(groups.get(0).systemSeconds()).isEqualTo(1.0);
        // worker-1: 30 + 10, worker-2: 10 + 0, worker-3 (new): 20 + 0 ticks
        assertThat(groups.get(1).userSeconds()).isEqualTo(0.6);
        assertThat(groups.get(1).systemSeconds()).isEqualTo(0.1);
    }

    @Test
    void this_jvm_shows_its_own_threads_under_their_names_cut_to_15_characters() {
        ThreadCpu.Snapshot now = ThreadCpu.take(ProcessHandle.current().pid());
        assertThat(now.threads()).hasSizeGreaterThan(3);
        assertThat(now.threads().values()).extracting(ThreadCpu.Task::name).contains("Reference Handl");
    }
}
