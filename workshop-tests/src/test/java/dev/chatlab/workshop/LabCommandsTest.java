package dev.chatlab.workshop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ./lab exercise, check, doctor and diff answer, short of running Maven. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LabCommandsTest {
    private static final Path ROOT = Lab.repositoryRoot();

    @TempDir
    Path workspace;

    @TempDir
    Path logs;

    private Lab.Run lab(String... args) {
        return new Lab(ROOT, workspace).run(logs.resolve(String.join("-", args).replaceAll("[^A-Za-z0-9-]", "_") + ".log"), args);
    }

    @Test
    void an_exercise_copy_holding_work_is_kept_unless_reset_is_asked_for() throws IOException {
        int step = firstStep(true);
        Path copy = Files.list(ROOT).filter(d -> d.getFileName().toString().startsWith("step" + step + "-"))
                .map(d -> workspace.resolve(d.getFileName())).findFirst().orElseThrow();

        assertThat(lab("exercise", String.valueOf(step)).status()).isZero();
        Path work = copy.resolve("src/main/java/Attendee.java");
        Files.writeString(work, "class Attendee {}\n");

        Lab.Run again = lab("exercise", String.valueOf(step));
        assertThat(again.status()).as(again.toString()).isEqualTo(2);
        assertThat(again.output()).contains("already holds your work on step " + step, "--reset");
        assertThat(work).exists();

        Lab.Run reset = lab("exercise", String.valueOf(step), "--reset");
        assertThat(reset.status()).as(reset.toString()).isZero();
        assertThat(work).doesNotExist();
        assertThat(copy.resolve("pom.xml")).content().contains("<relativePath>");
        assertThat(workspace.resolve("pom.xml")).content().contains("<module>" + copy.getFileName() + "</module>", "testkit</module>");
    }

    @Test
    void a_step_without_exercises_is_named_as_such() {
        int step = firstStep(false);
        Lab.Run run = lab("exercise", String.valueOf(step));
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.output()).contains("step " + step + " has no exercises yet");
        assertThat(workspace).isEmptyDirectory();
    }

    @Test
    void wrong_arguments_are_named_with_what_to_type_instead() {
        assertThat(lab("exercise").output()).contains("exercise wants a step number, e.g. ./lab exercise 1");
        assertThat(lab("exercise", "1", "2").output()).contains("exercise takes one step number");
        assertThat(lab("exercise", "99").output()).contains("there is no step 99 here; the steps are:");
        assertThat(lab("exercise", "1", "--force").output()).contains("exercise does not take '--force'");
        assertThat(lab("check").output()).contains("check wants one or more step numbers, e.g. ./lab check 1 2 3");
        assertThat(lab("check", "one").output()).contains("step wants a number, got 'one'");
        assertThat(lab("check", "1", "--fast").output()).contains("check does not take '--fast'");
        assertThat(lab("check", "1", "--only").output()).contains("--only wants a test selector");
        assertThat(lab("check", "1", "--exercise").output()).contains("there is no copy of step 1", "./lab exercise 1 makes one");
        assertThat(lab("up", "--step").output()).contains("--step wants a step number");
        assertThat(lab("up", "--step", "3").output()).contains("step 3 has no swarm", "./lab step 3 runs it");
        assertThat(lab("doctor", "now").output()).contains("doctor takes no arguments");
        for (String[] wrong : new String[][] {{"exercise"}, {"exercise", "99"}, {"check"}, {"check", "1", "--fast"}, {"up", "--step", "3"}}) {
            assertThat(lab(wrong).status()).as(String.join(" ", wrong)).isEqualTo(2);
        }
    }

    @Test
    void doctor_lists_every_tool_with_where_it_is_or_how_to_install_it() {
        Lab.Run run = lab("doctor");
        assertThat(run.output()).contains("java", "redis-server", "haproxy", "chromium", "chromedriver", "openssl", "curl", "git",
                "Steps 0-3", "need only Java 17+");
        assertThat(run.output().lines().filter(l -> l.contains("MISSING")).count() == 0)
                .as("exit status 0 exactly when nothing is missing: " + run.output())
                .isEqualTo(run.status() == 0);
    }

    @Test
    void diff_ends_with_how_many_lines_the_later_step_adds() {
        Lab.Run run = lab("diff", "1", "2");
        assertThat(run.status()).isZero();
        assertThat(run.tail(1)).matches("lab: step 2 over step 1 in src/main: \\d+ lines added, \\d+ removed");
    }

    /** The lowest step number with (or without) exercise markers; aborts the test when there is none. */
    private static int firstStep(boolean withExercises) {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(name -> name.matches("step\\d+-.+"))
                    .filter(name -> hasMarkers(ROOT.resolve(name)) == withExercises)
                    .mapToInt(name -> Integer.parseInt(name.substring(4, name.indexOf('-'))))
                    .sorted()
                    .findFirst()
                    .orElseGet(() -> {
                        Assumptions.abort("every step " + (withExercises ? "lacks" : "has") + " exercise markers");
                        return -1;
                    });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean hasMarkers(Path module) {
        try (Stream<Path> files = Files.walk(module.resolve("src/main"))) {
            return files.filter(Files::isRegularFile).anyMatch(f -> {
                try {
                    return Files.readString(f).contains("// exercise:begin ");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
