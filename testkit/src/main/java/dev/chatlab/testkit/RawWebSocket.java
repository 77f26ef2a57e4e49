package dev.chatlab.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.OptionalInt;

/**
 * A WebSocket client written on a bare socket, for what a well-behaved library will not do: stop
 * reading (a slow consumer), go silent without closing (a half-open peer), or send odd frames.
 * Nothing is read unless the test asks.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * Opens a connection and completes the upgrade handshake. {@code receiveBuffer} sets the socket's
     * receive buffer before connecting (small values make a non-reading client fill up quickly).
     */
    public static RawWebSocket connect(URI ws, int receiveBuffer) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 5000);
            socket.setSoTimeout(10_000);
            RawWebSocket raw = new RawWebSocket(socket);
            raw.handshake(ws);
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a raw WebSocket to " + ws, e);
        }
    }

    private void handshake(URI ws) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String path = ws.getRawPath() == null || ws.getRawPath().isEmpty() ? "/" : ws.getRawPath();
        String request = "GET " + path + (ws.getRawQuery() == null ? "" : "?" + ws.getRawQuery()) + " HTTP/1.1\r\n"
                + "Host: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + response.lines().findFirst().orElse(response));
        }
    }

    /** Sends one masked text frame, as clients must. */
    public void sendText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        try {
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
    }

    /**
     * Reads frames until the server's close frame or the end of the stream, and returns the close
     * code if a close frame came. Text frames on the way are skipped.
     */
    public OptionalInt readUntilClose() {
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return OptionalInt.empty();
                }
                int second = in.readUnsignedByte();
                long length = second & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                if ((first & 0x0f) == 0x8) {
                    return payload.length >= 2
                            ? OptionalInt.of(((payload[0] & 0xff) << 8) | (payload[1] & 0xff))
                            : OptionalInt.empty();
                }
            }
        } catch (EOFException | SocketTimeoutException e) {
            return OptionalInt.empty();
        } catch (IOException e) {
            // A reset connection ends the stream too.
            return OptionalInt.empty();
        }
    }

    /** True once the server has closed its side (a read returns end of stream or a reset). */
    public boolean isClosedByPeer() {
        try {
            socket.setSoTimeout(1);
            InputStream stream = socket.getInputStream();
            return stream.read(new byte[8192]) < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket that is already gone
        }
    }
}
