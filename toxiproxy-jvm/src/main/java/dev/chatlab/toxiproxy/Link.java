package dev.chatlab.toxiproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One direction of one proxied connection: a reader queues what arrives from the source, and a writer passes the
 * queue through this link's toxics, in the order they were added, to the destination.
 */
final class Link {
    private static final int READ_BUFFER_BYTES = 32 * 1024;
    /** What a held or slow link buffers before it stops reading, so the sender feels TCP back-pressure. */
    private static final long MAX_QUEUED_BYTES = 1 << 20;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** Caps a toxic's time so that {@code System.nanoTime() + delay} cannot overflow; about 73 years. */
    private static final long LONGEST_DELAY_NANOS = Long.MAX_VALUE / 4;

    private final Connection connection;
    private final Direction direction;
    private final Socket source;
    private final Socket destination;

    // Guarded by this; the reader, the writer and the API thread meet here, and every change calls notifyAll.
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queuedBytes;
    private List<Stage> stages;
    private boolean stopped;

    Link(Connection connection, Direction direction, Socket source, Socket destination, List<Toxic> toxics) {
        this.connection = connection;
        this.direction = direction;
        this.source = source;
        this.destination = destination;
        long now = System.nanoTime();
        List<Stage> initial = new ArrayList<>();
        for (Toxic toxic : toxics) {
            if (toxic.stream() == direction) {
                initial.add(new Stage(toxic, now));
            }
        }
        this.stages = List.copyOf(initial);
    }

    synchronized void add(Toxic toxic) {
        List<Stage> next = new ArrayList<>(stages);
        next.add(new Stage(toxic, System.nanoTime()));
        stages = List.copyOf(next);
        notifyAll();
    }

    synchronized void update(Toxic toxic) {
        List<Stage> next = new ArrayList<>(stages);
        long now = System.nanoTime();
        next.replaceAll(stage -> stage.toxic.name().equals(toxic.name()) ? stage.restart(toxic, now) : stage);
        stages = List.copyOf(next);
        notifyAll();
    }

    /**
     * Removes a toxic. Returns true when it was a {@code timeout} acting on this link: Toxiproxy then closes the
     * connection, because the data the toxic dropped has left the stream corrupt.
     */
    synchronized boolean remove(String name) {
        List<Stage> next = new ArrayList<>(stages);
        boolean droppedData = false;
        for (Stage stage : stages) {
            if (stage.toxic.name().equals(name)) {
                next.remove(stage);
                droppedData |= stage.active && stage.toxic.type() == ToxicType.TIMEOUT;
            }
        }
        stages = List.copyOf(next);
        notifyAll();
        return droppedData;
    }

    synchronized void stop() {
        stopped = true;
        queue.clear();
        queuedBytes = 0;
        notifyAll();
    }

