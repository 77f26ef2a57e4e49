package dev.chatlab.chat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who a node lets in and how much it lets them do: the origins and tokens it checks at the handshake,
 * how many sockets it holds, and how fast one socket may send. {@link #workshop()} is the default (anonymous
 * clients, limits no lab load reaches); {@link #secure(String)} is the production profile.
 *
 * @param profile             {@code workshop} (anonymous clients admitted) or {@code secure} (a token is required)
 * @param allowedOrigins      the {@code Origin}s a browser may open a socket from: exact origins such as
 *                            {@code https://chat.example.com}, {@code self} (the origin of the page this node
 *                            serves, i.e. the same host and port as the request) and {@code localhost} (any port on
 *                            localhost, 127.0.0.1 or [::1]); a handshake without {@code Origin} (not a browser) passes
 * @param trustedProxies      the direct peers (IP literals) whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto}
 *                            are believed: the load balancer's address
 * @param tokenSecret         the HMAC key that signs and checks tokens, or null for no tokens at all
 * @param tokenTtl            how long a token from {@code POST /login} stays valid
 * @param requireTls          whether handshakes and logins must have come over TLS, as a trusted proxy says
 *                            ({@code X-Forwarded-Proto: https})
 * @param maxConnections      the most sockets this node holds; past it a handshake gets HTTP 503
 * @param maxConnectionsPerIp the most sockets this node holds for one client address; past it, HTTP 503
 * @param rateMessages        frames per second one socket may send, sustained (bursts of twice that pass)
 * @param rateBytes           bytes per second one socket may send, sustained (bursts of twice that pass)
 * @param maxStrikes          refused frames within {@code strikeWindow} after which the socket is closed with 1008
 *                            (a leaky bucket: refusals spread thinner than that are forgiven as they age)
 * @param strikeWindow        the window {@code maxStrikes} is counted over
 */
