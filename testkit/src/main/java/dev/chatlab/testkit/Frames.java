package dev.chatlab.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds client frames and reads server frames of the chat's JSON wire protocol (docs/protocol.md). */
public final class Frames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {
    }

    public static String join(String roomId) {
        return frame("join", payload().put("roomId", roomId));
    }

    public static String join(String roomId, long since) {
        return frame("join", payload().put("roomId", roomId).put("since", since));
    }

    public static String joinAs(String roomId, String name) {
        return frame("join", payload().put("roomId", roomId).put("name", name));
    }

    public static String message(String text) {
        return frame("message", payload().put("message", text));
    }

    public static String message(String text, String clientMsgId) {
        return frame("message", payload().put("message", text).put("clientMsgId", clientMsgId));
    }

    public static String leave() {
        return frame("leave", payload());
    }

    public static String ping() {
        return frame("ping", payload());
    }

    /** A frame of any type with the given payload fields, for tests that build unusual frames. */
    public static String frame(String type, ObjectNode payload) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", type);
        root.set("payload", payload);
        return root.toString();
    }

    public static ObjectNode payload() {
        return JSON.createObjectNode();
    }

    /** Parses a server frame; a frame that is not JSON comes back as a text node holding the raw string. */
    public static JsonNode parse(String raw) {
        try {
            JsonNode node = JSON.readTree(raw);
            return node == null ? JSON.getNodeFactory().textNode(raw) : node;
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(raw);
        }
    }

    public static String type(JsonNode frame) {
        return frame.path("type").asText("");
    }

    public static JsonNode payloadOf(JsonNode frame) {
        return frame.path("payload");
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
