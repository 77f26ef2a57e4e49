package dev.chatlab.toxiproxy;

import java.net.InetSocketAddress;

/** A {@code host:port} as Toxiproxy writes it in {@code listen} and {@code upstream} ({@code [v6]:port} for IPv6). */
record HostPort(String host, int port) {

    /** Where a proxy listens when {@code listen} names no host: loopback, never every interface. */
    static final String DEFAULT_HOST = "127.0.0.1";

    static HostPort parse(String value) {
        if (value == null || value.isEmpty()) {
            return new HostPort(DEFAULT_HOST, 0);
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address " + value + ": missing port in address");
        }
        String host = value.substring(0, colon);
        String port = value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("address " + value + ": too many colons in address");
        }
        try {
            int number = Integer.parseInt(port);
            if (number < 0 || number > 65535) {
                throw new IllegalArgumentException("address " + value + ": invalid port");
            }
            return new HostPort(host.isEmpty() ? DEFAULT_HOST : host, number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address " + value + ": invalid port");
        }
    }

    static HostPort of(InetSocketAddress bound) {
        return new HostPort(bound.getAddress().getHostAddress(), bound.getPort());
    }

    InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