public record Security(Profile profile, List<String> allowedOrigins, List<String> trustedProxies, String tokenSecret,
                       Duration tokenTtl, boolean requireTls, int maxConnections, int maxConnectionsPerIp,
                       double rateMessages, long rateBytes, int maxStrikes, Duration strikeWindow) {

    /** How many seconds of the sustained rate a socket may spend at once. */
    public static final int BURST_SECONDS = 2;
    /** The shortest token secret accepted: 32 bytes, the size of the HMAC-SHA256 output. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** The two ways to run a node. */
    public enum Profile {
        /** Anonymous clients, as on the earlier steps' pages; a join's {@code name} is the sender's name. */
        WORKSHOP,
        /** Every socket needs a signed token; the token names the sender and the rooms it may join. */
        SECURE;

        static Profile parse(String value) {
            return switch (value) {
                case "workshop" -> WORKSHOP;
                case "secure" -> SECURE;
                default -> throw new IllegalArgumentException("--profile must be workshop or secure, got '" + value + "'");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Security {
        allowedOrigins = allowedOrigins.stream().map(o -> o.strip().toLowerCase(Locale.ROOT)).filter(o -> !o.isEmpty()).toList();
        trustedProxies = trustedProxies.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        for (String origin : allowedOrigins) {
            if (!origin.equals("self") && !origin.equals("localhost") && !origin.equals("null")
                    && !origin.matches("https?://[^/\\s?#]+")) {
                throw new IllegalArgumentException("an allowed origin is self, localhost or scheme://host[:port]"
                        + " (no path), got '" + origin + "'");
            }
        }
        for (String proxy : trustedProxies) {
            if (!IP_LITERAL.matcher(proxy).matches()) {
                throw new IllegalArgumentException("a trusted proxy is an IP address, got '" + proxy + "'");
            }
        }
        if (tokenSecret != null && tokenSecret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the token secret must be at least " + MIN_SECRET_BYTES
                    + " bytes (e.g. openssl rand -hex 32)");
        }
        if (profile == Profile.SECURE && tokenSecret == null) {
            throw new IllegalArgumentException("the secure profile needs a token secret: --token-secret or TOKEN_SECRET"
                    + " (at least " + MIN_SECRET_BYTES + " bytes, e.g. openssl rand -hex 32)");
        }
        if (tokenTtl.isNegative() || tokenTtl.isZero()) {
            throw new IllegalArgumentException("the token lifetime must be positive, got " + tokenTtl);
        }
        if (maxConnections < 1 || maxConnectionsPerIp < 1) {
            throw new IllegalArgumentException("--max-connections and --max-connections-per-ip must be at least 1");
        }
        if (!(rateMessages > 0) || rateBytes < 1 || maxStrikes < 1 || strikeWindow.isNegative() || strikeWindow.isZero()) {
            throw new IllegalArgumentException("--rate-messages and --rate-bytes must be positive");
        }
    }

    /**
     * The default: anonymous clients, browsers admitted from this node's own pages and from localhost, and
     * limits that no lab load reaches (300 clients chatting, the contract tests' bursts of 1,000 messages):
     * 10,000 sockets per node, 2,000 per client address, 1,000 frames/s and 4 MiB/s per socket, closed with
     * 1008 after 10,000 refused frames within 10 s.
     */
    public static Security workshop() {
        return new Security(Profile.WORKSHOP, List.of("self", "localhost"), List.of("127.0.0.1", "::1"), null,
                Duration.ofMinutes(15), false, 10_000, 2_000, 1_000, 4L * 1024 * 1024, 10_000, Duration.ofSeconds(10));
    }

    /**
     * The production profile: a token on every socket, TLS in front, browsers admitted from this node's own
     * pages only, 100 sockets per client address, 20 frames/s and 128 KiB/s per socket, closed with 1008 after
     * 1,000 refused frames within 10 s.
     */
    public static Security secure(String tokenSecret) {
        return new Security(Profile.SECURE, List.of("self"), List.of("127.0.0.1", "::1"), tokenSecret,
                Duration.ofMinutes(15), true, 10_000, 100, 20, 128 * 1024, 1_000, Duration.ofSeconds(10));
    }

    /** True when a socket needs a token to open. */
    public boolean tokensRequired() {
        return profile == Profile.SECURE;
    }

    public Security withOrigins(List<String> newOrigins) {
        return new Security(profile, newOrigins, trustedProxies, tokenSecret, tokenTtl, requireTls, maxConnections,
                maxConnectionsPerIp, rateMessages, rateBytes, maxStrikes, strikeWindow);
    }

    public Security withTrustedProxies(List<String> newProxies) {
        return new Security(profile, allowedOrigins, newProxies, tokenSecret, tokenTtl, requireTls, maxConnections,
                maxConnectionsPerIp, rateMessages, rateBytes, maxStrikes, strikeWindow);
    }

    public Security withToken(String newSecret, Duration newTtl) {
        return new Security(profile, allowedOrigins, trustedProxies, newSecret, newTtl, requireTls, maxConnections,
                maxConnectionsPerIp, rateMessages, rateBytes, maxStrikes, strikeWindow);
    }

    public Security withRequireTls(boolean newRequireTls) {
        return new Security(profile, allowedOrigins, trustedProxies, tokenSecret, tokenTtl, newRequireTls, maxConnections,
                maxConnectionsPerIp, rateMessages, rateBytes, maxStrikes, strikeWindow);
    }

    public Security withConnectionCaps(int newMax, int newMaxPerIp) {
        return new Security(profile, allowedOrigins, trustedProxies, tokenSecret, tokenTtl, requireTls, newMax,
                newMaxPerIp, rateMessages, rateBytes, maxStrikes, strikeWindow);
    }

    /** Frames and bytes per second per socket, and how many refusals within {@code window} close it with 1008. */
    public Security withRates(double newMessages, long newBytes, int newMaxStrikes, Duration newWindow) {
        return new Security(profile, allowedOrigins, trustedProxies, tokenSecret, tokenTtl, requireTls, maxConnections,
                maxConnectionsPerIp, newMessages, newBytes, newMaxStrikes, newWindow);
    }

    /** Never prints the secret: a configuration ends up in logs. */
    @Override
    public String toString() {
        return "Security[profile=" + profile + ", allowedOrigins=" + allowedOrigins + ", trustedProxies=" + trustedProxies
                + ", tokenSecret=" + (tokenSecret == null ? "none" : "(set)") + ", tokenTtl=" + tokenTtl
                + ", requireTls=" + requireTls + ", maxConnections=" + maxConnections + ", maxConnectionsPerIp="
                + maxConnectionsPerIp + ", rateMessages=" + rateMessages + ", rateBytes=" + rateBytes
                + ", maxStrikes=" + maxStrikes + ", strikeWindow=" + strikeWindow + "]";
    }
}
