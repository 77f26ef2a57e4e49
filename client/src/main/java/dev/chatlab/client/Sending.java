package dev.chatlab.client;

import java.util.concurrent.CompletableFuture;

/**
 * One send in flight: completes with the message's seq once the server has stored it, or fails with
 * {@link SendFailedException} (never stored) or {@link SendUnknownException} (may have been stored).
 */
public final class Sending extends CompletableFuture<Long> {
    private final String clientMsgId;
    private final String text;

    Sending(String clientMsgId, String text) {
        this.clientMsgId = clientMsgId;
        this.text = text;
    }

    /** The id the message travels with; a retry carries the same one, so the server stores it once. */
    public String clientMsgId() {
        return clientMsgId;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return "Sending[" + clientMsgId + "] " + super.toString();
    }
}
