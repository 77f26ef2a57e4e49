package dev.chatlab.chat;

import io.javalin.http.Context;
import org.eclipse.jetty.server.Request;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before a WebSocket is upgraded, whether it may open at all: it came over TLS when TLS is required,
 * from an allowed browser origin, with a valid token when tokens are required, and while the node (and this
 * client address) has room for another socket. A refusal is an HTTP answer (403 or 503), never a socket.
 */
final class Gate {
    private static final Logger log = LoggerFactory.getLogger(Gate.class);
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    /**
     * What the gate reads of a request: a few headers, a query parameter, the peer's address and whether it came
     * over TLS. Javalin's {@link Context} (the HTTP routes) and Jetty's core {@link Request} (the WebSocket upgrade,
     * which runs before Javalin sees the request) both provide it.
     */
    interface Handshake {
        String header(String name);

        String query(String name);

        String peer();

        boolean secure();
    }

    static Handshake of(Context ctx) {
        return new Handshake() {
            @Override
            public String header(String name) {
                return ctx.header(name);
            }

            @Override
            public String query(String name) {
                return ctx.queryParam(name);
            }

            @Override
            public String peer() {
                return ctx.req().getRemoteAddr();
            }

            @Override
            public boolean secure() {
                return ctx.req().isSecure();
            }
        };
    }

    static Handshake of(Request request) {
        return new Handshake() {
            @Override
            public String header(String name) {
                return request.getHeaders().get(name);
            }

            @Override
            public String query(String name) {
                return Request.extractQueryParameters(request).getValue(name);
            }

            @Override
            public String peer() {
                return Request.getRemoteAddr(request);
            }

            @Override
            public boolean secure() {
                return request.isSecure();
            }
        };
    }

    /** Who is opening a socket: the client's address, and the token's identity when there is one. */
    record Admission(String clientAddress, Tokens.Identity identity) {
    }

    /** A refused handshake: the HTTP status and the {@code {code, message}} body to answer with. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private static Refusal forbidden(String message) {
        return new Refusal(403, "forbidden", message);
    }

    private static Refusal full(String message) {
        return new Refusal(503, "unavailable", message);
    }

    private final Security security;
    private final Tokens tokens;
    private final Metrics metrics;
    private final String nodeId;
    private final Set<InetAddress> trustedProxies;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> openPerAddress = new ConcurrentHashMap<>();

    Gate(Security security, Tokens tokens, Metrics metrics, String nodeId) {
        this.security = security;
        this.tokens = tokens;
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.trustedProxies = security.trustedProxies().stream().map(Gate::ip).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Checks a handshake and reserves a place for its socket, or throws the HTTP refusal. The caller must
     * {@link #release(String)} the place when the socket closes (or never opens).
     */
    Admission admit(Handshake ctx) {
        String client = clientAddress(ctx);
        if (security.requireTls() && !viaTls(ctx)) {
            throw refuse(client, "tls", forbidden("use wss:// (this node only takes sockets that came over TLS)"));
        }
        String origin = ctx.header("Origin");
        if (origin != null && !originAllowed(origin, ctx.header("Host"))) {
            throw refuse(client, "origin", "origin " + Logs.clean(origin) + " is not allowed",
                    forbidden("this origin may not open a socket here"));
        }
        Tokens.Identity identity = null;
        String token = tokenOf(ctx);
        if (tokens != null && (token != null || security.tokensRequired())) {
            try {
                identity = tokens.verify(token);
            } catch (Tokens.Refused e) {
                throw refuse(client, "token", e.getMessage(), forbidden("a valid token is required: " + e.getMessage()));
            }
            String room = ctx.query("roomId");
            if (room != null && !identity.allows(room)) {
                throw refuse(client, "token", "token of " + identity.name() + " does not allow room " + Logs.clean(room),
                        forbidden("the token does not allow this room"));
            }
        }
        reserve(client);
        return new Admission(client, identity);
    }

