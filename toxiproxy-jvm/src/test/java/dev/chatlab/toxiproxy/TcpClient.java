package dev.chatlab.toxiproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** A raw TCP client for tests: it keeps what it reads, when it last read, and how the connection ended. */
final class TcpClient implements AutoCloseable {
    enum Ending { OPEN, EOF, RESET, OTHER }

    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile long lastReadAt;
    private volatile long endedAt;
    private volatile Ending ending = Ending.OPEN;

    private TcpClient(Socket socket) {
        this.socket = socket;
    }

    static TcpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        socket.setTcpNoDelay(true);
        TcpClient client = new TcpClient(socket);
        Thread reader = new Thread(client::read, "test client " + socket.getLocalSocketAddress());
        reader.setDaemon(true);
        reader.start();
        return client;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    String text() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    int byteCount() {
        synchronized (received) {
            return received.size();
        }
    }

    /** {@link System#nanoTime()} of the last read that returned data. */
    long lastReadAt() {
        return lastReadAt;
    }

    /** {@link System#nanoTime()} at which the connection was seen to end. */
    long endedAt() {
        return endedAt;
    }

    Ending ending() {
        return ending;
    }

    boolean hasEnded() {
        return ending != Ending.OPEN;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void read() {
        byte[] buffer = new byte[8192];
        Ending end;
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (received) {
                    received.write(buffer, 0, n);
                }
                lastReadAt = System.nanoTime();
            }
            end = Ending.EOF;
        } catch (SocketException e) {
            end = String.valueOf(e.getMessage()).contains("reset") ? Ending.RESET : Ending.OTHER;
        } catch (IOException e) {
            end = Ending.OTHER;
        }
        endedAt = System.nanoTime();
        ending = end;
    }
}
