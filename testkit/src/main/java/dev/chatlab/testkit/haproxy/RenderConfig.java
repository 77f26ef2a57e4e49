package dev.chatlab.testkit.haproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code java -cp testkit.jar dev.chatlab.testkit.haproxy.RenderConfig TEMPLATE OUT ADDRESS...}: writes TEMPLATE to
 * OUT with its {@code server node-...} lines replaced by one per address ({@link HaproxyConfig#render}), as
 * {@code ./lab up} needs it for the swarm it starts.
 */
public final class RenderConfig {
    private RenderConfig() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("lab: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Renders {@code args[0]} for the addresses {@code args[2..]} into {@code args[1]}. */
    static void run(String... args) {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: RenderConfig TEMPLATE OUT ADDRESS...");
        }
        Path template = Path.of(args[0]);
        try {
            String rendered;
            try {
                rendered = HaproxyConfig.render(Files.readString(template), Arrays.asList(args).subList(2, args.length));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(template + ": " + e.getMessage(), e);
            }
            Files.writeString(Path.of(args[1]), rendered);
        } catch (IOException e) {
            throw new UncheckedIOException("could not render " + template + " into " + args[1] + ": " + e, e);
        }
    }
}
