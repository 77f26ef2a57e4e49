package dev.chatlab.client;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells the application's {@link ClientListener}, on the client's thread; a callback that throws is logged and the client goes on. */
final class Emitter {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);

    private final String clientId;
    private final ClientListener listener;

    Emitter(String clientId, ClientListener listener) {
        this.clientId = clientId;
        this.listener = listener;
    }

    void emit(Consumer<ClientListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            log.warn("{}: listener failed", clientId, e);
        }
    }
}
