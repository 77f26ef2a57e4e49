package dev.chatlab.testkit.haproxy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a test wants its HAProxy: a name for its directory and log, the balancing, the nodes behind it,
 * the configuration to start from, and how long it may take to start.
 *
 * @param name         names the fixture directory {@code target/fixtures/<name>-<n>} and the log
 * @param balancing    which of the repository's configurations to use
 * @param nodes        {@code host:port} of each node, in order: the first is {@code node-1}
 * @param template     a configuration to use instead of the repository's one for {@code balancing},
 *                     or null; it must have a {@code server node-...} line (see {@link HaproxyConfig#render})
 * @param startTimeout how long a start or restart may take before it fails with HAProxy's log
 */
public record HaproxyOptions(String name, Balancing balancing, List<String> nodes, Path template,
                             Duration startTimeout) {

    public HaproxyOptions {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("an HAProxy name is letters, digits, '_', '.' and '-': '" + name + "'");
        }
        if (balancing == null) {
            throw new IllegalArgumentException("balancing is required");
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
        nodes = List.copyOf(nodes);
    }

    /** Named "haproxy", least connections, no nodes yet, the repository's configuration, 15 s to start. */
    public static HaproxyOptions defaults() {
        return new HaproxyOptions("haproxy", Balancing.LEAST_CONNECTIONS, List.of(), null, Duration.ofSeconds(15));
    }

    public HaproxyOptions withName(String name) {
        return new HaproxyOptions(name, balancing, nodes, template, startTimeout);
    }

    public HaproxyOptions withBalancing(Balancing balancing) {
        return new HaproxyOptions(name, balancing, nodes, template, startTimeout);
    }

    public HaproxyOptions withNodes(List<InetSocketAddress> nodes) {
        return new HaproxyOptions(name, balancing, nodes.stream().map(HaproxyConfig::address).toList(), template,
                startTimeout);
    }

    /** The nodes as {@code host:port} strings, e.g. {@code withNodeAddresses("127.0.0.1:3001", "127.0.0.1:3002")}. */
    public HaproxyOptions withNodeAddresses(String... nodes) {
        return new HaproxyOptions(name, balancing, List.of(nodes), template, startTimeout);
    }

    public HaproxyOptions withTemplate(Path template) {
        return new HaproxyOptions(name, balancing, nodes, template, startTimeout);
    }

    public HaproxyOptions withStartTimeout(Duration startTimeout) {
        return new HaproxyOptions(name, balancing, nodes, template, startTimeout);
    }

    /** The configuration to render: {@link #template()} if set, else the repository's for {@link #balancing()}. */
    Path templateOrDefault() {
        return template != null ? template : HaproxyConfig.file(balancing);
    }
}
