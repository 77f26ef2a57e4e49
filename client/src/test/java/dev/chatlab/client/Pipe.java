package dev.chatlab.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP pipe in front of a node, for one fault: told to, it swallows whatever the node sends back
 * while still passing the client's bytes on, so the node stores what the client sends but the client
 * hears nothing, not even the ack: a half-open black hole.
 */
final class Pipe implements AutoCloseable {
    private final ServerSocket listener;
    private final URI target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean swallowing;

    private Pipe(URI target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("pipe-accept", this::acceptLoop).start();
    }

    static Pipe to(URI wsUri) {
        try {
            return new Pipe(wsUri);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    URI wsUri() {
        return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/");
    }

    void swallowReplies(boolean on) {
        swallowing = on;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket node = new Socket(target.getHost(), target.getPort());
                sockets.add(client);
                sockets.add(node);
                daemon("pipe-up", () -> pump(client, node, false)).start();
                daemon("pipe-down", () -> pump(node, client, true)).start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (!(replies && swallowing)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // One side went away; closing both below ends the other pump too.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // Already closed.
        }
        sockets.forEach(Pipe::closeQuietly);
    }
}
