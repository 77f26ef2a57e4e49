package dev.chatlab.testkit.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What the kernel says about a PID, for tests that check a process is frozen, running or gone. */
public final class Processes {
    private Processes() {
    }

    /** The state letter from {@code /proc/<pid>/stat} ({@code S}, {@code R}, {@code T}, {@code Z}...), if the PID exists. */
    public static Optional<Character> state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name in parentheses may itself hold spaces and parentheses.
            return Optional.of(stat.charAt(stat.lastIndexOf(')') + 2));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True while the PID names a process that has not exited (a frozen one counts, a zombie does not). */
    public static boolean running(long pid) {
        return state(pid).filter(state -> state != 'Z' && state != 'X').isPresent();
    }

    /** The PIDs of this JVM's children that are still running. */
    public static Set<Long> children() {
        return ProcessHandle.current().children()
                .map(ProcessHandle::pid)
                .filter(Processes::running)
                .collect(Collectors.toSet());
    }
}
