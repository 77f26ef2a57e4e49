package dev.chatlab.chat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/** The server's command line: each flag, else its environment variable, else {@link ChatConfig#defaults()}. */
@Command(name = "step8-presence", description = "Step 8: the fast swarm node, with presence and typing.",
        sortOptions = false)
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
            description = "this node's name, in joined frames, logs, /health and metrics (else $NODE_ID, else node-1)")
    String node;

    @Option(names = "--admin-port", paramLabel = "N", defaultValue = "${env:ADMIN_PORT}",
            description = "the loopback port of POST /admin/drain (else $ADMIN_PORT, else a free one)")
    Integer adminPort;

    @Option(names = "--drain-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long a draining node answers /ready with 503 before closing clients (default 3s)")
    Duration drainGrace;

    @Option(names = "--drain-window", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "the window a drain spreads its 1012 closes over (default 10s)")
    Duration drainWindow;

    @Option(names = "--drain-deadline", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "when a drain stops waiting for its clients (default 30s)")
    Duration drainDeadline;

    @Option(names = "--client-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long a client that sent heartbeats may stay silent (default 30s)")
    Duration clientTimeout;

    @Option(names = "--redis-subscriber", paramLabel = "redis://HOST:PORT",
            description = "another route to the same Redis for the subscription (default: --redis)")
    URI subscriberRedis;

    @Option(names = "--backfill", paramLabel = "on|off", arity = "1", converter = OnOffConverter.class,
            description = "fetch from history what the subscription missed (default on)")
    Boolean backfill;

    @Option(names = "--max-queued-bytes", paramLabel = "N",
            description = "bytes waiting to one client before it is closed with 4008 (default 4194304)")
    Long maxQueuedBytes;

    @Option(names = "--profile", paramLabel = "workshop|secure", converter = ProfileConverter.class,
            description = "the defaults below: workshop (anonymous, generous limits) or secure (tokens, TLS, tight limits)")
    Security.Profile profile;

    @Option(names = "--allowed-origins", paramLabel = "ORIGIN", split = ",",
            description = "the browser origins admitted: self, localhost or scheme://host[:port]")
    List<String> allowedOrigins;

    @Option(names = "--trusted-proxies", paramLabel = "IP", split = ",",
            description = "the peers whose X-Forwarded-For and X-Forwarded-Proto are believed")
    List<String> trustedProxies;

    @Option(names = "--token-secret", paramLabel = "SECRET", defaultValue = "${env:TOKEN_SECRET}",
            description = "the HMAC key of tokens, 32 bytes or more (better passed as $TOKEN_SECRET, out of ps)")
    String tokenSecret;

    @Option(names = "--token-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how long a token from POST /login is valid (default 15m)")
    Duration tokenTtl;

    @Option(names = "--require-tls", paramLabel = "on|off", arity = "1", converter = OnOffConverter.class,
            description = "take sockets and logins only if a trusted proxy says they came over TLS")
    Boolean requireTls;

    @Option(names = "--max-connections", paramLabel = "N", description = "the most sockets this node holds")
    Integer maxConnections;

    @Option(names = "--max-connections-per-ip", paramLabel = "N", description = "the most sockets per client address")
    Integer maxConnectionsPerIp;

    @Option(names = "--rate-messages", paramLabel = "N", description = "frames per second one socket may send")
    Double rateMessages;

    @Option(names = "--rate-bytes", paramLabel = "N", description = "bytes per second one socket may send")
    Long rateBytes;

    @Option(names = "--presence-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:PRESENCE_TTL}",
            description = "how long this node's presence entries live in Redis without a refresh; a dead node's members"
                    + " are gone within ttl + min(500ms, ttl/3) (else $PRESENCE_TTL, else 10s)")
    Duration presenceTtl;

    @Option(names = "--leave-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:LEAVE_DELAY}",
            description = "how long after a name's last connection closes before it leaves its room; a reconnect"
                    + " within it shows no leave (else $LEAVE_DELAY, else 3s)")
    Duration leaveDelay;

    @Option(names = "--typing-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TYPING_INTERVAL}",
            description = "at most one typing signal per connection per this interval is relayed; extra ones are"
                    + " dropped (else $TYPING_INTERVAL, else 1s)")
    Duration typingInterval;

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

    /** A duration the way the options are written: {@code 500ms}, {@code 3s}, {@code 2m}. */
    static String show(Duration duration) {
        if (duration == null) {
            return "nothing";
        }
        long millis = duration.toMillis();
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 && millis != 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** {@code 500ms}, {@code 3s} or {@code 2m}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                if (value.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
                } else if (value.endsWith("s")) {
                    return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
                } else if (value.endsWith("m")) {
                    return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new TypeConversionException("'" + value + "' is not a duration like 500ms, 3s or 2m");
        }
    }

    /** {@code on} or {@code off}. */
    static final class OnOffConverter implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new TypeConversionException("'" + value + "' is neither on nor off");
            };
        }
    }

    /** {@code workshop} or {@code secure}. */
    static final class ProfileConverter implements ITypeConverter<Security.Profile> {
        @Override
        public Security.Profile convert(String value) {
            try {
                return Security.Profile.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a profile: workshop or secure");
            }
        }
    }
}