    /** The identity an HTTP request carries (the history API in the secure profile), or the refusal. */
    Tokens.Identity identify(Context ctx) throws Tokens.Refused {
        if (tokens == null) {
            throw new Tokens.Refused("this node issues no tokens");
        }
        return tokens.verify(tokenOf(of(ctx)));
    }

    private void reserve(String client) {
        if (open.incrementAndGet() > security.maxConnections()) {
            open.decrementAndGet();
            throw refuse(client, "capacity", "the node holds " + security.maxConnections() + " sockets",
                    full("this node is full; try again later"));
        }
        boolean[] admitted = {true};
        openPerAddress.compute(client, (address, count) -> {
            int now = count == null ? 0 : count;
            if (now >= security.maxConnectionsPerIp()) {
                admitted[0] = false;
                return count;
            }
            return now + 1;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            throw refuse(client, "capacity", "the address holds " + security.maxConnectionsPerIp() + " sockets",
                    full("too many connections from your address; try again later"));
        }
    }

    /** Gives back the place a socket from {@code client} held. */
    void release(String client) {
        open.decrementAndGet();
        openPerAddress.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
    }

    int open() {
        return open.get();
    }

    private Refusal refuse(String client, String reason, Refusal answer) {
        return refuse(client, reason, answer.getMessage(), answer);
    }

    private Refusal refuse(String client, String reason, String why, Refusal answer) {
        metrics.refused(reason);
        log.info("handshake from {} refused by {} ({} {}): {}", client, nodeId, answer.status, reason, why);
        return answer;
    }

    /**
     * The client's address: the direct peer, or, when the peer is a trusted proxy, the last address in
     * {@code X-Forwarded-For} (the one that proxy appended; anything before it is whatever the client sent).
     */
    String clientAddress(Context ctx) {
        return clientAddress(of(ctx));
    }

    String clientAddress(Handshake ctx) {
        String peer = ctx.peer();
        if (!trusted(peer)) {
            return peer;
        }
        String forwarded = ctx.header("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        String last = hops[hops.length - 1].strip();
        return isIpLiteral(last) ? last : peer;
    }

    /** True when the request came over TLS: to this node directly, or to a trusted proxy that says so. */
    boolean viaTls(Context ctx) {
        return viaTls(of(ctx));
    }

    boolean viaTls(Handshake ctx) {
        if (ctx.secure()) {
            return true;
        }
        String proto = ctx.header("X-Forwarded-Proto");
        return proto != null && trusted(ctx.peer())
                && "https".equalsIgnoreCase(proto.substring(proto.lastIndexOf(',') + 1).strip());
    }

    /** The allow-list: exact origins, {@code self} (same host and port as the request) and {@code localhost}. */
    boolean originAllowed(String origin, String host) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        List<String> allowed = security.allowedOrigins();
        if (allowed.contains(o)) {
            return true;
        }
        URI uri;
        try {
            uri = new URI(o);
        } catch (Exception e) {
            return false;
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getRawAuthority() == null
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
            return false;
        }
        if (allowed.contains("self") && host != null && uri.getRawAuthority().equals(host.strip().toLowerCase(Locale.ROOT))) {
            return true;
        }
        return allowed.contains("localhost") && uri.getHost() != null && LOOPBACK_HOSTS.contains(uri.getHost());
    }

    private static String tokenOf(Handshake ctx) {
        String query = ctx.query("token");
        if (query != null && !query.isBlank()) {
            return query;
        }
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        return null;
    }

    private boolean trusted(String peer) {
        return peer != null && isIpLiteral(peer) && trustedProxies.contains(ip(peer));
    }

    private static boolean isIpLiteral(String s) {
        String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        return !bare.isEmpty() && bare.length() <= 45 && bare.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    }

    /** An IP literal as an address; never a DNS lookup (callers pass literals only). */
    private static InetAddress ip(String literal) {
        String bare = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1) : literal;
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }
}
