package dev.chatlab.testkit.haproxy;

/** How HAProxy picks a node for a new connection: one of the repository's two configurations. */
public enum Balancing {
    /** {@code haproxy/haproxy.cfg}: the node with the fewest open connections, in turns among equals. */
    LEAST_CONNECTIONS("haproxy.cfg"),
    /** {@code haproxy/haproxy-affinity.cfg}: the {@code roomId} query parameter, consistently hashed. */
    ROOM_AFFINITY("haproxy-affinity.cfg");

    private final String fileName;

    Balancing(String fileName) {
        this.fileName = fileName;
    }

    /** The configuration's file name in the repository's {@code haproxy/} directory. */
    public String fileName() {
        return fileName;
    }
}
