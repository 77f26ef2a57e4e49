package dev.chatlab.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event in thread-safe lists, for tests to wait on and inspect. */
final class Recorder implements ClientListener {
    record Attempt(URI uri, int attempt, Duration delay) {
    }

    record Ack(String clientMsgId, long seq) {
    }

    record Recovery(boolean recovered, String oldEpoch, String newEpoch) {
    }

    record Gap(long expected, long got) {
    }

    record Disconnect(int code, String reason, boolean remote) {
    }

    final List<String> log = new CopyOnWriteArrayList<>();
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    final List<String> connected = new CopyOnWriteArrayList<>();
    final List<ChatMessage> messages = new CopyOnWriteArrayList<>();
    final List<Ack> acks = new CopyOnWriteArrayList<>();
    final List<String> failed = new CopyOnWriteArrayList<>();
    final List<String> unknown = new CopyOnWriteArrayList<>();
    final List<Recovery> recoveries = new CopyOnWriteArrayList<>();
    final List<Gap> gaps = new CopyOnWriteArrayList<>();
    final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final List<String> fatal = new CopyOnWriteArrayList<>();

    @Override
    public void connecting(URI uri, int attempt, Duration delay) {
        attempts.add(new Attempt(uri, attempt, delay));
        log.add("connecting " + uri + " #" + attempt + " in " + delay.toMillis() + " ms");
    }

    @Override
    public void connected(String node) {
        connected.add(node);
        log.add("connected " + node);
    }

    @Override
    public void message(ChatMessage message) {
        messages.add(message);
        log.add("message " + message.seq() + " " + message.text());
    }

    @Override
    public void acked(String clientMsgId, long seq) {
        acks.add(new Ack(clientMsgId, seq));
        log.add("acked " + clientMsgId + " as " + seq);
    }

    @Override
    public void sendFailed(String clientMsgId, String reason) {
        failed.add(clientMsgId);
        log.add("failed " + clientMsgId + ": " + reason);
    }

    @Override
    public void sendUnknown(String clientMsgId, String reason) {
        unknown.add(clientMsgId);
        log.add("unknown " + clientMsgId + ": " + reason);
    }

    @Override
    public void recovery(boolean recovered, String oldEpoch, String newEpoch) {
        recoveries.add(new Recovery(recovered, oldEpoch, newEpoch));
        log.add("recovery " + recovered + " " + oldEpoch + " -> " + newEpoch);
    }

    @Override
    public void gapDetected(long expected, long got) {
        gaps.add(new Gap(expected, got));
        log.add("gap: expected " + expected + ", got " + got);
    }

    @Override
    public void disconnected(int code, String reason, boolean remote) {
        disconnects.add(new Disconnect(code, reason, remote));
        log.add("disconnected " + code + " " + reason + (remote ? " (remote)" : ""));
    }

    @Override
    public void error(String code, String message) {
        errors.add(code);
        log.add("error " + code + ": " + message);
    }

    @Override
    public void fatal(String reason) {
        fatal.add(reason);
        log.add("fatal " + reason);
    }

    List<Long> seqs() {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    List<String> texts() {
        return messages.stream().map(ChatMessage::text).toList();
    }

    @Override
    public String toString() {
        return String.join("\n", log);
    }
}
