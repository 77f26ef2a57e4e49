package dev.chatlab.bench.fanout;

import java.net.http.WebSocket;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One room member on a JDK {@link WebSocket} (no thread of its own): joins, then counts every {@code message}
 * frame by seq (lost, duplicated, reordered) and hands the latency from the send time in its text to the load.
 */
final class Member implements WebSocket.Listener {
    /** What a member has counted so far. */
    record Counts(long received, long distinct, long duplicated, long reordered, long errors) {
        Counts plus(Counts o) {
            return new Counts(received + o.received, distinct + o.distinct, duplicated + o.duplicated, reordered + o.reordered,
                    errors + o.errors);
        }
    }

    static final Counts NONE = new Counts(0, 0, 0, 0, 0);

    /** Where a delivered message's latency goes: {@code frame} holds the message's text from {@code textAt}. */
    interface Latencies {
        void record(String frame, int textAt, long micros);
    }

    final int index;
    final String roomId;
    final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final Latencies latencies;
    private final StringBuilder partial = new StringBuilder();
    private final BitSet seen = new BitSet();
    private volatile WebSocket socket;
    private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);
    private long received;
    private long duplicated;
    private long reordered;
    private long errors;
    private long lastSeq;
    /** Step 2 has no seq: the newest send number seen from each sender, whose sends must arrive in the order sent. */
    private final Map<Long, Long> lastBySender = new HashMap<>();

    Member(int index, String roomId, Latencies latencies) {
        this.index = index;
        this.roomId = roomId;
        this.latencies = latencies;
    }

    void attach(WebSocket ws) {
        socket = ws;
        sending = ws.sendText("{\"type\":\"join\",\"payload\":{\"roomId\":\"" + roomId + "\"}}", true);
    }

    /** Sends after the previous send of this member has gone: the JDK allows one outstanding send per socket. */
    synchronized void send(String text) {
        String frame = "{\"type\":\"message\",\"payload\":{\"message\":\"" + text + "\"}}";
        sending = sending.thenCompose(ws -> socket.sendText(frame, true));
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = System.nanoTime();
        if (!last || partial.length() > 0) {
            partial.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            data = partial.toString();
            partial.setLength(0);
        }
        frame(data.toString(), now);
        webSocket.request(1);
        return null;
    }

    private synchronized void frame(String text, long now) {
        if (text.startsWith("{\"type\":\"message\"")) {
            long seq = longAfter(text, "\"seq\":");
            int m = text.indexOf("\"message\":\"", 20);
            long sentNanos = m < 0 ? -1 : parseLong(text, m + 11, '|');
            received++;
            if (seq >= 0) {
                count(seq, seq <= lastSeq);
                lastSeq = Math.max(lastSeq, seq);
            } else if (m >= 0) {
                // No seq (step 2): the text's send number names the message; only one sender's sends have an order.
                int afterSent = text.indexOf('|', m + 11);
                int afterSender = afterSent < 0 ? -1 : text.indexOf('|', afterSent + 1);
                if (afterSender > 0) {
                    long sender = parseLong(text, afterSent + 1, '|');
                    long n = parseLong(text, afterSender + 1, '|');
                    Long previous = lastBySender.put(sender, n);
                    count(n, previous != null && n <= previous);
                }
            }
            if (sentNanos > 0) {
                latencies.record(text, m + 11, Math.max(0, (now - sentNanos) / 1_000));
            }
        } else if (text.startsWith("{\"type\":\"joined\"")) {
            joined.complete(null);
        } else if (text.startsWith("{\"type\":\"error\"")) {
            errors++;
            if (!joined.isDone()) {
                joined.completeExceptionally(new IllegalStateException(text));
            }
        }
    }

    private void count(long id, boolean outOfOrder) {
        if (seen.get((int) id)) {
            duplicated++;
        } else {
            seen.set((int) id);
        }
        if (outOfOrder) {
            reordered++;
        }
    }

    synchronized Counts counts() {
        return new Counts(received, seen.cardinality(), duplicated, reordered, errors);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        joined.completeExceptionally(error);
    }

    void close() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    static long longAfter(String text, String key) {
        int i = text.indexOf(key);
        return i < 0 ? -1 : parseLong(text, i + key.length(), ',');
    }

    static long parseLong(String text, int from, char end) {
        long value = 0;
        boolean any = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                any = true;
            } else {
                break;
            }
        }
        return any ? value : -1;
    }
}
