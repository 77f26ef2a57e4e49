package dev.chatlab.chat;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One message of the room, the same JSON object on every transport.
 *
 * @param seq     the room's sequence number: 1 for the first message, +1 for each after it
 * @param sentAt  when the server stored it, epoch milliseconds
 * @param message the text
 * @param from    who sent it, when they said
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Message(long seq, long sentAt, String message, String from) {
}
