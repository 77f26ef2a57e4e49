package dev.chatlab.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Settings for a {@link ResilientClient}, from {@link ResilientClient#builder}; every one has a default except the room
 * and the URIs.
 */
public final class ClientBuilder {
    private final String roomId;
    private List<URI> uris;
    private String name;
    private Long since;
    private String epoch;
    private String clientId;
    private ClientListener listener = new ClientListener() {
    };
    private Duration heartbeatInterval = Duration.ofSeconds(5);
    private Duration deadAfter;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration sendTimeout = Duration.ZERO;
    private Duration backoffBase = Duration.ofMillis(250);
    private Duration backoffCap = Duration.ofSeconds(10);
    private Duration soon = Duration.ofSeconds(1);
    private RandomGenerator random = RandomGenerator.getDefault();
    private LongSupplier clock = System::nanoTime;

    ClientBuilder(String roomId, List<URI> uris) {
        this.roomId = roomId;
        this.uris = uris;
    }

    /** The server URIs, tried in turn: each new connection attempt goes to the next one. */
    public ClientBuilder uris(List<URI> newUris) {
        this.uris = List.copyOf(newUris);
        return this;
    }

    /** The name other members see (1-32 characters); the server picks one when not given. */
    public ClientBuilder name(String newName) {
        this.name = newName;
        return this;
    }

    /** Resume from {@code seq} of history {@code epoch} (null when unknown) instead of starting at the room's head. */
    public ClientBuilder resumeFrom(long seq, String historyEpoch) {
        this.since = seq;
        this.epoch = historyEpoch;
        return this;
    }

    /** The prefix of every {@code clientMsgId}; unique per client instance (a random one by default). */
    public ClientBuilder clientId(String newClientId) {
        this.clientId = newClientId;
        return this;
    }

    public ClientBuilder listener(ClientListener newListener) {
        this.listener = Objects.requireNonNull(newListener, "listener");
        return this;
    }

    /** How often to ping (default 5 s); a connection silent for {@code deadAfter} (default 3 × interval) is dropped. */
    public ClientBuilder heartbeat(Duration interval, Duration newDeadAfter) {
        this.heartbeatInterval = interval;
        this.deadAfter = newDeadAfter;
        return this;
    }

    /** How long a connection attempt may take, up to the server's answer to the join (default 5 s). */
    public ClientBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    /** Reconnect delays: attempt n waits random(0, min(cap, base × 2^n)); defaults 250 ms and 10 s. */
    public ClientBuilder backoff(Duration base, Duration cap) {
        this.backoffBase = base;
        this.backoffCap = cap;
        return this;
    }

    /** After close code 1012, reconnect within random(0, {@code within}) (default 1 s). */
    public ClientBuilder reconnectSoonWithin(Duration within) {
        this.soon = within;
        return this;
    }

    /** Give up waiting for an ack after {@code timeout} (the send becomes unknown); {@link Duration#ZERO}, the default, waits for ever. */
    public ClientBuilder sendTimeout(Duration timeout) {
        this.sendTimeout = timeout;
        return this;
    }

    /** The source of the backoff's jitter; seed one to make delays reproducible. */
    public ClientBuilder random(RandomGenerator newRandom) {
        this.random = Objects.requireNonNull(newRandom, "random");
        return this;
    }

    /** The nanosecond clock typing signals are timed by ({@link System#nanoTime()}); for tests. */
    ClientBuilder clock(LongSupplier nanoClock) {
        this.clock = Objects.requireNonNull(nanoClock, "clock");
        return this;
    }

    /** Checks the settings (an {@link IllegalArgumentException} names the one that cannot work) and builds the client. */
    public ResilientClient build() {
        return new ResilientClient(new ClientSettings(uris, roomId, name, since, epoch, clientId, listener,
                heartbeatInterval, deadAfter, connectTimeout, sendTimeout, backoffBase, backoffCap, soon, random), clock);
    }
}
