package dev.chatlab.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One chat message as the server delivered it.
 *
 * @param roomId      the room it was sent to
 * @param seq         its place in the room's history (1, 2, 3, …); -1 from a server without seqs
 * @param epoch       the history it belongs to; null from a server without epochs
 * @param from        the sender's name
 * @param text        what was said
 * @param clientMsgId the id its sender gave it, or null
 * @param sentAt      when the server received it, in epoch milliseconds
 */
public record ChatMessage(String roomId, long seq, String epoch, String from, String text, String clientMsgId,
                          long sentAt) {

    static ChatMessage of(JsonNode payload) {
        return new ChatMessage(Protocol.text(payload, "roomId"), payload.path("seq").asLong(-1),
                Protocol.text(payload, "epoch"), Protocol.text(payload, "from"), Protocol.text(payload, "message"),
                Protocol.text(payload, "clientMsgId"), payload.path("sentAt").asLong(0));
    }
}
