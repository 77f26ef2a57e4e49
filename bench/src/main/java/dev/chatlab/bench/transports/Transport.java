package dev.chatlab.bench.transports;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The four ways step 0 delivers a message, by the names the command line uses. */
public enum Transport {
    SHORT_POLLING("short", "short polling"),
    LONG_POLLING("long", "long polling"),
    SSE("sse", "server-sent events"),
    WEBSOCKET("ws", "WebSocket");

    private final String key;
    private final String label;

    Transport(String key, String label) {
        this.key = key;
        this.label = label;
    }

    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    public static Transport byKey(String key) {
        return Arrays.stream(values()).filter(t -> t.key.equalsIgnoreCase(key.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no transport '" + key + "'; the transports are "
                        + Arrays.stream(values()).map(Transport::key).collect(Collectors.joining(", "))));
    }
}
