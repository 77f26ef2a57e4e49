package dev.chatlab.bench.fanout;

import static dev.chatlab.bench.Report.say;

import dev.chatlab.bench.DurationConverter;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The load of one {@link FanoutLoad#run}, as {@code fanout} and {@code compare} take it: a rate, a warm-up, a window. */
public final class LoadOptions {
    @Option(names = "--rate", defaultValue = "3000", description = "messages sent per second, all senders together (default: ${DEFAULT-VALUE})")
    int rate;
    @Option(names = "--warmup", defaultValue = "30s", converter = DurationConverter.class, description = "load before the window (default: ${DEFAULT-VALUE})")
    Duration warmup;
    @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class, description = "the measured window (default: ${DEFAULT-VALUE})")
    Duration duration;

    /** A usage error for {@code spec}'s command when the load is not bounded or sends nothing. */
    public void check(CommandLine.Model.CommandSpec spec) {
        if (warmup.plus(duration).compareTo(Duration.ofSeconds(60)) > 0 || duration.isZero() || rate < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --warmup + --duration <= 60s, --rate >= 1");
        }
    }

    /** One whole run of this load on {@code shape}, said first on the console. */
    public FanoutLoad.Result run(FanoutLoad.Shape shape, String page) {
        say("%d clients in %d rooms, %d senders, %,d %s/s offered for %s after %s warm-up", shape.clients(), shape.rooms(),
                shape.senders(), rate, shape.typing() ? "typing signals" : "msg", DurationConverter.format(duration), DurationConverter.format(warmup));
        return FanoutLoad.run(shape, rate, warmup, duration, page);
    }

    /** The settings the JSON records. */
    public void putSettings(Map<String, Object> settings) {
        settings.put("rate", rate);
        settings.put("warmup", warmup.toString());
        settings.put("duration", duration.toString());
    }
}
