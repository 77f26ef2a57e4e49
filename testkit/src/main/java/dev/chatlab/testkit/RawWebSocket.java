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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

/**
 * A WebSocket spoken byte by byte on a bare socket, for what a well-behaved client library will not do: a handshake
 * with any headers (and its HTTP answer read whole, so a test sees a 403 and no upgrade), any frame (bad UTF-8, a
 * lying length, binary, fragments, exact bytes), frames read back one by one, a client that stops reading (a slow
 * consumer) or goes silent without closing (a half-open peer). Nothing is read unless the test asks.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The code of a close frame that has one, else -1. */
        public int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final String statusLine;
    private final int status;
    private final Map<String, String> headers;
    private final Random masks;

    private RawWebSocket(Socket socket, DataInputStream in, String statusLine, Map<String, String> headers, Random masks)
            throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = in;
        this.statusLine = statusLine;
        this.status = Integer.parseInt(statusLine.split(" ")[1]);
        this.headers = headers;
        this.masks = masks;
    }

    /**
     * Opens a connection and completes the upgrade handshake, or fails if the server refuses it. {@code receiveBuffer}
     * sets the socket's receive buffer before connecting (small values make a non-reading client fill up quickly).
     */
    public static RawWebSocket connect(URI ws, int receiveBuffer) {
        RawWebSocket raw = open(ws, receiveBuffer, Map.of(), RANDOM);
        if (!raw.upgraded()) {
            raw.close();
            throw new UncheckedIOException(new IOException("upgrade to " + ws + " refused: " + raw.statusLine));
        }
        return raw;
    }

    /**
     * Sends an upgrade request for {@code ws} with {@code extraHeaders} and reads the answer's status and headers,
     * whatever they are: see {@link #upgraded()}.
     */
    public static RawWebSocket handshake(URI ws, Map<String, String> extraHeaders) {
        return handshake(ws, extraHeaders, RANDOM);
    }

    /** As {@link #handshake(URI, Map)}, with frame masks from {@code masks} (a seeded run repeats exactly). */
    public static RawWebSocket handshake(URI ws, Map<String, String> extraHeaders, Random masks) {
        return open(ws, 0, extraHeaders, masks);
    }

    private static RawWebSocket open(URI ws, int receiveBuffer, Map<String, String> extraHeaders, Random masks) {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            // Small frames in quick succession: without this, Nagle's algorithm holds each for a delayed ACK.
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), 5000);
            socket.setSoTimeout(10_000);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String path = ws.getRawPath() == null || ws.getRawPath().isEmpty() ? "/" : ws.getRawPath();
            StringBuilder request = new StringBuilder("GET " + path + (ws.getRawQuery() == null ? "" : "?" + ws.getRawQuery())
                    + " HTTP/1.1\r\nHost: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + (extraHeaders.containsKey("Sec-WebSocket-Version") ? "" : "Sec-WebSocket-Version: 13\r\n"));
            extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed during the handshake: " + head);
                }
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
                }
            }
            return new RawWebSocket(socket, in, lines[0], headers, masks);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("handshake with " + ws + " failed", e);
        }
    }

    /** The HTTP status of the handshake's answer: 101 when upgraded. */
    public int status() {
        return status;
    }

    /** A header of the handshake's answer, by case-insensitive name, or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean upgraded() {
        return status == 101;
    }

    /** The body of a refused handshake's HTTP answer (its Content-Length bytes). */
    public String body() {
        String length = header("Content-Length");
        if (length == null) {
            return "";
        }
        try {
            byte[] body = new byte[Integer.parseInt(length)];
            in.readFully(body);
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the body failed", e);
        }
    }

    /** Sends one masked text frame, as clients must. */
    public void sendText(String text) {
        sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** One masked frame, as clients must send them; {@code fin} false starts or continues a fragmented message. */
    public void sendFrame(int opcode, byte[] payload, boolean fin) {
        try {
            byte[] mask = new byte[4];
            masks.nextBytes(mask);
            out.write(frameHeader(opcode, payload.length, fin, mask));
            byte[] masked = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                masked[i] = (byte) (payload[i] ^ mask[i % 4]);
            }
            out.write(masked);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
    }

    /** Bytes exactly as given, for frames no encoder would produce (unmasked, reserved bits, reserved opcodes). */
    public void sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
    }

    /**
     * Announces a text frame of {@code length} bytes and streams that many zero bytes after it, 64 KiB at a time,
     * until they are all sent or the server stops reading; returns how many payload bytes went out.
     */
    public long sendHugeFrame(long length) {
        byte[] chunk = new byte[64 * 1024];
        long sent = 0;
        try {
            byte[] mask = new byte[4];
            out.write(frameHeader(TEXT, length, true, mask));
            while (sent < length) {
                int n = (int) Math.min(chunk.length, length - sent);
                out.write(chunk, 0, n);
                sent += n;
            }
            out.flush();
        } catch (IOException e) {
            // The server closed or reset the connection part way: exactly what a refusal looks like from here.
        }
        return sent;
    }

    private static byte[] frameHeader(int opcode, long length, boolean fin, byte[] mask) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            h.write(0x80 | (int) length);
        } else if (length < 65536) {
            h.write(0x80 | 126);
            h.write((int) (length >>> 8));
            h.write((int) (length & 0xff));
        } else {
            h.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                h.write((int) (length >>> shift) & 0xff);
            }
        }
        h.write(mask, 0, 4);
        return h.toByteArray();
    }

    /** The next frame from the server, or null when the stream ends (or is reset) or nothing comes in time. */
    public Frame read() {
        try {
            int first = in.read();
            if (first < 0) {
                return null;
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
            return new Frame(first & 0x0f, payload);
        } catch (IOException e) {
            // A time-out, an end in the middle of a frame or a reset connection: nothing more to read.
            return null;
        }
    }

    /** Reads frames until one that is not a ping arrives (or none does). */
    public Frame readSkippingPings() {
        Frame frame = read();
        while (frame != null && frame.opcode() == PING) {
            frame = read();
        }
        return frame;
    }

    /**
     * Reads frames until the server's close frame or the end of the stream, and returns the close code if a close
     * frame with one came. Other frames on the way are skipped.
     */
    public OptionalInt readUntilClose() {
        for (Frame frame = read(); frame != null; frame = read()) {
            if (frame.opcode() == CLOSE) {
                return frame.closeCode() < 0 ? OptionalInt.empty() : OptionalInt.of(frame.closeCode());
            }
        }
        return OptionalInt.empty();
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
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket that is already gone
        }
    }
}
