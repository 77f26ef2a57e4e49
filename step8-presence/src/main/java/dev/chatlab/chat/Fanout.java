package dev.chatlab.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Delivers every room's messages to this node's members, in seq order, once. Messages arrive through
 * one Redis subscription; because plain pub/sub forgets whatever is published while a subscriber is
 * away, a jump in seq (or a new subscription) is filled from the stored history before anything after
 * it is delivered. A subscriber blocked on a dead or frozen Redis never notices by itself, so the node
 * publishes a heartbeat to its own subscription and reconnects when the heartbeat stops arriving.
 *
 * <p>The same subscription carries presence events and typing signals ({@link Presence}): they go through the same
 * inbox and delivery thread, to the room's members here, under the room's lock. They have no seq, so nothing is
 * filled in for them; after a new subscription, each room gets the whole member list again instead.
 */
final class Fanout implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Fanout.class);
    private static final String ROOMS_PATTERN = History.channel("*");
    private static final String PRESENCE_PATTERN = Presence.channel("*");
    private static final String TYPING_PATTERN = Presence.typingChannel("*");
    private static final int PRESENCE_PREFIX = Presence.channel("").length();
    private static final int TYPING_PREFIX = Presence.typingChannel("").length();
    /** The third element of an inbox entry that is not a message: what it is. */
    private static final String PRESENCE = "presence";
    private static final String TYPING = "typing";
    /** Messages read but not yet delivered, at most; past it the subscriber stops reading until there is room. */
    private static final int INBOX_LIMIT = 10_000;
    /** Messages delivered in one round at most, each member's frames of the round written together. */
    private static final int ROUND = 256;
    /**
     * How long a round waits for more messages after its first, so that more of a member's frames share one write.
     * 0 (the default) delivers what is waiting at once; {@code -Dchat.deliveryDelayMicros=N} sets it, for the
     * coalescing experiment in the README (measured there: 1-3 ms saved the delivery thread under 2 µs of about 20 per
     * delivery, and each member's frames wait up to the delay, so it stays off).
     */
    private static final long DELAY_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("chat.deliveryDelayMicros", 0));

    private final ChatConfig config;
    private final History history;
    private final Rooms rooms;
    private final Metrics metrics;
    private final Presence presence;
    private final String heartbeatChannel;
    private final Thread subscriberThread;
    private final Thread deliveryThread;
    /**
     * What the subscription has read and the delivery thread not yet delivered: room id and stored entry for a
     * message; room id, payload and {@link #PRESENCE} or {@link #TYPING} for the others.
     */
    private final BlockingQueue<String[]> inbox = new ArrayBlockingQueue<>(INBOX_LIMIT);
    private final ScheduledExecutorService heartbeat;
    private final CountDownLatch firstSubscription = new CountDownLatch(1);
    private final AtomicLong resubscriptions = new AtomicLong();
    private final AtomicLong backfilled = new AtomicLong();
    private volatile Jedis subscriber;
    private volatile boolean subscribed;
    private volatile long lastHeartbeatNanos = System.nanoTime();
    private volatile boolean running = true;

    Fanout(ChatConfig config, History history, Rooms rooms, Metrics metrics, Presence presence) {
        this.config = config;
        this.history = history;
        this.rooms = rooms;
        this.metrics = metrics;
        this.presence = presence;
        this.heartbeatChannel = "chat:heartbeat:" + config.nodeId();
        this.subscriberThread = new Thread(this::subscribeLoop, config.nodeId() + "-subscriber");
        this.subscriberThread.setDaemon(true);
        this.deliveryThread = new Thread(this::deliveryLoop, config.nodeId() + "-delivery");
        this.deliveryThread.setDaemon(true);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, config.nodeId() + "-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** Subscribes and returns once Redis has confirmed the subscription: a node is not ready before that. */
    void start(Duration timeout) {
        deliveryThread.start();
        subscriberThread.start();
        long interval = config.heartbeatInterval().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, interval, interval, TimeUnit.MILLISECONDS);
        try {
            if (!firstSubscription.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new IllegalStateException("could not subscribe to Redis at " + config.subscriberRedis() + " within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while subscribing", e);
        }
    }

    boolean subscribed() {
        return subscribed;
    }

    long resubscriptions() {
        return resubscriptions.get();
    }

    long backfilled() {
        return backfilled.get();
    }

    private void subscribeLoop() {
        DefaultJedisClientConfig clientConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) config.commandTimeout().toMillis())
                .socketTimeoutMillis((int) config.commandTimeout().toMillis())
                .clientName(config.nodeId() + "-subscriber")
                .autoNegotiateProtocol(false)
                .build();
        while (running) {
            lastHeartbeatNanos = System.nanoTime();
            try (Jedis jedis = new Jedis(config.subscriberRedis().getHost(), config.subscriberRedis().getPort(), clientConfig)) {
                subscriber = jedis;
                // Blocks, with no timeout, for as long as the subscription lasts.
                jedis.psubscribe(new Listener(), ROOMS_PATTERN, PRESENCE_PATTERN, TYPING_PATTERN, heartbeatChannel);
            } catch (JedisException e) {
                if (running) {
                    log.warn("{}: subscription lost ({}); subscribing again in {} ms", config.nodeId(), e.getMessage(),
                            config.resubscribeDelay().toMillis());
                }
            } finally {
                subscribed = false;
                subscriber = null;
            }
            if (running) {
                LockSupport.parkNanos(config.resubscribeDelay().toNanos());
            }
        }
    }

    /** Publishes this node's heartbeat, and drops a subscription that has stopped hearing it. */
    private void beat() {
        try {
            history.publish(heartbeatChannel, "1");
        } catch (History.Unavailable e) {
            log.debug("{}: heartbeat not published: {}", config.nodeId(), e.getMessage());
        }
        long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeartbeatNanos);
        Jedis current = subscriber;
        if (current != null && silentMillis > config.heartbeatTimeout().toMillis()) {
            log.warn("{}: no heartbeat through the subscription for {} ms; dropping it to subscribe again",
                    config.nodeId(), silentMillis);
            lastHeartbeatNanos = System.nanoTime();
            // Closing the socket from here is what wakes a subscriber blocked on a frozen or half-open connection.
            current.disconnect();
        }
    }

    private final class Listener extends JedisPubSub {
        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            // Confirmed once all four patterns are: rooms, presence, typing and the heartbeat.
            if (subscribedChannels < 4) {
                return;
            }
            lastHeartbeatNanos = System.nanoTime();
            subscribed = true;
            if (firstSubscription.getCount() == 0) {
                long n = resubscriptions.incrementAndGet();
                metrics.resubscriptions.increment();
                log.info("{}: subscribed again (#{}); catching up {} rooms from history", config.nodeId(), n, rooms.count());
                // Whatever was published while the subscription was down is only in the stored history.
                if (config.backfill()) {
                    rooms.ids().forEach(Fanout.this::catchUp);
                }
                // And so are presence events: every local room gets its whole member list again.
                presence.resubscribed();
            } else {
                log.info("{}: subscribed to {}", config.nodeId(), config.redis());
                firstSubscription.countDown();
            }
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            // chat:room:, chat:presence:, chat:typing: and chat:heartbeat: differ in their 6th character.
            String[] entry = switch (channel.charAt(5)) {
                case 'r' -> new String[] {History.roomOf(channel), message};
                case 'p' -> new String[] {channel.substring(PRESENCE_PREFIX), message, PRESENCE};
                case 't' -> new String[] {channel.substring(TYPING_PREFIX), message, TYPING};
                default -> null;
            };
            if (entry == null) {
                if (channel.equals(heartbeatChannel)) {
                    lastHeartbeatNanos = System.nanoTime();
                }
                return;
            }
            try {
                // Waits when the delivery thread is INBOX_LIMIT behind: Redis then holds what follows.
                inbox.put(entry);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Delivers what the subscription read, in rounds: every message waiting (up to {@value #ROUND}) is handed to
     * its members' sockets without a write, then each member touched is flushed once, so a member's frames of a
     * round leave in one write instead of one write each. A quiet node's round is one message, written at once.
     */
    private void deliveryLoop() {
        List<String[]> round = new ArrayList<>(ROUND);
        Set<Connection> touched = Collections.newSetFromMap(new IdentityHashMap<>());
        while (running) {
            try {
                String[] first = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                round.add(first);
                inbox.drainTo(round, ROUND - 1);
                if (DELAY_NANOS > 0) {
                    gather(round, System.nanoTime() + DELAY_NANOS);
                }
                for (String[] entry : round) {
                    if (entry.length == 2) {
                        deliver(History.parse(entry[0], entry[1]), touched);
                    } else {
                        signal(entry[0], entry[1], entry[2] == TYPING, touched);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("{}: a round of deliveries failed: {}", config.nodeId(), e.toString(), e);
            } finally {
                touched.forEach(Connection::flush);
                touched.clear();
                round.clear();
            }
        }
    }

    /** Adds what arrives until {@code deadline} (nanoTime) to the round, as long as it has room. */
    private void gather(List<String[]> round, long deadline) throws InterruptedException {
        long left;
        while (round.size() < ROUND && (left = deadline - System.nanoTime()) > 0) {
            String[] next = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            round.add(next);
            inbox.drainTo(round, ROUND - round.size());
        }
    }

    /** Delivers a message that arrived live, first filling any gap before it from the stored history. */
    void deliver(History.Message message) {
        deliver(message, null);
    }

    /**
     * As {@link #deliver(History.Message)}; with {@code touched}, frames are only queued on the members' sockets and
     * the members are added to it for the caller to flush.
     */
    private void deliver(History.Message message, Set<Connection> touched) {
        synchronized (rooms.lockFor(message.roomId())) {
            Rooms.Room room = rooms.get(message.roomId());
            if (room == null) {
                return;
            }
            if (!message.epoch().equals(room.epoch)) {
                resetEpoch(room, message.epoch());
            }
            if (message.seq() <= room.seq) {
                return;
            }
            if (message.seq() > room.seq + 1 && config.backfill()) {
                try {
                    List<History.Message> missing = history.after(room.id, room.seq, (int) (message.seq() - room.seq - 1));
                    backfilled.addAndGet(missing.size());
                    metrics.backfilled.increment(missing.size());
                    missing.forEach(m -> send(room, m, touched));
                } catch (History.Unavailable e) {
                    // Never deliver past a gap: the next message, or the next subscription, tries again.
                    log.warn("{}: cannot fill the gap in {} before seq {}: {}", config.nodeId(), room.id, message.seq(),
                            e.getMessage());
                    return;
                }
            }
            send(room, message, touched);
        }
    }

    /**
     * Sends a presence event or a typing signal to the room's members here, under the room's lock (so a member's
     * {@code joined}, sent under it too, is never overtaken by an event its list already holds). A typing signal's
     * payload is {@code name\nframe}: it skips the connections of that name. Queued only; the caller flushes
     * {@code touched}.
     */
    private void signal(String roomId, String payload, boolean typing, Set<Connection> touched) {
        String sender = null;
        String frame = payload;
        if (typing) {
            int newline = payload.indexOf('\n');
            if (newline < 0) {
                return;
            }
            sender = payload.substring(0, newline);
            frame = payload.substring(newline + 1);
        }
        synchronized (rooms.lockFor(roomId)) {
            Rooms.Room room = rooms.get(roomId);
            if (room == null) {
                return;
            }
            ByteBuffer bytes = null;
            for (Connection member : room.members) {
                if (sender != null && sender.equals(member.presenceName())) {
                    continue;
                }
                if (bytes == null) {
                    bytes = ByteBuffer.wrap(frame.getBytes(StandardCharsets.UTF_8));
                }
                member.share(bytes, true);
                touched.add(member);
            }
        }
    }

    /** Delivers whatever the room's history holds beyond what this node has delivered. */
    void catchUp(String roomId) {
        synchronized (rooms.lockFor(roomId)) {
            Rooms.Room room = rooms.get(roomId);
            if (room == null) {
                return;
            }
            try {
                History.Head head = history.head(roomId);
                if (!head.epoch().equals(room.epoch)) {
                    resetEpoch(room, head.epoch());
                }
                while (room.seq < head.seq()) {
                    List<History.Message> missing = history.after(roomId, room.seq, config.maxReplay());
                    if (missing.isEmpty()) {
                        break;
                    }
                    backfilled.addAndGet(missing.size());
                    metrics.backfilled.increment(missing.size());
                    missing.forEach(m -> send(room, m, null));
                }
            } catch (History.Unavailable e) {
                log.warn("{}: cannot catch up {}: {}", config.nodeId(), roomId, e.getMessage());
            }
        }
    }

    /** Sends one message to every member that has not had it yet (queued only, with {@code touched}). Hold the room's lock. */
    private void send(Rooms.Room room, History.Message message, Set<Connection> touched) {
        if (message.seq() <= room.seq) {
            return;
        }
        // Encoded once for the whole room: every member's frame is a view of the same bytes.
        ByteBuffer frame = ByteBuffer.wrap(Protocol.message(message.json()).getBytes(StandardCharsets.UTF_8));
        int sent = 0;
        for (Connection member : room.members) {
            if (message.seq() > member.lastSeq) {
                if (touched == null) {
                    member.share(frame, false);
                } else {
                    member.share(frame, true);
                    touched.add(member);
                }
                member.lastSeq = message.seq();
                sent++;
            }
        }
        room.seq = message.seq();
        metrics.delivered.increment(sent);
        metrics.deliveryLatency.record(Math.max(0, System.currentTimeMillis() - message.sentAt()), TimeUnit.MILLISECONDS);
    }

    /**
     * The room's history was replaced (Redis lost it): its seqs start again under a new epoch. Members
     * are told, with {@code recovered: false}, instead of silently seeing seqs restart. Hold the room's lock.
     */
    void resetEpoch(Rooms.Room room, String epoch) {
        log.warn("{}: history of {} changed epoch {} -> {}", config.nodeId(), room.id, room.epoch, epoch);
        room.epoch = epoch;
        room.seq = 0;
        String joined = Protocol.joined(room.id, 0, epoch, false, config.nodeId());
        for (Connection member : room.members) {
            member.lastSeq = 0;
            member.send(joined);
        }
    }

    @Override
    public void close() {
        running = false;
        heartbeat.shutdownNow();
        Jedis current = subscriber;
        if (current != null) {
            current.disconnect();
        }
        subscriberThread.interrupt();
        deliveryThread.interrupt();
    }
}