    /** Copies the source into the queue until the source ends, fails or the connection closes. */
    void read() {
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        try {
            InputStream in = source.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (n > 0 && !enqueue(Arrays.copyOf(buffer, n))) {
                    return;
                }
            }
        } catch (IOException e) {
            if (connection.passesHalfClose()) {
                // Passing a reset on as a half-close would leave the other direction waiting: end both.
                connection.close(false);
                return;
            }
            // A reset or a local close ends the stream the way a clean end does; the writer closes both sides.
        } catch (InterruptedException e) {
            connection.close(false);
            return;
        }
        try {
            enqueue(null);
        } catch (InterruptedException e) {
            connection.close(false);
        }
    }

    /** Passes the queue through the toxics to the destination until the connection closes. */
    void write() {
        try {
            OutputStream out = destination.getOutputStream();
            while (true) {
                Step step;
                synchronized (this) {
                    step = nextStep();
                }
                if (step == null) {
                    return;
                }
                switch (step.kind) {
                    case WRITE -> {
                        out.write(step.chunk.data, step.chunk.offset, step.length);
                        connection.relayed(direction, step.length);
                        written(step);
                    }
                    case HALF_CLOSE -> {
                        destination.shutdownOutput();
                        connection.directionEnded();
                        return;
                    }
                    case CLOSE -> {
                        connection.close(false);
                        return;
                    }
                    case RESET -> {
                        connection.close(true);
                        return;
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            connection.close(false);
        }
    }

    /** Queues bytes, or the end of the stream when {@code data} is null; false once the connection is closed. */
    private synchronized boolean enqueue(byte[] data) throws InterruptedException {
        while (!stopped && data != null && queuedBytes >= MAX_QUEUED_BYTES) {
            wait();
        }
        if (stopped) {
            return false;
        }
        Chunk chunk = new Chunk(data, System.nanoTime());
        queue.add(chunk);
        queuedBytes += chunk.remaining();
        notifyAll();
        return true;
    }

    private synchronized void written(Step step) {
        if (stopped) {
            return;
        }
        step.chunk.offset += step.length;
        queuedBytes -= step.length;
        if (step.chunk.remaining() == 0) {
            queue.remove();
        }
        for (Stage stage : step.paced) {
            stage.freeAt = stage.sliceDue;
            stage.sliceScheduled = false;
        }
        for (Stage stage : step.limited) {
            stage.passed += step.length;
        }
        notifyAll();
    }

    /**
     * Waits until there is something to do; null once the link is stopped. Holds the monitor. It decides from the
     * toxics as they are on every wake-up, so a toxic added, updated or removed acts on data already queued.
     */
    private Step nextStep() throws InterruptedException {
        while (!stopped) {
            long now = System.nanoTime();
            Deadline wake = new Deadline();
            Step step = timers(now, wake);
            if (step == null && !queue.isEmpty()) {
                step = pass(queue.peek(), now, wake);
                if (step == Step.AGAIN) {
                    continue;
                }
            }
            if (step != null) {
                return step;
            }
            wake.await(this, now);
        }
        return null;
    }

    /** What the toxics do with no data at all: a timeout running out, a pending reset, a spent data limit. */
    private Step timers(long now, Deadline wake) {
        for (Stage stage : stages) {
            if (!stage.active) {
                continue;
            }
            Toxic toxic = stage.toxic;
            switch (toxic.type()) {
                case TIMEOUT -> {
                    long timeout = toxic.attribute("timeout");
                    if (timeout > 0) {
                        long due = stage.startedAt + nanos(timeout);
                        if (due - now <= 0) {
                            return Step.CLOSE;
                        }
                        wake.atMost(due);
                    }
                }
                case RESET_PEER -> {
                    if (stage.triggered) {
                        long due = stage.triggeredAt + nanos(toxic.attribute("timeout"));
                        if (due - now <= 0) {
                            return Step.RESET;
                        }
                        wake.atMost(due);
                    }
                }
                case LIMIT_DATA -> {
                    if (stage.passed > 0 && stage.passed >= toxic.attribute("bytes")) {
                        return Step.CLOSE;
                    }
                }
                default -> {
                }
            }
        }
        return null;
    }

    /**
     * Takes the head of the queue through the toxics: null to wait, {@link Step#AGAIN} when a toxic swallowed it,
     * otherwise the write or close it leads to.
     */
    private Step pass(Chunk head, long now, Deadline wake) {
        long readyAt = head.arrivedAt;
        int length = head.remaining();
        List<Stage> paced = new ArrayList<>(1);
        List<Stage> limited = new ArrayList<>(1);
        for (Stage stage : stages) {
            if (!stage.active) {
                continue;
            }
            Toxic toxic = stage.toxic;
            switch (toxic.type()) {
                case TIMEOUT -> {
                    if (head.isEnd()) {
                        return Step.CLOSE;
                    }
                    // Toxiproxy drops what reaches a timeout toxic; nothing is delivered later.
                    drop(head);
                    return Step.AGAIN;
                }
                case RESET_PEER -> {
                    if (!stage.triggered) {
                        stage.triggered = true;
                        stage.triggeredAt = now;
                    }
                    drop(head);
                    return Step.AGAIN;
                }
                case BANDWIDTH -> {
                    long rate = toxic.attribute("rate");
                    if (rate <= 0) {
                        return null;
                    }
                    if (!head.isEnd()) {
                        // Like Toxiproxy, send at most 100 ms worth of data at a time.
                        length = (int) Math.min(length, Math.max(1, Math.min(rate, Integer.MAX_VALUE) * 100));
                        paced.add(stage);
                    }
                }
                case LATENCY -> {
                    if (!head.isEnd()) {
                        readyAt += head.latency(stage);
                    }
                }
                case LIMIT_DATA -> {
                    long left = toxic.attribute("bytes") - stage.passed;
                    if (left <= 0) {
                        return Step.CLOSE;
                    }
                    length = (int) Math.min(length, left);
                    limited.add(stage);
                }
            }
        }
        if (head.isEnd()) {
            return connection.passesHalfClose() ? Step.HALF_CLOSE : Step.CLOSE;
        }
        if (readyAt - now > 0) {
            wake.atMost(readyAt);
            return null;
        }
        boolean pacing = false;
        for (Stage stage : paced) {
            if (!stage.sliceScheduled) {
                long start = stage.freeAt - now > 0 ? stage.freeAt : now;
                stage.sliceDue = start + length * NANOS_PER_MILLI / stage.toxic.attribute("rate");
                stage.sliceScheduled = true;
            }
            if (stage.sliceDue - now > 0) {
                wake.atMost(stage.sliceDue);
                pacing = true;
            }
        }
        return pacing ? null : new Step(Step.Kind.WRITE, head, length, paced, limited);
    }

    private static long nanos(long millis) {
        return millis <= 0 ? 0 : Math.min(TimeUnit.MILLISECONDS.toNanos(millis), LONGEST_DELAY_NANOS);
    }

    private void drop(Chunk head) {
        queue.remove();
        queuedBytes -= head.remaining();
        notifyAll();
    }

    /** What one toxic holds for this link: whether it acts here at all, and its running state. */
    private static final class Stage {
        final Toxic toxic;
        /** Drawn once against {@code toxicity}, and again when the toxic is updated, as Toxiproxy does. */
        final boolean active;
        final long startedAt;
        boolean triggered;
        long triggeredAt;
        long passed;
        long freeAt;
        boolean sliceScheduled;
        long sliceDue;

        Stage(Toxic toxic, long now) {
            this.toxic = toxic;
            this.active = ThreadLocalRandom.current().nextFloat() < toxic.toxicity();
            this.startedAt = now;
            this.freeAt = now;
        }

        /** The same toxic with new settings; a data limit keeps counting what it already let through. */
        Stage restart(Toxic updated, long now) {
            Stage next = new Stage(updated, now);
            next.passed = passed;
            return next;
        }
    }

    /** Bytes read in one go, or the end of the stream when {@code data} is null. */
    private static final class Chunk {
        final byte[] data;
        final long arrivedAt;
        /** Written only by the writer thread. */
        int offset;
        /** Drawn once per latency toxic, so the jitter of a waiting chunk stays put. */
        private Map<Stage, Long> latencies;

        Chunk(byte[] data, long arrivedAt) {
            this.data = data;
            this.arrivedAt = arrivedAt;
        }

        boolean isEnd() {
            return data == null;
        }

        int remaining() {
            return data == null ? 0 : data.length - offset;
        }

        long latency(Stage stage) {
            if (latencies == null) {
                latencies = new HashMap<>(2);
            }
            return latencies.computeIfAbsent(stage, s -> {
                long latency = s.toxic.attribute("latency");
                long jitter = s.toxic.attribute("jitter");
                if (jitter > 0) {
                    latency += ThreadLocalRandom.current().nextLong(-jitter, jitter);
                }
                return nanos(latency);
            });
        }
    }

    private static final class Step {
        enum Kind { WRITE, CLOSE, HALF_CLOSE, RESET, AGAIN }

        static final Step CLOSE = new Step(Kind.CLOSE, null, 0, List.of(), List.of());
        static final Step HALF_CLOSE = new Step(Kind.HALF_CLOSE, null, 0, List.of(), List.of());
        static final Step RESET = new Step(Kind.RESET, null, 0, List.of(), List.of());
        static final Step AGAIN = new Step(Kind.AGAIN, null, 0, List.of(), List.of());

        final Kind kind;
        final Chunk chunk;
        final int length;
        final List<Stage> paced;
        final List<Stage> limited;

        Step(Kind kind, Chunk chunk, int length, List<Stage> paced, List<Stage> limited) {
            this.kind = kind;
            this.chunk = chunk;
            this.length = length;
            this.paced = paced;
            this.limited = limited;
        }
    }

    /** The earliest moment a waiting writer must look again, if any; {@link System#nanoTime()} based. */
    private static final class Deadline {
        private boolean set;
        private long at;

        void atMost(long nanoTime) {
            if (!set || nanoTime - at < 0) {
                set = true;
                at = nanoTime;
            }
        }

        void await(Object monitor, long now) throws InterruptedException {
            if (!set) {
                monitor.wait();
            } else if (at - now > 0) {
                TimeUnit.NANOSECONDS.timedWait(monitor, at - now);
            }
        }
    }
}
