package dev.chatlab.chat;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The server's command line: each flag, else its environment variable, else {@link ChatConfig#defaults()}. */
@Command(name = "step3-history", description = "Step 3: chat rooms with per-room seq and their history in SQLite.", sortOptions = false)
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

    @Option(names = "--db", paramLabel = "FILE", defaultValue = "${env:DATABASE}",
            description = "the SQLite file that keeps the history (else $DATABASE, else data/step3-chat.db)")
    Path database;

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
