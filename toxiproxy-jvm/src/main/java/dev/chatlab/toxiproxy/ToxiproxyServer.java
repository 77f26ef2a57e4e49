package dev.chatlab.toxiproxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for {@code toxiproxy-server} that runs in the JVM and speaks the part of Toxiproxy's HTTP API the
 * Toxiproxy clients use (proxies, enable and disable, reset, and the toxics {@code latency}, {@code timeout},
 * {@code reset_peer}, {@code bandwidth} and {@code limit_data}), so that
 * {@code new ToxiproxyClient(server.host(), server.port())} drives it like the real one.
 */
public final class ToxiproxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ToxiproxyServer.class);

    /** The Toxiproxy release whose API and toxic semantics this server follows, reported by {@code GET /version}. */
    public static final String VERSION = "2.12.0";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8474;

    private static final String USAGE = "usage: [--host ADDRESS] [--port N]";
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final ObjectMapper mapper = new ObjectMapper();
    private final ExecutorService apiThreads = Threads.daemonPool("toxiproxy-api");
    private final ExecutorService proxyThreads = Threads.daemonPool("toxiproxy-relay");
    /** Guarded by itself; sorted, as Go sorts the keys of the {@code GET /proxies} map. */
    private final Map<String, Proxy> proxies = new TreeMap<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final String host;
    private final HttpServer http;

    private ToxiproxyServer(String host, int port) throws IOException {
        this.host = host;
        this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
        http.setExecutor(apiThreads);
        http.createContext("/", this::handle);
    }

    /** Starts the API on {@code host:port} (port 0 picks a free one) and returns once it accepts requests. */
    public static ToxiproxyServer start(String host, int port) {
        try {
            ToxiproxyServer server = new ToxiproxyServer(host, port);
            server.http.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Toxiproxy API on " + host + ":" + port, e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public URI apiUri() {
        return URI.create("http://" + new HostPort(host, port()) + "/");
    }

    /** Stops the API, then every proxy with its connections. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        http.stop(0);
        synchronized (proxies) {
            proxies.values().forEach(Proxy::stop);
            proxies.clear();
        }
        apiThreads.shutdownNow();
        proxyThreads.shutdownNow();
        closed.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Response response;
            String agent = exchange.getRequestHeaders().getFirst("User-Agent");
            if (agent != null && agent.startsWith("Mozilla/")) {
                // Toxiproxy refuses browsers, so a web page cannot drive the proxies of a developer's machine.
                response = Response.text(403, "User agent not allowed\n");
            } else {
                try {
                    response = route(exchange.getRequestMethod(), segments(exchange.getRequestURI()), body);
                } catch (ApiError e) {
                    response = error(e.status(), e.getMessage());
                } catch (RuntimeException e) {
                    log.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                    response = error(500, String.valueOf(e.getMessage()));
                }
            }
            send(exchange, response);
        }
    }

    private Response route(String method, List<String> path, byte[] body) throws ApiError {
        int size = path.size();
        String root = size == 0 ? "" : path.get(0);
        if (size == 1 && root.equals("version")) {
            return method.equals("GET") ? version() : Response.METHOD_NOT_ALLOWED;
        }
        if (size == 1 && root.equals("reset")) {
            return method.equals("POST") ? reset() : Response.METHOD_NOT_ALLOWED;
        }
        if (!root.equals("proxies") || size > 4 || (size >= 3 && !path.get(2).equals("toxics"))) {
            return Response.NOT_FOUND;
        }
        if (size == 1) {
            return switch (method) {
                case "GET" -> proxyIndex();
                case "POST" -> createProxy(parse(body));
                default -> Response.METHOD_NOT_ALLOWED;
            };
        }
        String proxyName = path.get(1);
        if (size == 2) {
            return switch (method) {
                case "GET" -> json(200, proxy(proxyName).toJson());
                case "POST", "PATCH" -> updateProxy(proxyName, parse(body));
                case "DELETE" -> deleteProxy(proxyName);
                default -> Response.METHOD_NOT_ALLOWED;
            };
        }
        if (size == 3) {
            return switch (method) {
                case "GET" -> json(200, proxy(proxyName).toxicsJson());
                case "POST" -> json(200, proxy(proxyName).addToxic(parse(body)).toJson());
                default -> Response.METHOD_NOT_ALLOWED;
            };
        }
        String toxicName = path.get(3);
        return switch (method) {
            case "GET" -> json(200, proxy(proxyName).toxic(toxicName).toJson());
            case "POST", "PATCH" -> json(200, proxy(proxyName).updateToxic(toxicName, parse(body)).toJson());
            case "DELETE" -> {
                proxy(proxyName).removeToxic(toxicName);
                yield Response.NO_CONTENT;
            }
            default -> Response.METHOD_NOT_ALLOWED;
        };
    }

    private Response version() {
        return new Response(200, JSON + ";charset=utf-8",
                ("{\"version\": \"" + VERSION + "\"}\n").getBytes(StandardCharsets.UTF_8));
    }

    private Response reset() throws ApiError {
        synchronized (proxies) {
            for (Proxy proxy : proxies.values()) {
                proxy.start();
                proxy.removeAllToxics();
            }
        }
        log.info("reset: every proxy enabled, every toxic removed");
        return Response.NO_CONTENT;
    }

    private Response proxyIndex() {
        ObjectNode index = mapper.createObjectNode();
        synchronized (proxies) {
            proxies.forEach((name, proxy) -> index.set(name, proxy.toJson()));
        }
        return json(200, index);
    }

    private Response createProxy(JsonNode input) throws ApiError {
        JsonFields.requireObject(input);
        String name = JsonFields.text(input, "name", "");
        String upstream = JsonFields.text(input, "upstream", "");
        String listen = JsonFields.text(input, "listen", "");
        boolean enabled = JsonFields.bool(input, "enabled", true);
        if (name.isEmpty()) {
            throw ApiError.missingField("name");
        }
        if (upstream.isEmpty()) {
            throw ApiError.missingField("upstream");
        }
        Proxy proxy;
        synchronized (proxies) {
            if (proxies.containsKey(name)) {
                throw ApiError.PROXY_ALREADY_EXISTS;
            }
            proxy = new Proxy(name, listen, upstream, proxyThreads);
            if (enabled) {
                proxy.start();
            }
            proxies.put(name, proxy);
        }
        return json(201, proxy.toJson());
    }

    private Response updateProxy(String name, JsonNode input) throws ApiError {
        Proxy proxy = proxy(name);
        proxy.update(input);
        return json(200, proxy.toJson());
    }

    private Response deleteProxy(String name) throws ApiError {
        Proxy proxy;
        synchronized (proxies) {
            proxy = proxies.remove(name);
        }
        if (proxy == null) {
            throw ApiError.PROXY_NOT_FOUND;
        }
        proxy.stop();
        log.info("proxy {} deleted", name);
        return Response.NO_CONTENT;
    }

    private Proxy proxy(String name) throws ApiError {
        synchronized (proxies) {
            Proxy proxy = proxies.get(name);
            if (proxy == null) {
                throw ApiError.PROXY_NOT_FOUND;
            }
            return proxy;
        }
    }

    private JsonNode parse(byte[] body) throws ApiError {
        if (body.length == 0) {
            throw ApiError.badRequestBody("EOF");
        }
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw ApiError.badRequestBody(detail);
        }
    }

    private Response json(int status, JsonNode body) {
        try {
            return new Response(status, JSON, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body, e);
        }
    }

    private Response error(int status, String message) {
        ObjectNode body = mapper.createObjectNode();
        body.put("error", message);
        body.put("status", status);
        return json(status, body);
    }

    private static List<String> segments(URI uri) {
        List<String> segments = new ArrayList<>();
        for (String raw : uri.getRawPath().split("/")) {
            if (!raw.isEmpty()) {
                segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        if (response.body.length == 0) {
            exchange.sendResponseHeaders(response.status, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", response.contentType);
        exchange.sendResponseHeaders(response.status, response.body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body);
        }
    }

    private static final class Response {
        static final Response NO_CONTENT = new Response(204, TEXT, new byte[0]);
        static final Response NOT_FOUND = text(404, "404 page not found\n");
        static final Response METHOD_NOT_ALLOWED = new Response(405, TEXT, new byte[0]);

        final int status;
        final String contentType;
        final byte[] body;

        Response(int status, String contentType, byte[] body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        static Response text(int status, String body) {
            return new Response(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Runs the server as its own process: {@code java -jar toxiproxy-jvm.jar [--host ADDRESS] [--port N]}. */
    public static void main(String[] args) throws InterruptedException {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    System.out.println(USAGE);
                    return;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value; " + USAGE);
                }
                // toxiproxy-server spells its flags with one dash; both spellings are accepted.
                switch (flag) {
                    case "--host", "-host" -> host = args[++i];
                    case "--port", "-port" -> port = parsePort(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + flag + "; " + USAGE);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ToxiproxyServer server = start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        log.info("toxiproxy-jvm (Toxiproxy {} API) listening on {}", VERSION, server.apiUri());
        server.closed.await();
    }

    private static int parsePort(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number, got '" + value + "'");
        }
    }
}
