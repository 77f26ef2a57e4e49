package dev.chatlab.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/** The client's side of the wire protocol (docs/protocol.md): the frames it sends, and reading the server's. */
final class Protocol {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,40}");
    static final int MAX_NAME_CHARS = 32;
    static final String PING = "{\"type\":\"ping\"}";
    static final String TYPING = "{\"type\":\"typing\",\"payload\":{}}";

    private Protocol() {
    }

    /** A {@code join}; {@code since} and {@code epoch} are left out when null. */
    static String join(String roomId, String name, Long since, String epoch) {
        ObjectNode payload = JSON.createObjectNode().put("roomId", roomId);
        if (name != null) {
            payload.put("name", name);
        }
        if (since != null) {
            payload.put("since", since);
        }
        if (epoch != null) {
            payload.put("epoch", epoch);
        }
        return frame("join", payload);
    }

    static String message(String text, String clientMsgId) {
        return frame("message", JSON.createObjectNode().put("message", text).put("clientMsgId", clientMsgId));
    }

    private static String frame(String type, ObjectNode payload) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", type);
        root.set("payload", payload);
        return root.toString();
    }

    /** The frame as a JSON object, or null when it is not one. */
    static JsonNode parse(String frame) {
        try {
            JsonNode root = JSON.readTree(frame);
            return root != null && root.isObject() ? root : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** A string field, or null when it is missing, null or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
