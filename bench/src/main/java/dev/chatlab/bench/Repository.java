package dev.chatlab.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The lab's repository as the bench finds it: the place of the modules' jars and of the default results directory. */
public final class Repository {
    private Repository() {
    }

    /**
     * The repository's root: found from where the bench's own classes live ({@code bench/target/...}),
     * so that default paths work from any directory; the working directory otherwise.
     */
    public static Path root() {
        try {
            Path here = Path.of(Repository.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = here; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("bench"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back below
        }
        return Path.of("").toAbsolutePath();
    }
}
