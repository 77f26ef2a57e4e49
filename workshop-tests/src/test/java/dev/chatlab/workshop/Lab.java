package dev.chatlab.workshop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the repository's {@code ./lab} with its exercise workspace in a directory of the test's own. */
final class Lab {
    private static final long TIMEOUT_MINUTES = 15;

    private final Path root;
    private final Path exercises;

    Lab(Path root, Path exercises) {
        this.root = root;
        this.exercises = exercises;
    }

    /** The repository this module is part of: the parent of the module's directory. */
    static Path repositoryRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getParent();
        if (root == null || !Files.isRegularFile(root.resolve("lab"))) {
            throw new IllegalStateException("no ./lab in the parent of " + module);
        }
        return root;
    }

    /** A result of one run: its exit status, and everything it printed (stdout and stderr, interleaved). */
    record Run(List<String> command, int status, String output, Path log) {
        String tail(int lines) {
            List<String> all = output.lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " exited with " + status + " (its output: " + log + "); the end of it:\n" + tail(40);
        }
    }

    /** Runs {@code ./lab args...} to completion; its output also goes to {@code log}. */
    Run run(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("lab").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("LAB_EXERCISES_DIR", exercises.toString());
        try {
            Files.createDirectories(log.getParent());
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                // Maven and the servers its tests start are descendants: stop them by PID, deepest first.
                process.descendants().sorted((a, b) -> Long.compare(b.pid(), a.pid())).forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + TIMEOUT_MINUTES + " minutes; its output: " + log);
            }
            return new Run(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
