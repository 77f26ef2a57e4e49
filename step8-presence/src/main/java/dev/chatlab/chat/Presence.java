package dev.chatlab.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in each room, across nodes: state that is temporary, unordered and fine to lose, so it lives apart from the
 * message log, with no seq and no replay.
 *
 * <p><b>In Redis</b>, per room (the keys share the room's hash tag, like its history): a sorted set
 * {@code chat:{R}:presence} of entries {@code name\nnode}, each scored with the time it expires (Redis's own clock,
 * so the nodes' clocks do not matter), and a hash {@code chat:{R}:present} counting each name's entries. Every change
 * and the event it causes are one script: a name's first entry publishes {@code join} on {@code chat:presence:R}, its
 * last one gone publishes {@code leave}. A node refreshes its entries every ttl/3 (a heartbeat); a node that dies stops
 * refreshing, its entries expire, and the sweep of any node with members in the room removes them and publishes the
 * leaves, each once (only the script that removed an entry counts it).
 *
 * <p><b>On this node</b>, per room: each name's local connections, and its leave if one is waiting. The last
 * connection of a name going schedules its leave after the leave delay, and a join of that name here before then
 * cancels it: a reconnect within the delay, here or on another node, shows no leave (the other node's entry keeps the
 * name present). Every Redis call for a room runs under that room's lock ({@link Rooms#lockFor}), so a refresh can
 * never re-add an entry a leave just removed, and a {@code joined} sent under the lock is never overtaken by an event
 * its member list already holds. Refreshes, sweeps, leaves and syncs run on this class's own thread, never on Jetty's
 * nor on the delivery thread.
 *
 * <p><b>Typing</b> is relayed fire-and-forget: published on {@code chat:typing:R} from a small queue of its own (a
 * full queue drops the signal), never stored.
 */
final class Presence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Presence.class);
    /** Typing signals waiting to be published at most; past it they are dropped. */
    private static final int TYPING_QUEUE = 1_000;

    /**
     * JOIN (and REFRESH). KEYS: the room's presence zset, its present hash. ARGV: node, ttl (ms), the room's presence
     * channel, room id, "1" to answer the members, then the names. For each name: an entry absent from the zset counts
     * once more in the hash, and publishes {@code join} when that made it 1; the entry is (re)scored now + ttl. An entry
     * still there but expired and not yet swept is only re-scored: no count, no event. Replies {joins published, then
     * with "1" the names of unexpired entries, each once}.
     */
    static final String JOIN = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[2])
            local joins = 0
            for i = 6, #ARGV do
              local entry = ARGV[i] .. '\\n' .. ARGV[1]
              if not redis.call('ZSCORE', KEYS[1], entry) then
                if redis.call('HINCRBY', KEYS[2], ARGV[i], 1) == 1 then
                  redis.call('PUBLISH', ARGV[3], '{"type":"presence","payload":{"roomId":' .. cjson.encode(ARGV[4])
                    .. ',"event":"join","name":' .. cjson.encode(ARGV[i]) .. '}}')
                  joins = joins + 1
                end
              end
              redis.call('ZADD', KEYS[1], now + ttl, entry)
            end
            redis.call('PEXPIRE', KEYS[1], ttl * 2)
            redis.call('PEXPIRE', KEYS[2], ttl * 2)
            local reply = {joins}
            if ARGV[5] == '1' then
              local seen = {}
              for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
                local name = string.sub(e, 1, string.find(e, '\\n', 1, true) - 1)
                if not seen[name] then
                  seen[name] = true
                  reply[#reply + 1] = name
                end
              end
            end
            return reply
            """;

    /**
     * LEAVE. KEYS as {@link #JOIN}. ARGV: node, name, channel, room id. Removes the name's entry of this node; if that
     * was the name's last entry, publishes {@code leave}. Replies 1 when it published, else 0.
     */
    static final String LEAVE = """
            if redis.call('ZREM', KEYS[1], ARGV[2] .. '\\n' .. ARGV[1]) == 0 then return 0 end
            if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) > 0 then return 0 end
            redis.call('HDEL', KEYS[2], ARGV[2])
            redis.call('PUBLISH', ARGV[3], '{"type":"presence","payload":{"roomId":' .. cjson.encode(ARGV[4])
              .. ',"event":"leave","name":' .. cjson.encode(ARGV[2]) .. '}}')
            return 1
            """;

    /**
     * SWEEP. KEYS as {@link #JOIN}. ARGV: channel, room id. Removes up to 100 expired entries (any node's); each
     * name whose last entry that was publishes {@code leave}. Replies the number of leaves published.
     */
    static final String SWEEP = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local leaves = 0
            for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)) do
              redis.call('ZREM', KEYS[1], e)
              local name = string.sub(e, 1, string.find(e, '\\n', 1, true) - 1)
              if redis.call('HINCRBY', KEYS[2], name, -1) <= 0 then
                redis.call('HDEL', KEYS[2], name)
                redis.call('PUBLISH', ARGV[1], '{"type":"presence","payload":{"roomId":' .. cjson.encode(ARGV[2])
                  .. ',"event":"leave","name":' .. cjson.encode(name) .. '}}')
                leaves = leaves + 1
              end
            end
            return leaves
            """;

    /** MEMBERS. KEYS: the room's presence zset. Replies the names of its unexpired entries, each once. */
    static final String MEMBERS = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local reply = {}
            local seen = {}
            for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
              local name = string.sub(e, 1, string.find(e, '\\n', 1, true) - 1)
              if not seen[name] then
                seen[name] = true
                reply[#reply + 1] = name
              end
            end
            return reply
            """;

    /** One name in one room on this node: its connections here, and its leave while one waits. Guarded by the room's lock. */
    private static final class Local {
        int connections;
        /** The waiting leave, and what tells it from a later one: a leave runs only if it is still the one waiting. */
        ScheduledFuture<?> leave;
        Object ticket;
    }

    private final History history;
    private final Rooms rooms;
    private final Metrics metrics;
    private final String node;
    private final ChatConfig.PresenceSettings settings;
    private final String ttlMillis;
    /** Room id → name → its connections here. The inner maps, and adding or removing a room, under the room's lock. */
    private final Map<String, Map<String, Local>> local = new ConcurrentHashMap<>();
    private final History.Script joinScript = new History.Script(JOIN);
    private final History.Script leaveScript = new History.Script(LEAVE);
    private final History.Script sweepScript = new History.Script(SWEEP);
    private final History.Script membersScript = new History.Script(MEMBERS);
    private final ScheduledExecutorService thread;
    private final ThreadPoolExecutor typing;
    /** Whether Redis failed the last refresh or sweep: an outage is logged once, not every pass. The presence thread's. */
    private boolean failing;
    private volatile boolean closed;

    Presence(ChatConfig config, History history, Rooms rooms, Metrics metrics) {
        this.history = history;
        this.rooms = rooms;
        this.metrics = metrics;
        this.node = config.nodeId();
        this.settings = config.presence();
        this.ttlMillis = String.valueOf(settings.ttl().toMillis());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, node + "-presence");
            t.setDaemon(true);
            return t;
        });
        this.typing = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(TYPING_QUEUE), r -> {
            Thread t = new Thread(r, node + "-typing");
            t.setDaemon(true);
            return t;
        });
    }

    static String channel(String roomId) {
        return "chat:presence:" + roomId;
    }

    static String typingChannel(String roomId) {
        return "chat:typing:" + roomId;
    }

    private static List<String> keys(String roomId) {
        return List.of(History.key(roomId, "presence"), History.key(roomId, "present"));
    }

    /** Starts the refresh (every ttl/3) and the sweep (every min(500 ms, ttl/3)). */
    void start() {
        long refresh = settings.refreshInterval().toMillis();
        long sweep = settings.sweepInterval().toMillis();
        thread.scheduleWithFixedDelay(() -> guarded("refresh", this::refresh), refresh, refresh, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(() -> guarded("sweep", this::sweep), sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /**
     * A connection of {@code name} joins {@code roomId} on this node: runs JOIN (whether or not the name already has
     * connections here, so its entry is fresh), cancels the name's waiting leave, and answers the room's members,
     * sorted, the name included. Hold the room's lock. Redis failing throws {@link History.Unavailable}, and nothing
     * is counted.
     */
    List<String> join(String roomId, String name) {
        List<String> args = new ArrayList<>(6);
        args.addAll(List.of(node, ttlMillis, channel(roomId), roomId, "1", name));
        List<?> reply = (List<?>) history.eval(joinScript, keys(roomId), args, "join " + roomId);
        count(roomId, name, local.computeIfAbsent(roomId, id -> new HashMap<>()).computeIfAbsent(name, n -> new Local()), 1);
        metrics.presenceJoins.increment((Long) reply.get(0));
        return sorted(reply.subList(1, reply.size()));
    }

    /**
     * A connection of {@code name} left {@code roomId} (a leave, a move to another room, a close). The name's last
     * connection here schedules its LEAVE after the leave delay. Hold the room's lock. A node that is stopping
     * schedules nothing: its entries expire.
     */
    void left(String roomId, String name) {
        Map<String, Local> names = local.get(roomId);
        Local entry = names == null ? null : names.get(name);
        if (entry != null) {
            count(roomId, name, entry, -1);
        }
    }

    /**
     * Counts a connection of {@code name} into ({@code change} 1) or out of (-1) {@code roomId} on this node. One
     * coming in cancels the name's waiting leave: a reconnect within the leave delay shows no leave. The last going out
     * schedules the name's leave after the delay, on the presence thread, with a fresh ticket: a leave runs only if it
     * is still the one waiting when its time comes ({@link #leave}). Hold the room's lock.
     */
    private void count(String roomId, String name, Local entry, int change) {
        // exercise:begin leave-delay: count the connection in or out (entry.connections); one coming in cancels the name's waiting leave (entry.leave, and its entry.ticket); when the last goes out, schedule leave(roomId, name, ticket) on the presence thread after settings.leaveDelay(), with a fresh ticket kept in entry.ticket (unless the node is closed)
        // exercise:stub entry.connections += change;
        entry.connections += change;
        if (change > 0) {
            if (entry.leave != null) {
                entry.leave.cancel(false);
                entry.leave = null;
                entry.ticket = null;
            }
            return;
        }
        if (entry.connections > 0 || closed) {
            return;
        }
        Object ticket = new Object();
        entry.ticket = ticket;
        try {
            entry.leave = thread.schedule(() -> guarded("leave", () -> leave(roomId, name, ticket)),
                    settings.leaveDelay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: the entry expires.
        }
        // exercise:end leave-delay
    }

    /** Runs the waiting leave of {@code name}, unless a join of the name here came first. The presence thread's. */
    private void leave(String roomId, String name, Object ticket) {
        synchronized (rooms.lockFor(roomId)) {
            Map<String, Local> names = local.get(roomId);
            Local entry = names == null ? null : names.get(name);
            if (entry == null || entry.ticket != ticket || entry.connections > 0) {
                return;
            }
            names.remove(name);
            if (names.isEmpty()) {
                local.remove(roomId);
            }
            try {
                Long published = (Long) history.eval(leaveScript, keys(roomId), List.of(node, name, channel(roomId), roomId),
                        "leave " + roomId);
                metrics.presenceLeaves.increment(published);
            } catch (History.Unavailable e) {
                // No longer refreshed, the entry expires, and a sweep publishes the leave.
                log.warn("{}: the leave of {} from {} waits for its entry to expire: {}", node, Logs.clean(name), roomId,
                        e.getMessage());
            }
        }
    }

    /** Refreshes every entry of this node: one JOIN per room, its names together. The presence thread's. */
    private void refresh() {
        for (String roomId : local.keySet()) {
            if (closed) {
                return;
            }
            synchronized (rooms.lockFor(roomId)) {
                Map<String, Local> names = local.get(roomId);
                if (names == null || names.isEmpty()) {
                    continue;
                }
                List<String> args = new ArrayList<>(5 + names.size());
                args.addAll(List.of(node, ttlMillis, channel(roomId), roomId, "0"));
                args.addAll(names.keySet());
                if (!redis(() -> {
                    List<?> reply = (List<?>) history.eval(joinScript, keys(roomId), args, "refresh " + roomId);
                    // Joins here mean the entries had gone (swept while this node was paused, or Redis lost them).
                    metrics.presenceJoins.increment((Long) reply.get(0));
                })) {
                    return;
                }
            }
        }
    }

    /** Removes the expired entries (any node's) of this node's rooms, publishing the leaves. The presence thread's. */
    private void sweep() {
        for (String roomId : local.keySet()) {
            if (closed) {
                return;
            }
            synchronized (rooms.lockFor(roomId)) {
                if (!local.containsKey(roomId)) {
                    continue;
                }
                if (!redis(() -> metrics.presenceLeaves.increment((Long) history.eval(sweepScript, keys(roomId),
                        List.of(channel(roomId), roomId), "sweep " + roomId)))) {
                    return;
                }
            }
        }
    }

    /** Runs one Redis call of a pass; false when Redis failed it (the pass stops, the next one tries again). */
    private boolean redis(Runnable call) {
        try {
            call.run();
            if (failing) {
                failing = false;
                log.info("{}: presence reaches Redis again", node);
            }
            return true;
        } catch (History.Unavailable e) {
            if (!failing) {
                failing = true;
                log.warn("{}: presence cannot reach Redis ({}); entries of this node expire after {} ms unless it comes back",
                        node, e.getMessage(), settings.ttl().toMillis());
            }
            return false;
        }
    }

    /** The names present in {@code roomId}, sorted. Redis failing throws {@link History.Unavailable}. */
    List<String> members(String roomId) {
        return sorted((List<?>) history.eval(membersScript, List.of(History.key(roomId, "presence")), List.of(),
                "read the members of " + roomId));
    }

    /**
     * The subscription came back: events published while it was down are lost, so every local room's members get the
     * whole list again, in a {@code presence} {@code sync} (after a refresh of this node's entries, in case Redis lost
     * them).
     */
    void resubscribed() {
        try {
            thread.execute(() -> guarded("sync", this::syncAll));
        } catch (RejectedExecutionException e) {
            // Stopping.
        }
    }

    private void syncAll() {
        for (String roomId : rooms.ids()) {
            if (closed) {
                return;
            }
            synchronized (rooms.lockFor(roomId)) {
                Rooms.Room room = rooms.get(roomId);
                if (room == null) {
                    continue;
                }
                Map<String, Local> names = local.get(roomId);
                List<String> members;
                try {
                    if (names == null || names.isEmpty()) {
                        members = members(roomId);
                    } else {
                        List<String> args = new ArrayList<>(5 + names.size());
                        args.addAll(List.of(node, ttlMillis, channel(roomId), roomId, "1"));
                        args.addAll(names.keySet());
                        List<?> reply = (List<?>) history.eval(joinScript, keys(roomId), args, "sync " + roomId);
                        metrics.presenceJoins.increment((Long) reply.get(0));
                        members = sorted(reply.subList(1, reply.size()));
                    }
                } catch (History.Unavailable e) {
                    log.warn("{}: cannot send the members of {} after subscribing again: {}", node, roomId, e.getMessage());
                    return;
                }
                String frame = Protocol.presenceSync(roomId, members);
                room.members.forEach(member -> member.send(frame));
                metrics.presenceSyncs.increment();
            }
        }
    }

    /**
     * Relays that {@code name} is typing in {@code roomId} to the room's other members on every node: published from
     * the typing queue, fire-and-forget. False when the signal was dropped (the queue is full, or the node stops).
     */
    boolean typing(String roomId, String name) {
        String payload = name + "\n" + Protocol.typing(roomId, name);
        try {
            typing.execute(() -> {
                try {
                    history.publish(typingChannel(roomId), payload);
                } catch (History.Unavailable e) {
                    log.debug("{}: a typing signal was lost: {}", node, e.getMessage());
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static List<String> sorted(Collection<?> names) {
        List<String> list = new ArrayList<>(names.size());
        names.forEach(n -> list.add((String) n));
        list.sort(null);
        return list;
    }

    private void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{}: presence {} failed: {}", node, what, e.toString(), e);
        }
    }

    /**
     * Stops the presence thread and the typing queue. Waiting leaves do not run: the entries of a node that stops
     * expire, so a client that reconnects elsewhere meanwhile shows no leave.
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        typing.shutdownNow();
    }
}
