package dev.chatlab.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A second origin: a tiny HTTP server on a port of its own that serves one page written the way the source
 * notes write their clients, with the chat server's port filled in for {@code {{chatPort}}}.
 */
public final class SeedSite implements AutoCloseable {
    private final HttpServer server;

    private SeedSite(HttpServer server) {
        this.server = server;
    }

    /** Serves {@code fixtures/<page>} at {@code /} (whatever the query), pointed at {@code ws://localhost:<chatPort>}. */
    public static SeedSite serve(String page, int chatPort) {
        byte[] html = fixture(page).replace("{{chatPort}}", String.valueOf(chatPort)).getBytes(StandardCharsets.UTF_8);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (!exchange.getRequestURI().getPath().equals("/")) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, html.length);
                    try (OutputStream body = exchange.getResponseBody()) {
                        body.write(html);
                    }
                }
            });
            server.start();
            return new SeedSite(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT/?<query>}. */
    public URI page(String query) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + (query.isEmpty() ? "" : "?" + query));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static String fixture(String page) {
        try (InputStream in = SeedSite.class.getResourceAsStream("/fixtures/" + page)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture page fixtures/" + page);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
