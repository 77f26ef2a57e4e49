package dev.chatlab.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/** The node's numbers, served at {@code GET /metrics} in Prometheus' text format. */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Counter framesIn;
    final Counter framesOut;
    final Counter published;
    final Counter delivered;
    final Counter backfilled;
    final Counter slowConsumers;
    final Counter deadClients;
    final Counter resubscriptions;
    final Counter abusers;
    final Timer deliveryLatency;
    final Counter presenceJoins;
    final Counter presenceLeaves;
    final Counter presenceSyncs;
    final Counter typingRelayed;
    final Counter typingDropped;

    Metrics(String nodeId) {
        registry.config().commonTags("node", nodeId);
        framesIn = Counter.builder("chat.frames.in").description("frames received from clients").register(registry);
        framesOut = Counter.builder("chat.frames.out").description("frames queued to clients").register(registry);
        published = Counter.builder("chat.messages.published").description("messages this node stored and published")
                .register(registry);
        delivered = Counter.builder("chat.messages.delivered").description("messages delivered to members of this node")
                .register(registry);
        backfilled = Counter.builder("chat.messages.backfilled")
                .description("messages this node fetched from history because its subscription missed them")
                .register(registry);
        slowConsumers = Counter.builder("chat.connections.slow.closed")
                .description("connections closed with 4008 because their outgoing queue overflowed").register(registry);
        deadClients = Counter.builder("chat.connections.dead.closed")
                .description("connections dropped because their client's heartbeats stopped").register(registry);
        resubscriptions = Counter.builder("chat.redis.resubscriptions")
                .description("times the node lost its Redis subscription and subscribed again").register(registry);
        abusers = Counter.builder("chat.connections.abusive.closed")
                .description("connections closed with 1008 because they kept sending past their rate limit").register(registry);
        presenceJoins = presenceEvents("join");
        presenceLeaves = presenceEvents("leave");
        presenceSyncs = presenceEvents("sync");
        typingRelayed = Counter.builder("chat.typing.relayed")
                .description("typing signals this node took from its clients and published to their rooms").register(registry);
        typingDropped = Counter.builder("chat.typing.dropped")
                .description("typing signals dropped: sent within the typing interval of the last, or with the relay full")
                .register(registry);
        // Heap and other memory pools: what a 10 MB frame would show up in if it were buffered.
        new JvmMemoryMetrics().bindTo(registry);
        deliveryLatency = Timer.builder("chat.delivery.latency")
                .description("from the sender's node storing a message to this node delivering it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    private Counter presenceEvents(String event) {
        return Counter.builder("chat.presence.events").tag("event", event)
                .description("presence events this node published (join, leave), and member lists it sent (sync)")
                .register(registry);
    }

    /** A handshake refused before the upgrade, by reason: tls, origin, token, capacity. */
    void refused(String reason) {
        registry.counter("chat.handshakes.refused", "reason", reason).increment();
    }

    void error(String code) {
        registry.counter("chat.errors", "code", code).increment();
    }

    void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    String scrape() {
        return registry.scrape();
    }
}
