package dev.chatlab.testkit.haproxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/** A stand-in chat node for HAProxy tests: {@code /ready} answers 200 or 503 on demand, every other path its name. */
final class TinyNode implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately; with Nagle on, each answer can wait
        // 40 ms for a delayed ACK. Read once, when the JDK's server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final AtomicBoolean ready = new AtomicBoolean(true);

    private TinyNode(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Nodes called node-1 .. node-n, like the servers in HAProxy's rendered configuration. */
    static List<TinyNode> start(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> new TinyNode("node-" + i)).toList();
    }

    static List<InetSocketAddress> addresses(List<TinyNode> nodes) {
        return nodes.stream().map(TinyNode::address).toList();
    }

    static void closeAll(List<TinyNode> nodes) {
        nodes.forEach(TinyNode::close);
    }

    String name() {
        return name;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    /** From now on {@code /ready} answers 200 when {@code ready}, else 503, as a draining node does. */
    void ready(boolean ready) {
        this.ready.set(ready);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            boolean readiness = exchange.getRequestURI().getPath().equals("/ready");
            int status = readiness && !ready.get() ? 503 : 200;
            byte[] body = (readiness ? (status == 200 ? "ready" : "draining") : name).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        } finally {
            exchange.close();
        }
    }

    /** Stops at once: connections are refused from now on, as for a killed node. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return name + " at " + address();
    }
}
