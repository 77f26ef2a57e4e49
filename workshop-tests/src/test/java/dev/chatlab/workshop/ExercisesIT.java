package dev.chatlab.workshop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Proves every exercise that a step's {@code exercises.txt} lists: in a copy made by {@code ./lab exercise}
 * with only that exercise cut out, the copy compiles and the named test fails; with the step's code put
 * back, the named test passes.
 *
 * <p>The copies go to this module's {@code target/exercises} (through {@code LAB_EXERCISES_DIR}), never to
 * the attendee's {@code exercises/}. To keep it quick, one Maven run checks every step at once: one run
 * per round of cut-out copies (round k cuts each step's k-th exercise and puts its others back), and one
 * run on the copies with everything put back; each exercise is then judged from its copy's test reports.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExercisesIT {
    private static final Pattern STEP_MODULE = Pattern.compile("step(\\d+)-.+");

    record Exercise(String id, String selector) {}

    /** A step and its exercises (none when it has no exercises.txt), with what went wrong preparing each. */
    record Step(int number, String module, Path dir, boolean listed, List<Exercise> exercises, Map<String, String> problems) {}

    @TestFactory
    Stream<DynamicNode> every_exercise_fails_its_test_when_cut_out_and_passes_it_when_put_back() {
        Path root = Lab.repositoryRoot();
        Path work = root.resolve("workshop-tests/target/exercises");
        deleteTree(work);
        List<Step> steps = steps(root);
        List<Step> withExercises = steps.stream().filter(s -> !s.exercises().isEmpty()).toList();

        // Round k: each step's k-th exercise cut out, the others put back.
        int rounds = withExercises.stream().mapToInt(s -> s.exercises().size()).max().orElse(0);
        Map<String, Path> cutCopy = new LinkedHashMap<>();
        Map<String, Lab.Run> cutRun = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            Path workspace = work.resolve("cut-" + (round + 1));
            Lab lab = new Lab(root, workspace);
            List<Step> inRound = new ArrayList<>();
            List<Exercise> cut = new ArrayList<>();
            for (Step step : withExercises) {
                if (round < step.exercises().size()) {
                    Exercise exercise = step.exercises().get(round);
                    List<String> others = step.exercises().stream().map(Exercise::id).filter(id -> !id.equals(exercise.id())).toList();
                    if (copy(lab, work, step, workspace, others, round == 0)) {
                        inRound.add(step);
                        cut.add(exercise);
                        cutCopy.put(key(step, exercise), workspace.resolve(step.module()));
                    }
                }
            }
            Lab.Run run = check(lab, work.resolve("logs/check-cut-" + (round + 1) + ".log"), inRound, cut);
            for (int i = 0; i < inRound.size(); i++) {
                cutRun.put(key(inRound.get(i), cut.get(i)), run);
            }
        }

        // Every exercise put back: the copy is the step again.
        Path restored = work.resolve("restored");
        Lab lab = new Lab(root, restored);
        List<Step> restoredSteps = new ArrayList<>();
        for (Step step : withExercises) {
            if (copy(lab, work, step, restored, step.exercises().stream().map(Exercise::id).toList(), false)) {
                restoredSteps.add(step);
            }
        }
        Lab.Run restoredRun = check(lab, work.resolve("logs/check-restored.log"), restoredSteps,
                restoredSteps.stream().flatMap(s -> s.exercises().stream()).toList());

        return steps.stream().map(step -> {
            if (step.number() == 0) {
                // Step 0 compares transports; it has nothing to build, so nothing is cut out of it.
                return dynamicTest("step 0 has no exercise: nothing in it is marked and it lists none", () -> {
                    assertThat(step.listed()).as(step.module() + "/exercises.txt exists").isFalse();
                    assertThat(markedFiles(step.dir())).as("files of " + step.module() + " with exercise markers").isEmpty();
                });
            }
            if (!step.listed()) {
                return dynamicTest("step " + step.number() + " lists its exercises", () -> assertThat(step.listed())
                        .as(step.module() + " has an exercises.txt naming each exercise and the test that checks it")
                        .isTrue());
            }
            return dynamicContainer("step " + step.number() + " (" + step.module() + ")", step.exercises().stream().map(exercise -> {
                String key = key(step, exercise);
                Path copy = cutCopy.get(key);
                return dynamicContainer(exercise.id() + ", checked by " + exercise.selector(), Stream.of(
                        dynamicTest("lab exercise cuts it out and lists its TODO", () ->
                                assertThat(step.problems().get(exercise.id())).as("making the copies of " + step.module()).isNull()),
                        dynamicTest("with it cut out the copy compiles and its test fails", () -> {
                            assertThat(copy).as("the copy of " + step.module() + " with " + exercise.id() + " cut out").isNotNull();
                            List<TestReports.Case> cases = TestReports.selected(TestReports.of(copy), exercise.selector());
                            assertThat(cases).as("the tests %s names in %s (none ran: the copy did not compile, or nothing matches); %s",
                                    exercise.selector(), copy, cutRun.get(key)).isNotEmpty();
                            assertThat(cases).as("%s with %s cut out, in %s", exercise.selector(), exercise.id(), copy)
                                    .anyMatch(TestReports.Case::failed);
                        }),
                        dynamicTest("put back, its test passes", () -> {
                            assertThat(step.problems().get("restored")).as("putting every exercise of " + step.module() + " back").isNull();
                            Path back = restored.resolve(step.module());
                            List<TestReports.Case> cases = TestReports.selected(TestReports.of(back), exercise.selector());
                            assertThat(cases).as("the tests %s names in %s (none ran); %s", exercise.selector(), back, restoredRun)
                                    .isNotEmpty();
                            assertThat(cases).as("%s with the step's code, in %s; %s", exercise.selector(), back, restoredRun)
                                    .noneMatch(TestReports.Case::failed);
                        })));
            }));
        });
    }

    /**
     * {@code ./lab exercise N --reset} into {@code workspace}, then puts back the exercises {@code putBack};
     * on the first copy of a step, also checks what it listed. Problems go to the step's problems; false
     * when there is no copy to test.
     */
    private static boolean copy(Lab lab, Path work, Step step, Path workspace, List<String> putBack, boolean checkListing) {
        Lab.Run made = lab.run(work.resolve("logs/exercise-" + step.number() + "-" + workspace.getFileName() + ".log"),
                "exercise", String.valueOf(step.number()), "--reset");
        if (made.status() != 0) {
            step.exercises().forEach(e -> step.problems().putIfAbsent(e.id(), made.toString()));
            step.problems().putIfAbsent("restored", made.toString());
            return false;
        }
        MarkedRegions regions = MarkedRegions.of(step.dir());
        Path copy = workspace.resolve(step.module());
        if (checkListing) {
            for (Exercise exercise : step.exercises()) {
                String problem = listingProblem(made, regions, copy, exercise);
                if (problem != null) {
                    step.problems().put(exercise.id(), problem);
                }
            }
        }
        try {
            for (String id : putBack) {
                if (regions.byId().containsKey(id)) {
                    regions.putBack(copy, id);
                }
            }
            if (putBack.size() == step.exercises().size()) {
                String difference = difference(step.dir().resolve("src/main"), copy.resolve("src/main"));
                if (difference != null) {
                    step.problems().put("restored", "with every exercise put back, the copy differs from the step: " + difference);
                }
            }
        } catch (RuntimeException e) {
            step.problems().putIfAbsent("restored", e.getMessage());
            step.exercises().forEach(ex -> step.problems().putIfAbsent(ex.id(), e.getMessage()));
        }
        return true;
    }

    /** Null when ./lab exercise listed the exercise with a file:line that holds its TODO; else what is wrong. */
    private static String listingProblem(Lab.Run made, MarkedRegions regions, Path copy, Exercise exercise) {
        MarkedRegions.Region region = regions.byId().get(exercise.id());
        if (region == null) {
            return "exercises.txt lists " + exercise.id() + " but no region of the step's src/main is marked with it";
        }
        Matcher listed = Pattern.compile("(?m)^  " + Pattern.quote(exercise.id()) + ": .*\\R {6}(\\S+):(\\d+)$").matcher(made.output());
        if (!listed.find()) {
            return "./lab exercise did not list " + exercise.id() + " with a file:line; it printed:\n" + made.output();
        }
        Path shown = Path.of(listed.group(1));
        Path file = copy.resolve(region.file());
        if (!file.endsWith(shown.subpath(Math.max(0, shown.getNameCount() - region.file().getNameCount()), shown.getNameCount()))) {
            return "./lab exercise listed " + exercise.id() + " in " + shown + ", but it is marked in " + region.file();
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            int line = Integer.parseInt(listed.group(2));
            if (line < 1 || line > lines.size() || !lines.get(line - 1).equals(region.replacement().get(0))) {
                return "line " + line + " of " + file + " is not the TODO of " + exercise.id() + " (" + region.replacement().get(0).strip() + ")";
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    /** One Maven run of the named tests on the copies in the Lab's workspace, failures reported, not fatal. */
    private static Lab.Run check(Lab lab, Path log, List<Step> steps, List<Exercise> exercises) {
        if (steps.isEmpty()) {
            return null;
        }
        List<String> args = new ArrayList<>(List.of("check"));
        steps.forEach(s -> args.add(String.valueOf(s.number())));
        args.addAll(List.of("--exercise", "--only", exercises.stream().map(Exercise::selector).distinct().collect(Collectors.joining(",")),
                // Every copy is tested even when one fails to compile; a failing test is an outcome here, not an error.
                "--", "--fail-at-end", "-Dmaven.test.failure.ignore=true"));
        return lab.run(log, args.toArray(String[]::new));
    }

    private static List<Step> steps(Path root) {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> STEP_MODULE.matcher(d.getFileName().toString()).matches() && Files.isRegularFile(d.resolve("pom.xml")))
                    .map(dir -> {
                        String module = dir.getFileName().toString();
                        Matcher m = STEP_MODULE.matcher(module);
                        m.matches();
                        Path listing = dir.resolve("exercises.txt");
                        return new Step(Integer.parseInt(m.group(1)), module, dir, Files.isRegularFile(listing),
                                Files.isRegularFile(listing) ? exercises(listing) : List.of(), new LinkedHashMap<>());
                    })
                    .sorted(Comparator.comparingInt(Step::number))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Exercise> exercises(Path listing) {
        try {
            List<Exercise> exercises = new ArrayList<>();
            for (String line : Files.readAllLines(listing, StandardCharsets.UTF_8)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] fields = trimmed.split("\\s+");
                if (fields.length != 2) {
                    throw new IllegalStateException(listing + ": a line reads \"<id> <test selector>\", not \"" + line + "\"");
                }
                exercises.add(new Exercise(fields[0], fields[1]));
            }
            return exercises;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null when the two trees hold the same files with the same lines; else the first difference. */
    private static String difference(Path expected, Path actual) {
        try (Stream<Path> a = Files.walk(expected); Stream<Path> b = Files.walk(actual)) {
            List<Path> expectedFiles = a.filter(Files::isRegularFile).map(expected::relativize).sorted().toList();
            List<Path> actualFiles = b.filter(Files::isRegularFile).map(actual::relativize).sorted().toList();
            if (!expectedFiles.equals(actualFiles)) {
                return "the files are " + actualFiles + ", not " + expectedFiles;
            }
            for (Path file : expectedFiles) {
                if (Files.mismatch(expected.resolve(file), actual.resolve(file)) != -1) {
                    return file + " differs";
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files under {@code dir/src/main} with an {@code // exercise:begin} marker. */
    private static List<Path> markedFiles(Path dir) {
        Path main = dir.resolve("src/main");
        if (!Files.isDirectory(main)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(main)) {
            return files.filter(Files::isRegularFile).filter(file -> {
                try {
                    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("// exercise:begin ");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(Step step, Exercise exercise) {
        return step.module() + "/" + exercise.id();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
