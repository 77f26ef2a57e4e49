package dev.chatlab.toxiproxy;

import java.util.Locale;

/** Which way a toxic acts, or bytes go: {@code upstream} is client to server, {@code downstream} server to client. */
public enum Direction {
    UPSTREAM,
    DOWNSTREAM;

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Direction parse(String value) throws ApiError {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "upstream" -> UPSTREAM;
            case "downstream" -> DOWNSTREAM;
            default -> throw ApiError.INVALID_STREAM;
        };
    }
}
