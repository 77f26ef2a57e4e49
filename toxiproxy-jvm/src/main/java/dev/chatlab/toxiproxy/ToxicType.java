package dev.chatlab.toxiproxy;

import java.util.List;
import java.util.Optional;

/** The toxics this server knows, with the attributes each one reports (all of them, as Toxiproxy does). */
enum ToxicType {
    LATENCY("latency", List.of("latency", "jitter")),
    TIMEOUT("timeout", List.of("timeout")),
    RESET_PEER("reset_peer", List.of("timeout")),
    BANDWIDTH("bandwidth", List.of("rate")),
    LIMIT_DATA("limit_data", List.of("bytes"));

    private final String wireName;
    private final List<String> attributes;

    ToxicType(String wireName, List<String> attributes) {
        this.wireName = wireName;
        this.attributes = attributes;
    }

    String wireName() {
        return wireName;
    }

    List<String> attributes() {
        return attributes;
    }

    static Optional<ToxicType> parse(String wireName) {
        for (ToxicType type : values()) {
            if (type.wireName.equals(wireName)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
