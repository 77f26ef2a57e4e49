package dev.chatlab.workshop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The test cases Surefire and Failsafe reported for one module, and those a test selector names. */
final class TestReports {
    /** One reported test: its class, its method, and whether it failed (a failure or an error). */
    record Case(String className, String name, boolean failed, boolean skipped) {
        @Override
        public String toString() {
            return className.substring(className.lastIndexOf('.') + 1) + "#" + name + (failed ? " (failed)" : skipped ? " (skipped)" : " (passed)");
        }
    }

    private TestReports() {}

    /** Every test case in {@code module/target/surefire-reports} and {@code failsafe-reports}. */
    static List<Case> of(Path module) {
        List<Case> cases = new ArrayList<>();
        for (String dir : List.of("surefire-reports", "failsafe-reports")) {
            Path reports = module.resolve("target").resolve(dir);
            if (!Files.isDirectory(reports)) {
                continue;
            }
            try (Stream<Path> files = Files.list(reports)) {
                for (Path file : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                    cases.addAll(read(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases;
    }

    private static List<Case> read(Path file) {
        try {
            NodeList testcases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile())
                    .getElementsByTagName("testcase");
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < testcases.getLength(); i++) {
                Element testcase = (Element) testcases.item(i);
                boolean failed = testcase.getElementsByTagName("failure").getLength() > 0
                        || testcase.getElementsByTagName("error").getLength() > 0;
                boolean skipped = testcase.getElementsByTagName("skipped").getLength() > 0;
                cases.add(new Case(testcase.getAttribute("classname"), testcase.getAttribute("name"), failed, skipped));
            }
            return cases;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the test report " + file, e);
        }
    }

    /**
     * The cases a selector in {@code -Dtest} syntax names: comma-separated {@code Class[#method[+method]]}
     * entries, {@code *} matching any run of characters; a class is matched by its simple or full name.
     */
    static List<Case> selected(List<Case> cases, String selector) {
        List<Case> selected = new ArrayList<>();
        for (String entry : selector.split(",")) {
            String[] parts = entry.trim().split("#", 2);
            Pattern type = glob(parts[0]);
            List<Pattern> methods = parts.length == 2
                    ? Arrays.stream(parts[1].split("\\+")).map(TestReports::glob).toList()
                    : List.of(Pattern.compile(".*"));
            for (Case c : cases) {
                String simple = c.className().substring(c.className().lastIndexOf('.') + 1);
                // A parameterised test is reported as name(arguments)[index].
                String method = c.name().replaceFirst("[(\\[].*$", "");
                if ((type.matcher(simple).matches() || type.matcher(c.className()).matches())
                        && methods.stream().anyMatch(m -> m.matcher(method).matches()) && !selected.contains(c)) {
                    selected.add(c);
                }
            }
        }
        return selected;
    }

    private static Pattern glob(String glob) {
        return Pattern.compile(Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*")));
    }
}
