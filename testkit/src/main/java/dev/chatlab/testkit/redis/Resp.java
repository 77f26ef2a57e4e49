package dev.chatlab.testkit.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends one Redis command over a fresh connection and reads the first line of the reply. */
final class Resp {
    private Resp() {
    }

    /** The first reply line, e.g. {@code +PONG}, {@code +OK} or {@code -LOADING ...}. */
    static String call(String host, int port, Duration timeout, String... command) throws IOException {
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(encode(command));
            out.flush();
            return readLine(socket.getInputStream());
        }
    }

    /** True when Redis answers PING with PONG within {@code timeout}; false while it loads its data too. */
    static boolean pong(String host, int port, Duration timeout) {
        try {
            return "+PONG".equals(call(host, port, timeout, "PING"));
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] encode(String... command) {
        StringBuilder resp = new StringBuilder().append('*').append(command.length).append("\r\n");
        for (String part : command) {
            resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(part).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b != -1; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
        throw new IOException("connection closed before a full reply line arrived");
    }
}
