package dev.chatlab.bench;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --step N} for the scenarios that run a swarm's node jar (failover, storm, capacity): the step whose jar they
 * start, the newest by default.
 */
public final class SwarmStep {
    /** The steps whose node is a swarm node (HAProxy's checks, drain, the resilient client's protocol), oldest first. */
    public static final List<Integer> STEPS = Target.swarmSteps().stream().map(Target::number).toList();
    /** The newest: the last of {@link #STEPS} (a constant, as an option's default must be; a test holds it to {@link Target#newest()}). */
    public static final int NEWEST = 8;

    /** {@code 5} or {@code step5}, as {@code fanout --step} also takes it. */
    public static final class Converter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String digits = value.startsWith("step") ? value.substring(4) : value;
            if (digits.matches("\\d+") && STEPS.contains(Integer.parseInt(digits))) {
                return Integer.parseInt(digits);
            }
            throw new TypeConversionException("'" + value + "' is not a swarm step: " + choices(STEPS));
        }
    }

    @Option(names = "--step", defaultValue = "" + NEWEST, converter = Converter.class,
            description = "the step whose node runs: 5, 6, 7 or 8 (default: ${DEFAULT-VALUE})")
    int step;

    public int number() {
        return step;
    }

    public boolean newest() {
        return step == NEWEST;
    }

    /** The node's jar, as {@code ./mvnw package} builds it. */
    public Path jar() {
        return Target.of(step).jar();
    }

    /** The choices of a usage error, as a sentence says them: "5, 6, 7 or 8". */
    public static String choices(List<?> values) {
        List<String> words = values.stream().map(String::valueOf).toList();
        return words.size() < 2 ? String.join("", words)
                : String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    /**
     * The page of {@code scenario}'s results for this step: the newest step's keeps the scenario's own page
     * ({@code failover}), an older one's adds the step ({@code failover-step5}).
     */
    public String page(String page) {
        if (newest()) {
            return page;
        }
        int dash = page.indexOf('-');
        return dash < 0 ? page + "-step" + step : page.substring(0, dash) + "-step" + step + page.substring(dash);
    }
}
