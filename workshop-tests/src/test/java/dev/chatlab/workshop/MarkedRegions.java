package dev.chatlab.workshop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The exercise regions of a step's {@code src/main}, read from its markers, and how to put one back into
 * a copy where {@code ./lab exercise} replaced it by its TODO and stubs.
 */
final class MarkedRegions {
    private static final Pattern BEGIN = Pattern.compile("^(\\s*)// exercise:begin ([a-z0-9-]+): (.*)$");
    private static final Pattern STUB = Pattern.compile("^\\s*// exercise:stub (.*)$");
    private static final Pattern END = Pattern.compile("^\\s*// exercise:end ([a-z0-9-]+)\\s*$");

    /** One region: its file (relative to the module), the original lines (begin..end) and what replaces them. */
    record Region(String id, String task, Path file, List<String> original, List<String> replacement) {}

    private final Map<String, Region> byId;

    private MarkedRegions(Map<String, Region> byId) {
        this.byId = byId;
    }

    /** Reads every marked region under {@code module/src/main}. */
    static MarkedRegions of(Path module) {
        Map<String, Region> regions = new LinkedHashMap<>();
        Path main = module.resolve("src/main");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher begin = BEGIN.matcher(lines.get(i));
                    if (!begin.matches()) {
                        continue;
                    }
                    String indent = begin.group(1);
                    String id = begin.group(2);
                    List<String> replacement = new ArrayList<>();
                    replacement.add(indent + "// TODO(exercise " + id + "): " + begin.group(3));
                    int j = i + 1;
                    for (Matcher stub; j < lines.size() && (stub = STUB.matcher(lines.get(j))).matches(); j++) {
                        replacement.add(indent + stub.group(1));
                    }
                    while (j < lines.size() && !isEnd(lines.get(j), id)) {
                        j++;
                    }
                    if (j == lines.size()) {
                        throw new IllegalStateException(file + ":" + (i + 1) + ": exercise " + id + " has no end marker");
                    }
                    regions.put(id, new Region(id, begin.group(3), module.relativize(file),
                            List.copyOf(lines.subList(i, j + 1)), List.copyOf(replacement)));
                    i = j;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MarkedRegions(regions);
    }

    private static boolean isEnd(String line, String id) {
        Matcher end = END.matcher(line);
        return end.matches() && end.group(1).equals(id);
    }

    Map<String, Region> byId() {
        return byId;
    }

    /** Puts the original code of exercise {@code id} back into the copy at {@code copy} (a module directory). */
    void putBack(Path copy, String id) {
        Region region = byId.get(id);
        if (region == null) {
            throw new IllegalArgumentException("no region is marked as exercise " + id);
        }
        Path file = copy.resolve(region.file());
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            int at = lines.indexOf(region.replacement().get(0));
            if (at < 0 || at + region.replacement().size() > lines.size()
                    || !lines.subList(at, at + region.replacement().size()).equals(region.replacement())) {
                throw new IllegalStateException(file + " has no TODO of exercise " + id + " as ./lab exercise writes it: "
                        + region.replacement());
            }
            lines.subList(at, at + region.replacement().size()).clear();
            lines.addAll(at, region.original());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
