package dev.chatlab.client;

/** A send that was definitely not stored: the server refused it, or it never left the client. */
public final class SendFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String clientMsgId;
    private final String code;

    SendFailedException(String clientMsgId, String code, String message) {
        super(clientMsgId + " failed: " + code + ": " + message, null, false, false);
        this.clientMsgId = clientMsgId;
        this.code = code;
    }

    public String clientMsgId() {
        return clientMsgId;
    }

    /** The server's error code ({@code bad_payload}, {@code too_large}, …), or {@code closed} when the client stopped first. */
    public String code() {
        return code;
    }
}
