package dev.chatlab.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.resps.Tuple;

/**
 * Every room's history in Redis, shared by all nodes: a seq counter, a bounded log (a sorted set
 * scored by seq) and an epoch. Appending a message and publishing it to the room's channel is one
 * Lua script, so nothing is published without being stored, nor stored without a seq.
 */
final class History implements AutoCloseable {

    /** A stored message: its seq, the history's epoch, when it was sent, and the payload JSON exactly as stored and published. */
    record Message(String roomId, long seq, String epoch, long sentAt, String json) {
    }

    /** Where a room's history stands: its newest seq, its epoch, and the oldest seq still kept. */
    record Head(long seq, String epoch, long oldest) {
    }

    /** The outcome of an append: {@code duplicate} when the clientMsgId was already stored as {@code seq}. */
    record Appended(long seq, boolean duplicate) {
    }

    /** Redis could not be reached or did not answer in time; the caller answers {@code unavailable}. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String what, Exception cause) {
            super(what + ": " + cause.getMessage(), cause);
        }

        /** Refused without asking Redis, e.g. because the node is stopping or too many appends wait. */
        Unavailable(String what) {
            super(what);
        }
    }

    /**
     * Stores and publishes one message. KEYS as {@link #appendKeys}: seq, log, epoch, dedupe. ARGV as
     * {@link #appendArgs}: payload JSON without seq/epoch, channel, log length, a fresh epoch in case the
     * room has none, dedupe window (ms), "1" when the send has a clientMsgId. Replies {seq, duplicate}.
     */
    static final String APPEND = """
            if ARGV[6] == '1' then
              local seen = redis.call('GET', KEYS[4])
              if seen then return {tonumber(seen), 1} end
            end
            local epoch = redis.call('GET', KEYS[3])
            if not epoch then
              epoch = ARGV[4]
              redis.call('SET', KEYS[3], epoch)
            end
            local seq = redis.call('INCR', KEYS[1])
            local entry = '{"seq":' .. seq .. ',"epoch":"' .. epoch .. '",' .. string.sub(ARGV[1], 2)
            redis.call('ZADD', KEYS[2], seq, entry)
            local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
            if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1) end
            if ARGV[6] == '1' then redis.call('SET', KEYS[4], seq, 'PX', ARGV[5]) end
            redis.call('PUBLISH', ARGV[2], entry)
            return {seq, 0}
            """;

    // KEYS: seq, log, epoch. ARGV: a fresh epoch in case the room has none.
    private static final String HEAD = """
            local epoch = redis.call('GET', KEYS[3])
            if not epoch then
              epoch = ARGV[1]
              redis.call('SET', KEYS[3], epoch)
            end
            local seq = redis.call('GET', KEYS[1]) or '0'
            local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
            return {seq, epoch, oldest[2] or '0'}
            """;

    /** A Lua script, and its SHA once Redis has loaded it (Redis may forget it: it is loaded again then). */
    static final class Script {
        final String source;
        private volatile String sha;

        Script(String source) {
            this.source = source;
        }
    }

    private final RedisClient redis;
    private final int historyLength;
    private final long dedupeWindowMillis;
    private final Script appendScript = new Script(APPEND);
    private final Script headScript = new Script(HEAD);

    History(String host, int port, Duration commandTimeout, int historyLength, Duration dedupeWindow) {
        this.historyLength = historyLength;
        this.dedupeWindowMillis = dedupeWindow.toMillis();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(32);
        pool.setMaxWait(commandTimeout);
        this.redis = RedisClient.builder()
                .hostAndPort(host, port)
                .clientConfig(clientConfig(commandTimeout, null))
                .poolConfig(pool)
                .build();
    }

    static JedisClientConfig clientConfig(Duration timeout, String clientName) {
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) timeout.toMillis())
                .socketTimeoutMillis((int) timeout.toMillis());
        if (clientName != null) {
            builder.clientName(clientName);
        }
        return builder.build();
    }

    static String channel(String roomId) {
        return "chat:room:" + roomId;
    }

    /** The room id a {@link #channel} names. */
    static String roomOf(String channel) {
        return channel.substring("chat:room:".length());
    }

    static String key(String roomId, String part) {
        // The hash tag keeps a room's keys in one slot, should the keys ever move to a Redis cluster.
        return "chat:{" + roomId + "}:" + part;
    }

    /**
     * Stores and publishes a message in one step. {@code payloadJson} is the message object without
     * seq and epoch, which the script puts in front; with a clientMsgId seen within the dedupe window
     * nothing is stored or published again and the first seq comes back.
     */
    Appended append(String roomId, String payloadJson, String clientMsgId) {
        Object reply = eval(appendScript, appendKeys(roomId, clientMsgId),
                appendArgs(roomId, payloadJson, clientMsgId, historyLength, dedupeWindowMillis), "store a message in " + roomId);
        return appended(reply);
    }

    /** The KEYS of {@link #APPEND} for one message. */
    static List<String> appendKeys(String roomId, String clientMsgId) {
        return List.of(key(roomId, "seq"), key(roomId, "log"), key(roomId, "epoch"),
                key(roomId, "msg:" + (clientMsgId == null ? "" : clientMsgId)));
    }

    /** The ARGV of {@link #APPEND} for one message, with a fresh epoch in case the room has none yet. */
    static List<String> appendArgs(String roomId, String payloadJson, String clientMsgId, int historyLength,
                                   long dedupeWindowMillis) {
        return List.of(payloadJson, channel(roomId), String.valueOf(historyLength), newEpoch(),
                String.valueOf(dedupeWindowMillis), clientMsgId == null ? "0" : "1");
    }

    /** What {@link #APPEND} replied: {seq, 1 when the clientMsgId was already stored}. */
    static Appended appended(Object reply) {
        List<?> values = (List<?>) reply;
        return new Appended((Long) values.get(0), ((Long) values.get(1)) == 1L);
    }

    Head head(String roomId) {
        List<?> reply = (List<?>) eval(headScript, List.of(key(roomId, "seq"), key(roomId, "log"), key(roomId, "epoch")),
                List.of(newEpoch()), "read the head of " + roomId);
        return new Head(Long.parseLong((String) reply.get(0)), (String) reply.get(1),
                (long) Double.parseDouble((String) reply.get(2)));
    }

    /** Up to {@code limit} messages with seq greater than {@code after}, oldest first. */
    List<Message> after(String roomId, long after, int limit) {
        try {
            return messages(roomId, redis.zrangeByScoreWithScores(key(roomId, "log"), "(" + after, "+inf", 0, limit));
        } catch (JedisException e) {
            throw new Unavailable("cannot read " + roomId, e);
        }
    }

    /** The {@code limit} newest messages with seq less than {@code before}, oldest first. */
    List<Message> before(String roomId, long before, int limit) {
        try {
            List<Tuple> newestFirst = new ArrayList<>(redis.zrevrangeByScoreWithScores(
                    key(roomId, "log"), "(" + before, "-inf", 0, limit));
            Collections.reverse(newestFirst);
            return messages(roomId, newestFirst);
        } catch (JedisException e) {
            throw new Unavailable("cannot read " + roomId, e);
        }
    }

    private static List<Message> messages(String roomId, List<Tuple> tuples) {
        List<Message> messages = new ArrayList<>(tuples.size());
        for (Tuple t : tuples) {
            messages.add(parse(roomId, t.getElement()));
        }
        return messages;
    }

    /**
     * Reads seq, epoch and sentAt from a stored entry in one pass of Jackson's streaming parser (nested values are
     * skipped, no tree is built); the JSON itself is kept as stored, to be sent on as it is.
     */
    static Message parse(String roomId, String json) {
        long seq = 0;
        long sentAt = 0;
        String epoch = "";
        try (JsonParser parser = Protocol.JSON.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("a stored message of " + roomId + " is not a JSON object: " + json);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "seq" -> seq = parser.getValueAsLong();
                    case "sentAt" -> sentAt = parser.getValueAsLong();
                    case "epoch" -> epoch = value == JsonToken.VALUE_STRING ? parser.getText() : "";
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("a stored message of " + roomId + " is not JSON: " + json, e);
        }
        return new Message(roomId, seq, epoch, sentAt, json);
    }

    void publish(String channel, String message) {
        try {
            redis.publish(channel, message);
        } catch (JedisException e) {
            throw new Unavailable("cannot publish on " + channel, e);
        }
    }

    boolean ping() {
        try {
            return "PONG".equals(redis.ping());
        } catch (JedisException e) {
            return false;
        }
    }

    /**
     * Runs a script through this node's pool of connections (presence's scripts share it), loading it first when
     * Redis does not know it yet; a failure is {@link Unavailable}, "cannot WHAT: why".
     */
    Object eval(Script script, List<String> keys, List<String> args, String what) {
        try {
            String sha = script.sha;
            if (sha != null) {
                try {
                    return redis.evalsha(sha, keys, args);
                } catch (JedisNoScriptException e) {
                    // Redis restarted (or was flushed) and forgot its script cache: load it again below.
                }
            }
            sha = redis.scriptLoad(script.source);
            script.sha = sha;
            return redis.evalsha(sha, keys, args);
        } catch (JedisException e) {
            throw new Unavailable("cannot " + what, e);
        }
    }

    /**
     * A fresh epoch, in case the room has none yet: 8 hex digits. Every append carries one, so it is drawn from a
     * fast generator rather than {@code UUID.randomUUID()}'s secure one (an epoch only tells one history from the
     * next; nothing is guarded by guessing it).
     */
    private static String newEpoch() {
        // A 9th digit set above 32 random bits, then dropped: always 8 digits, leading zeros kept.
        return Long.toHexString((ThreadLocalRandom.current().nextInt() & 0xffffffffL) | 0x1_0000_0000L).substring(1);
    }

    @Override
    public void close() {
        redis.close();
    }
}
