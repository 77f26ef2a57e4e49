package dev.chatlab.testkit.haproxy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's HAProxy configurations, and copies of them pointed at a given list of nodes: the
 * {@code server node-...} lines are replaced by one line per node, exactly as {@code ./lab up} does.
 */
public final class HaproxyConfig {
    /** System property naming the directory that holds {@code haproxy.cfg}, when it is not found by itself. */
    public static final String DIR_PROPERTY = "chatlab.haproxy.dir";

    // "server node-<anything> <address> [options...]": the first such line is the template for every node.
    private static final Pattern NODE_LINE = Pattern.compile("^(\\s*)server\\s+node-\\S*\\s+\\S+(?:\\s+(.*?))?\\s*$");
    private static final Pattern ADDRESS = Pattern.compile("[^\\s\"#]+:\\d{1,5}");

    private HaproxyConfig() {
    }

    /**
     * The repository's {@code haproxy/} directory: {@value #DIR_PROPERTY} if set, otherwise the first
     * {@code haproxy/} with a {@code haproxy.cfg} in the module's directory or one of its parents.
     */
    public static Path directory() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(dir.resolve(Balancing.LEAST_CONNECTIONS.fileName()))) {
                throw new IllegalStateException(DIR_PROPERTY + "=" + configured + " holds no "
                        + Balancing.LEAST_CONNECTIONS.fileName());
            }
            return dir;
        }
        // Surefire and failsafe set basedir to the module being tested; the haproxy/ directory is its sibling.
        Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("haproxy");
            if (Files.isRegularFile(candidate.resolve(Balancing.LEAST_CONNECTIONS.fileName()))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no haproxy/" + Balancing.LEAST_CONNECTIONS.fileName() + " in " + start
                + " or any directory above it; set -D" + DIR_PROPERTY + "=<the repository's haproxy directory>");
    }

    /** The checked-in configuration for {@code balancing}. */
    public static Path file(Balancing balancing) {
        return directory().resolve(balancing.fileName());
    }

    /** {@code host:port} as a node address for a {@code server} line; the IP address when it is resolved. */
    public static String address(InetSocketAddress node) {
        String host = node.isUnresolved() ? node.getHostString() : node.getAddress().getHostAddress();
        return host + ":" + node.getPort();
    }

    /**
     * {@code template} with its {@code server node-...} lines replaced by one line per node, at the
     * place of the first: {@code server node-<i> <address>}, followed by the first line's options.
     *
     * @param nodes {@code host:port} of each node; the i-th (from 1) is called {@code node-i}
     * @throws IllegalArgumentException when there is no node, an address is not {@code host:port},
     *                                  or the template has no {@code server node-...} line
     */
    public static String render(String template, List<String> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("HAProxy needs at least one node to send clients to");
        }
        for (String node : nodes) {
            if (node == null || !ADDRESS.matcher(node).matches()) {
                throw new IllegalArgumentException("a node address is host:port, got '" + node + "'");
            }
        }
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (String line : template.split("\n", -1)) {
            Matcher server = NODE_LINE.matcher(line);
            if (!server.matches()) {
                out.add(line);
                continue;
            }
            if (replaced) {
                continue;
            }
            replaced = true;
            String indent = server.group(1);
            String options = server.group(2) == null ? "" : " " + server.group(2);
            for (int i = 0; i < nodes.size(); i++) {
                out.add(indent + "server node-" + (i + 1) + " " + nodes.get(i) + options);
            }
        }
        if (!replaced) {
            throw new IllegalArgumentException("the template has no 'server node-...' line to repeat for each node");
        }
        return String.join("\n", out);
    }
}
