package dev.chatlab.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Working directories for fixtures under the calling module's {@code target/fixtures}, kept after the
 * run so that a failed test leaves its servers' logs and data behind for inspection.
 */
public final class WorkDirs {
    /** System property that moves the fixtures' root somewhere else. */
    public static final String ROOT_PROPERTY = "chatlab.fixtures.dir";

    private WorkDirs() {
    }

    /** The root all fixture directories go under: {@code <module>/target/fixtures} by default. */
    public static Path root() {
        String configured = System.getProperty(ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        // Surefire and failsafe set basedir to the module being tested; a plain JVM falls back to its cwd.
        String module = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(module, "target", "fixtures").toAbsolutePath();
    }

    /** Creates a new, empty directory {@code <root>/<name>-<n>} with the lowest {@code n} not taken yet. */
    public static Path create(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a fixture name is letters, digits, '_', '.' and '-': '" + name + "'");
        }
        Path root = root();
        try {
            Files.createDirectories(root);
            for (int n = 1; ; n++) {
                Path dir = root.resolve(name + "-" + n);
                try {
                    // createDirectory is atomic, so concurrent callers (other test JVMs too) never share one.
                    return Files.createDirectory(dir);
                } catch (FileAlreadyExistsException taken) {
                    // taken: try the next n
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a fixture directory under " + root, e);
        }
    }
}
