package dev.chatlab.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Stores the node's messages without a blocking round trip per message: group commit over one Redis
 * connection. Callers queue an append and return at once; one thread takes everything queued (up to
 * {@value #MAX_BATCH} at a time), sends it as one pipeline of {@link History#APPEND} calls, reads the
 * replies and answers each caller in order. While a pipeline is on the wire, new appends pile up and go
 * together in the next one, so the busier the node, the larger the batches and the fewer the round trips.
 *
 * <p><b>Order.</b> One FIFO queue and one thread: appends from one caller reach Redis in the order they
 * were made, so a client's messages get increasing seqs in the order it sent them.
 *
 * <p><b>Failures.</b> Every append is answered exactly once, with its {@link History.Appended} or with a
 * {@link History.Unavailable} that says what failed:
 * <ul>
 *   <li>The connection breaks or a reply takes longer than the command timeout: every append of that
 *       pipeline fails (some of them may have been stored; a client that retries with its clientMsgId is
 *       deduplicated), the connection is dropped and the next batch connects again.</li>
 *   <li>Connecting fails: the batch fails, and for {@link #RECONNECT_PAUSE} the batches that follow fail at
 *       once without another attempt, so a Redis that is down costs neither a hot loop nor waiting callers.</li>
 *   <li>{@code NOSCRIPT} (Redis restarted or its script cache was flushed): the script is loaded again and
 *       the appends that got it are sent again, in order. Should another client load the script between two
 *       commands of one pipeline, a resent append lands after a later one that went through; the script is
 *       loaded on every new connection, so a restart alone never causes this.</li>
 *   <li>Redis answers one script with an error: that append alone fails.</li>
 * </ul>
 *
 * <p><b>Why this is written here.</b> Jedis 8 (8.0.2 here) has no asynchronous or auto-pipelining client.
 * Its {@link Pipeline} ({@code RedisClient.pipelined()}, or on a {@link Connection}) is synchronous: the
 * caller appends commands and blocks in {@code sync()} until every reply is read, and a {@link Response}
 * can only be read after that; {@code MultiNodePipelineBase} is the same for a cluster, one pipeline per
 * node. So Jedis sends a batch in one round trip, but collecting the batch from many threads, handing the
 * answers back without any caller waiting, and sending the next batch while more arrive is this class.
 */
final class Appender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Appender.class);

    /** The most appends one pipeline carries. */
    static final int MAX_BATCH = 512;
    /** After a failed connect, how long batches fail at once before the next attempt. */
    static final Duration RECONNECT_PAUSE = Duration.ofMillis(250);
    /** How many times the appends that got NOSCRIPT are sent again, each time after loading the script. */
    private static final int NOSCRIPT_RETRIES = 3;

    /** What an append came to: the stored result, or why it could not be stored. Exactly one is non-null. */
    interface Done {
        void accept(History.Appended appended, History.Unavailable failure);
    }

    private static final class Request {
        final String roomId;
        final List<String> keys;
        final List<String> args;
        final Done done;
        /** Set by whoever answers it; requests are owned by one thread at a time, taken off the queue by poll. */
        boolean answered;

        Request(String roomId, List<String> keys, List<String> args, Done done) {
            this.roomId = roomId;
            this.keys = keys;
            this.args = args;
            this.done = done;
        }
    }

    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private final Duration commandTimeout;
    private final int historyLength;
    private final long dedupeWindowMillis;
    private final String nodeId;
    private final int maxQueued;
    private final Thread thread;

    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    /** True while the thread is parked or about to park: only then does an append unpark it. */
    private final AtomicBoolean parked = new AtomicBoolean();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closing;

    // Used by the appender thread only.
    private Connection connection;
    private Pipeline pipeline;
    private String sha;
    private JedisException connectFailure;
    private long connectFailedAt;
    private boolean down;

    Appender(String host, int port, Duration commandTimeout, int historyLength, Duration dedupeWindow, String nodeId,
             int maxQueued) {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be at least 1: " + maxQueued);
        }
        this.address = new HostAndPort(host, port);
        this.commandTimeout = commandTimeout;
        this.clientConfig = History.clientConfig(commandTimeout, nodeId + "-appender");
        this.historyLength = historyLength;
        this.dedupeWindowMillis = dedupeWindow.toMillis();
        this.nodeId = nodeId;
        this.maxQueued = maxQueued;
        this.thread = new Thread(this::run, nodeId + "-appender");
        this.thread.setDaemon(true);
    }

    void start() {
        if (started.compareAndSet(false, true)) {
            thread.start();
        }
    }

    /**
     * Queues one append and returns at once; {@code done} runs later on the appender's thread, never on the
     * caller's, with two exceptions where it runs on the caller's thread before this returns: more than
     * {@code maxQueued} appends already wait ({@code Unavailable("node overloaded…")}), or the appender is
     * closed ({@code Unavailable("node stopping")}).
     */
    void append(String roomId, String payloadJson, String clientMsgId, Done done) {
        Request request = new Request(roomId, History.appendKeys(roomId, clientMsgId),
                History.appendArgs(roomId, payloadJson, clientMsgId, historyLength, dedupeWindowMillis), done);
        if (closing) {
            answer(request, null, new History.Unavailable("node stopping"));
            return;
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            answer(request, null, new History.Unavailable("node overloaded: " + maxQueued + " appends already wait for Redis"));
            return;
        }
        queue.offer(request);
        if (closing) {
            // close() may have emptied the queue just before this request went in: nobody else would answer it.
            failQueued();
            return;
        }
        if (parked.get() && parked.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    /** Appends waiting now, not yet in a pipeline. */
    long queued() {
        return queued.get();
    }

    /** Pipelines sent so far, including those that send appends again after NOSCRIPT. */
    long batches() {
        return batches.get();
    }

    /** Appends answered so far, whether stored or failed. */
    long appends() {
        return appends.get();
    }

    /**
     * Stops the thread and fails whatever is still queued with {@code Unavailable("node stopping")}. A
     * pipeline already sent is answered first, so this waits for at most about a command timeout per round
     * trip that pipeline still needs. Closing from a callback does not wait for the thread it runs on.
     */
    @Override
    public void close() {
        closing = true;
        if (started.get() && Thread.currentThread() != thread) {
            LockSupport.unpark(thread);
            // Round trips of one batch at worst: connect, load the script, the pipeline, and each NOSCRIPT retry's two.
            long waitMillis = commandTimeout.toMillis() * (3L + NOSCRIPT_RETRIES * 2L) + 1_000;
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("{}: the appender thread still runs {} ms after close; it ends after its current pipeline",
                        nodeId, waitMillis);
            }
        }
        failQueued();
    }

    private void failQueued() {
        Request request;
        while ((request = queue.poll()) != null) {
            queued.decrementAndGet();
            answer(request, null, new History.Unavailable("node stopping"));
        }
    }

    private void run() {
        List<Request> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!closing) {
                Request request;
                while (batch.size() < MAX_BATCH && (request = queue.poll()) != null) {
                    queued.decrementAndGet();
                    batch.add(request);
                }
                if (batch.isEmpty()) {
                    park();
                    continue;
                }
                try {
                    store(batch);
                } catch (RuntimeException e) {
                    log.error("{}: appending a batch of {} failed unexpectedly", nodeId, batch.size(), e);
                    drop();
                    failAll(batch, "", e);
                }
                batch.clear();
            }
        } finally {
            drop();
        }
    }

    private void park() {
        parked.set(true);
        if (queue.isEmpty() && !closing) {
            LockSupport.park(this);
            // An interrupt would make every later park return at once; this thread ends only through close().
            Thread.interrupted();
        }
        parked.set(false);
    }

    /** Sends one batch and answers every request in it. */
    private void store(List<Request> batch) {
        Pipeline current = connected(batch);
        if (current == null) {
            return;
        }
        List<Request> pending = batch;
        try {
            for (int attempt = 0; ; attempt++) {
                List<Request> noScript = send(current, pending);
                if (noScript.isEmpty()) {
                    return;
                }
                if (attempt == NOSCRIPT_RETRIES) {
                    failAll(noScript, "",
                            new JedisNoScriptException("the append script is still unknown after loading it " + attempt + " times"));
                    return;
                }
                log.info("{}: Redis forgot the append script; loading it again and resending {} appends", nodeId, noScript.size());
                sha = load(connection);
                pending = noScript;
            }
        } catch (JedisException e) {
            if (!down) {
                log.warn("{}: appends to Redis at {} fail ({}); dropping the connection", nodeId, address, e.getMessage());
                down = true;
            }
            drop();
            failAll(pending, "", e);
        }
    }

    /**
     * Pipelines {@code pending} and answers every request except those that got NOSCRIPT, which come back
     * in order. Throws when the connection fails; then none of them is answered.
     */
    private List<Request> send(Pipeline current, List<Request> pending) {
        List<Response<Object>> responses = new ArrayList<>(pending.size());
        for (Request request : pending) {
            responses.add(current.evalsha(sha, request.keys, request.args));
        }
        batches.incrementAndGet();
        current.sync();
        if (down) {
            log.info("{}: appends to Redis at {} succeed again", nodeId, address);
            down = false;
        }
        List<Request> noScript = List.of();
        for (int i = 0; i < pending.size(); i++) {
            Request request = pending.get(i);
            History.Appended appended;
            try {
                appended = History.appended(responses.get(i).get());
            } catch (JedisNoScriptException e) {
                if (noScript.isEmpty()) {
                    noScript = new ArrayList<>();
                }
                noScript.add(request);
                continue;
            } catch (RuntimeException e) {
                // An error reply to this script alone (JedisDataException), or a reply of another shape.
                answer(request, null, new History.Unavailable("cannot store a message in " + request.roomId, e));
                continue;
            }
            answer(request, appended, null);
        }
        return noScript;
    }

    /** The pipeline of a live connection, connecting first if needed; null when that failed and the batch was failed. */
    private Pipeline connected(List<Request> batch) {
        if (connection != null && !connection.isBroken()) {
            return pipeline;
        }
        drop();
        if (connectFailure != null) {
            long sinceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectFailedAt);
            if (sinceMillis < RECONNECT_PAUSE.toMillis()) {
                failAll(batch, ": Redis at " + address + " was unreachable " + sinceMillis + " ms ago", connectFailure);
                return null;
            }
        }
        Connection fresh = null;
        try {
            fresh = new Connection(address, clientConfig);
            sha = load(fresh);
        } catch (JedisException e) {
            if (fresh != null) {
                fresh.close();
            }
            if (!down) {
                log.warn("{}: cannot connect to Redis at {} for appends ({})", nodeId, address, e.getMessage());
                down = true;
            }
            connectFailure = e;
            connectFailedAt = System.nanoTime();
            failAll(batch, ": cannot connect to Redis at " + address, e);
            return null;
        }
        connectFailure = null;
        connection = fresh;
        pipeline = new Pipeline(fresh);
        return pipeline;
    }

    private static String load(Connection on) {
        on.sendCommand(Protocol.Command.SCRIPT, "LOAD", History.APPEND);
        return on.getBulkReply();
    }

    private void drop() {
        if (connection != null) {
            connection.close();
        }
        connection = null;
        pipeline = null;
    }

    /** Fails every request not answered yet with "cannot store a message in ROOM{@code what}: CAUSE". */
    private void failAll(List<Request> requests, String what, Exception cause) {
        for (Request request : requests) {
            answer(request, null, new History.Unavailable("cannot store a message in " + request.roomId + what, cause));
        }
    }

    private void answer(Request request, History.Appended appended, History.Unavailable failure) {
        if (request.answered) {
            return;
        }
        request.answered = true;
        appends.incrementAndGet();
        try {
            request.done.accept(appended, failure);
        } catch (Throwable t) {
            log.error("{}: the callback of an append to {} threw", nodeId, request.roomId, t);
        }
    }
}
