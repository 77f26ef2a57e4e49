package dev.chatlab.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free TCP ports on the loopback interface, and whether something accepts connections on one. */
public final class Ports {
    /** The address every fixture binds to; nothing the tests start listens beyond this machine. */
    public static final String LOOPBACK = "127.0.0.1";

    // The kernel may hand out a port again as soon as its probe socket is closed; remembering what
    // this JVM gave away keeps two fixtures started back to back from getting the same one.
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    /** A loopback port nothing listens on right now, never the same one twice in this JVM. */
    public static int free() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = probe();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port found in 50 attempts");
    }

    private static int probe() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a probe socket on " + LOOPBACK, e);
        }
    }

    /** Whether a TCP connection to {@code host:port} is accepted within {@code timeout}. */
    public static boolean accepts(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a TCP connection to the loopback {@code port} is accepted within a short timeout. */
    public static boolean accepts(int port) {
        return accepts(LOOPBACK, port, Duration.ofMillis(250));
    }
}
