package dev.chatlab.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * What a {@link ClientBuilder} collected, checked: building a client with settings that
 * cannot work fails here, with the setting named. Null {@code clientId} and {@code deadAfter} become
 * their defaults (16 random hex digits, three heartbeat intervals); see the builder for the others.
 */
record ClientSettings(List<URI> uris, String roomId, String name, Long since, String epoch, String clientId,
                      ClientListener listener, Duration heartbeatInterval, Duration deadAfter, Duration connectTimeout,
                      Duration sendTimeout, Duration backoffBase, Duration backoffCap, Duration soon,
                      RandomGenerator random) {

    ClientSettings {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("give at least one server URI");
        }
        for (URI uri : uris) {
            if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
                throw new IllegalArgumentException("server URIs must be ws:// or wss://, got " + uri);
            }
        }
        if (roomId == null || !Protocol.ROOM_ID.matcher(roomId).matches()) {
            throw new IllegalArgumentException("roomId must be 1-64 characters of A-Z a-z 0-9 _ . -, got '" + roomId + "'");
        }
        if (name != null && (name.isBlank() || name.length() > Protocol.MAX_NAME_CHARS)) {
            throw new IllegalArgumentException("name must be 1-" + Protocol.MAX_NAME_CHARS + " characters");
        }
        if (clientId != null && !Protocol.CLIENT_ID.matcher(clientId).matches()) {
            throw new IllegalArgumentException("clientId must be 1-40 characters of A-Z a-z 0-9 _ . : -");
        }
        if (since != null && since < 0) {
            throw new IllegalArgumentException("since must be >= 0");
        }
        requirePositive("heartbeat interval", heartbeatInterval);
        if (deadAfter != null) {
            requirePositive("deadAfter", deadAfter);
        }
        requirePositive("connect timeout", connectTimeout);
        if (sendTimeout.isNegative()) {
            throw new IllegalArgumentException("send timeout must be >= 0");
        }
        uris = List.copyOf(uris);
        if (clientId == null) {
            clientId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        }
        if (deadAfter == null) {
            deadAfter = heartbeatInterval.multipliedBy(3);
        }
    }

    /** A new backoff of these settings: each user of one keeps its own count of attempts. */
    Backoff backoff() {
        return new Backoff(backoffBase, backoffCap, soon, random);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }
}
