package dev.chatlab.client;

/**
 * A send the client stopped waiting for (send timeout, close, fatal close) after it went out at least
 * once: it may still have been stored, and a late {@code ack} for it is still reported to the listener.
 */
public final class SendUnknownException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String clientMsgId;

    SendUnknownException(String clientMsgId, String reason) {
        super(clientMsgId + ": " + reason, null, false, false);
        this.clientMsgId = clientMsgId;
    }

    public String clientMsgId() {
        return clientMsgId;
    }
}
