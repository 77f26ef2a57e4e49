package dev.chatlab.chat;

import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The server's command line: each flag, else its environment variable, else {@link ChatConfig#defaults()}. */
@Command(name = "step4-pubsub", description = "Step 4: one of several chat nodes sharing rooms through Redis.", sortOptions = false)
final class Options {

    /** The command line asked for help; the message is the usage text. */
    static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested(String usage) {
            super(usage, null, false, false);
        }
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "${env:HOST}",
            description = "the address to bind (else $HOST, else 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "${env:PORT}",
            description = "the port to bind (else $PORT, else 3000)")
    Integer port;

    @Option(names = "--redis", paramLabel = "redis://HOST:PORT", defaultValue = "${env:REDIS_URL}",
            description = "where history, seq and fan-out live (else $REDIS_URL, else redis://127.0.0.1:6379)")
    URI redis;

    @Option(names = "--node", paramLabel = "NAME", defaultValue = "${env:NODE_ID}",
            description = "this node's name, in joined frames, logs and /health (else $NODE_ID, else node-1)")
    String node;

    /** Reads {@code args}; a wrong flag throws {@link IllegalArgumentException} naming it and what it expects. */
    static Options parse(String[] args) {
        Options options = new Options();
        CommandLine cli = new CommandLine(options);
        try {
            cli.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (--help lists the options)", e);
        }
        if (cli.isUsageHelpRequested()) {
            throw new HelpRequested(cli.getUsageMessage());
        }
        return options;
    }

    /** {@code value} when the command line or the environment gave one, else {@code fallback}. */
    static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
