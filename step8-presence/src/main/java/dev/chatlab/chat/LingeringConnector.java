package dev.chatlab.chat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.IO;

/**
 * The node's HTTP/WebSocket connector, whose connections close gently: the node stops writing (FIN) and
 * goes on reading, and discarding, whatever the client still sends, for at most {@link #LINGER} and
 * {@link #MAX_DISCARDED_BYTES}, before it closes the socket.
 *
 * <p>Why: a frame announcing more than the limit makes Jetty answer with a 1009 close and close the socket
 * at once, while the client is still writing the frame. A socket closed with unread input is reset by the
 * kernel, and the reset overtakes the close frame: the client (through HAProxy, which passes the reset on)
 * saw a broken pipe and 1006, never the 1009. Jetty 12.1 has no setting for this (its close path always
 * ends in closing the channel), so the endpoint's last step, {@code doClose}, is replaced: the close frame
 * is already written when Jetty gets there, so the FIN follows it, and the client reads both.
 */
final class LingeringConnector extends ServerConnector {
    /** The longest a closed connection is read from before its socket goes. */
    static final Duration LINGER = Duration.ofSeconds(2);
    /** The most a closed connection may still send before its socket goes: more than one refused 10 MB frame. */
    static final long MAX_DISCARDED_BYTES = 16L * 1024 * 1024;
    private static final long POLL_MILLIS = 20;

    LingeringConnector(Server server, HttpConfiguration http, String host, int port) {
        super(server, new HttpConnectionFactory(http));
        setHost(host);
        setPort(port);
    }

    @Override
    protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key) {
        SocketChannelEndPoint endPoint = new SocketChannelEndPoint(channel, selector, key, getScheduler()) {
            @Override
            public void doClose() {
                // Replaces closing the channel at once; nothing else happens in the endpoints' doClose.
                linger(channel);
            }
        };
        endPoint.setIdleTimeout(getIdleTimeout());
        return endPoint;
    }

    private void linger(SocketChannel channel) {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            IO.close(channel);
            return;
        }
        new Drain(channel).run();
    }

    /** Reads and discards what a closed connection still sends, until the client closes too or a bound is hit. */
    private final class Drain implements Runnable {
        private final SocketChannel channel;
        private final long deadline = System.nanoTime() + LINGER.toNanos();
        private final ByteBuffer scratch = ByteBuffer.allocate(8 * 1024);
        private long discarded;

        Drain(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void run() {
            try {
                int read;
                // The channel is non-blocking: this reads what has arrived, and returns.
                while ((read = channel.read(scratch.clear())) > 0) {
                    discarded += read;
                    if (discarded > MAX_DISCARDED_BYTES) {
                        IO.close(channel);
                        return;
                    }
                }
                if (read < 0 || System.nanoTime() > deadline || !getScheduler().isRunning()) {
                    IO.close(channel);
                    return;
                }
                getScheduler().schedule(this, POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (IOException | RejectedExecutionException e) {
                IO.close(channel);
            }
        }
    }
}
