package dev.chatlab.bench.fanout;

import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.Recorder;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * One room member on a JDK {@link WebSocket} (no thread of its own): joins, then hands every {@code message} frame's
 * seq to the testkit's recorder, counting only (the checker judges lost, duplicated, reordered without keeping a
 * delivery), and the latency from the send time in its text to the load. {@code typing} frames are only counted: they
 * carry no seq and no send time.
 */
final class Member implements WebSocket.Listener {
    /** What a sender sends when it types: the node adds the room and the sender's name. */
    static final String TYPING = "{\"type\":\"typing\",\"payload\":{}}";

    /** Where a delivered message's latency goes: {@code frame} holds the message's text from {@code textAt}. */
    interface Latencies {
        void record(String frame, int textAt, long micros);
    }

    final int index;
    final String roomId;
    /** The name it joins with, or null to join without one. */
    final String name;
    final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final Latencies latencies;
    private final Recorder<Void> recorder;
    /** Step 2 has no seq: each sender's sends are a history of their own, named here by sender. */
    private final String[] senders;
    /** Typing frames received, shared by every member of the load. */
    private final LongAdder typings;
    /** Typing frames naming this member itself: the node must never send a member its own signals. */
    private long ownTypings;
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket socket;
    private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);

    /** Member {@code index} of {@code roomId}, judged by {@code checker}; {@code senders} names each sender's history. */
    Member(int index, String roomId, Latencies latencies, Checker checker, String[] senders) {
        this(index, roomId, null, latencies, checker, senders, new LongAdder());
    }

    /** As above, joining as {@code name} (null: no name), its typing frames counted in {@code typings}. */
    Member(int index, String roomId, String name, Latencies latencies, Checker checker, String[] senders, LongAdder typings) {
        this.index = index;
        this.roomId = roomId;
        this.name = name;
        this.latencies = latencies;
        this.recorder = new Recorder<>("c" + index, roomId, checker, System::nanoTime, Recorder.Keep.COUNTS);
        this.senders = senders;
        this.typings = typings;
    }

    void attach(WebSocket ws) {
        socket = ws;
        sending = ws.sendText(join(), true);
    }

    /** The join frame: the room, and the name when it has one. */
    String join() {
        return "{\"type\":\"join\",\"payload\":{\"roomId\":\"" + roomId + "\"" + (name == null ? "" : ",\"name\":\"" + name + "\"") + "}}";
    }

    /** Sends after the previous send of this member has gone: the JDK allows one outstanding send per socket. */
    synchronized void send(String text) {
        String frame = "{\"type\":\"message\",\"payload\":{\"message\":\"" + text + "\"}}";
        sending = sending.thenCompose(ws -> socket.sendText(frame, true));
    }

    /** Says it is typing, after the previous send of this member has gone. */
    synchronized void sendTyping() {
        sending = sending.thenCompose(ws -> socket.sendText(TYPING, true));
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
            if (seq >= 0) {
                recorder.message(null, seq, null, null, null, 0);
            } else if (m >= 0) {
                // No seq (step 2): only one sender's sends have an order. The text's send number counts the sends of
                // every sender, who take turns, so divided by their number it counts this sender's: its seq.
                int afterSent = text.indexOf('|', m + 11);
                int afterSender = afterSent < 0 ? -1 : text.indexOf('|', afterSent + 1);
                if (afterSender > 0) {
                    int sender = (int) parseLong(text, afterSent + 1, '|');
                    long n = parseLong(text, afterSender + 1, '|');
                    recorder.message(null, n / senders.length + 1, senders[sender], null, null, 0);
                }
            }
            if (sentNanos > 0) {
                latencies.record(text, m + 11, Math.max(0, (now - sentNanos) / 1_000));
            }
        } else if (text.startsWith("{\"type\":\"typing\"")) {
            typings.increment();
            if (name != null && text.contains("\"name\":\"" + name + "\"")) {
                ownTypings++;
            }
        } else if (text.startsWith("{\"type\":\"joined\"")) {
            // The room is new: the member is owed every message from seq 1 on.
            recorder.connected(null);
            joined.complete(null);
        } else if (text.startsWith("{\"type\":\"error\"")) {
            recorder.error(null, text);
            if (!joined.isDone()) {
                joined.completeExceptionally(new IllegalStateException(text));
            }
        }
    }

    /** Error frames so far. */
    long errors() {
        return recorder.errorCount();
    }

    /** Typing frames so far that named this member itself. */
    synchronized long ownTypings() {
        return ownTypings;
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
