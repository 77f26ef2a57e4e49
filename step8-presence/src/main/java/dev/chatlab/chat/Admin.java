package dev.chatlab.chat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The admin endpoint, on its own port and bound to loopback only, so nothing that reaches the chat
 * through the load balancer can drain a node: {@code POST /admin/drain}.
 */
final class Admin implements AutoCloseable {
    private final HttpServer server;

    Admin(int port, Runnable drain) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the admin port " + port, e);
        }
        server.createContext("/admin/drain", exchange -> {
            try (exchange) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    reply(exchange, 405, "{\"code\":\"method_not_allowed\",\"message\":\"use POST /admin/drain\"}");
                    return;
                }
                drain.run();
                reply(exchange, 202, "{\"draining\":true}");
            }
        });
        server.start();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
