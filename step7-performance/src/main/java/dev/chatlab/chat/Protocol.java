package dev.chatlab.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/** The wire protocol: turns client frames into requests (or a {@link BadFrame}) and builds server frames. */
final class Protocol {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern CLIENT_MSG_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    // Found without parsing the frame, for an answer to a frame that is refused before it is parsed.
    private static final Pattern CLIENT_MSG_ID_FIELD = Pattern.compile("\"clientMsgId\"\\s*:\\s*\"([A-Za-z0-9_.:-]{1,64})\"");
    private static final int MAX_NAME_CHARS = 32;

    static boolean isRoomId(String candidate) {
        return candidate != null && ROOM_ID.matcher(candidate).matches();
    }

    /** A user name: 1-32 characters, not blank, no control characters (names end up in pages and logs). */
    static boolean isName(String candidate) {
        return candidate != null && !candidate.isBlank() && candidate.length() <= MAX_NAME_CHARS
                && candidate.chars().noneMatch(Character::isISOControl);
    }

    /** The {@code clientMsgId} a raw frame seems to carry, or null; the frame is not parsed. */
    static String clientMsgIdIn(String frame) {
        java.util.regex.Matcher found = CLIENT_MSG_ID_FIELD.matcher(frame);
        return found.find() ? found.group(1) : null;
    }

    /** What a client can ask for. */
    sealed interface Request permits Join, Say, Leave, Ping {
    }

    /**
     * {@code since}: the last seq the client has seen, or null for "only what comes next";
     * {@code epoch}: the history that seq belongs to, when the client knows it.
     */
    record Join(String roomId, String name, Long since, String epoch) implements Request {
    }

    /** {@code clientMsgId}, when given, makes a retried send idempotent. */
    record Say(String message, String clientMsgId) implements Request {
    }

    record Leave() implements Request {
    }

    record Ping() implements Request {
    }

    /** A frame the server cannot act on: {@code code} is one of the error codes in docs/protocol.md. */
    static final class BadFrame extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        BadFrame(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final int maxMessageChars;

    Protocol(int maxMessageChars) {
        this.maxMessageChars = maxMessageChars;
    }

    Request parse(String text) throws BadFrame {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Also what Jackson's own limits (nesting depth, number length) end in.
            throw new BadFrame("bad_json", "the frame is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new BadFrame("bad_json", "a frame must be a JSON object {\"type\": ..., \"payload\": {...}}");
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new BadFrame("unknown_type", "a frame needs a string \"type\": join, message, leave or ping");
        }
        return switch (type.asText()) {
            case "join" -> join(payload(root, "join"));
            case "message" -> say(payload(root, "message"));
            case "leave" -> new Leave();
            case "ping" -> new Ping();
            default -> throw new BadFrame("unknown_type", "unknown type \"" + abbreviate(type.asText())
                    + "\"; expected join, message, leave or ping");
        };
    }

    private static JsonNode payload(JsonNode root, String type) throws BadFrame {
        JsonNode payload = root.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new BadFrame("bad_payload", "a " + type + " frame needs a \"payload\" object");
        }
        return payload;
    }

    private static Join join(JsonNode payload) throws BadFrame {
        JsonNode roomId = payload.get("roomId");
        if (roomId == null || !roomId.isTextual() || !isRoomId(roomId.asText())) {
            throw new BadFrame("invalid_room", "roomId must be 1-64 characters of A-Z a-z 0-9 _ . -");
        }
        JsonNode name = payload.get("name");
        String displayName = null;
        if (name != null && !name.isNull()) {
            if (!name.isTextual() || !isName(name.asText())) {
                throw new BadFrame("bad_payload", "name must be a string of 1-" + MAX_NAME_CHARS
                        + " characters, without control characters");
            }
            displayName = name.asText().strip();
        }
        JsonNode since = payload.get("since");
        Long sinceSeq = null;
        if (since != null && !since.isNull()) {
            if (!since.isIntegralNumber() || !since.canConvertToLong() || since.asLong() < 0) {
                throw new BadFrame("bad_payload", "since must be the last seq you saw: a whole number >= 0");
            }
            sinceSeq = since.asLong();
        }
        JsonNode epoch = payload.get("epoch");
        String epochText = null;
        if (epoch != null && !epoch.isNull()) {
            if (!epoch.isTextual() || epoch.asText().length() > 64) {
                throw new BadFrame("bad_payload", "epoch must be the string the server sent in joined");
            }
            epochText = epoch.asText();
        }
        return new Join(roomId.asText(), displayName, sinceSeq, epochText);
    }

    private Say say(JsonNode payload) throws BadFrame {
        JsonNode message = payload.get("message");
        if (message == null || !message.isTextual()) {
            throw new BadFrame("bad_payload", "a message frame needs a string payload.message");
        }
        String text = message.asText();
        if (text.isEmpty()) {
            throw new BadFrame("bad_payload", "payload.message is empty");
        }
        if (text.codePointCount(0, text.length()) > maxMessageChars) {
            throw new BadFrame("too_large", "payload.message is longer than " + maxMessageChars + " characters");
        }
        JsonNode clientMsgId = payload.get("clientMsgId");
        String id = null;
        if (clientMsgId != null && !clientMsgId.isNull()) {
            if (!clientMsgId.isTextual() || !CLIENT_MSG_ID.matcher(clientMsgId.asText()).matches()) {
                throw new BadFrame("bad_payload", "clientMsgId must be 1-64 characters of A-Z a-z 0-9 _ . : -");
            }
            id = clientMsgId.asText();
        }
        return new Say(text, id);
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }

    // ---- server frames ----

    /**
     * A new message as it is stored, published and delivered, still without {@code seq} and
     * {@code epoch}: the store puts those in front when it assigns them.
     */
    static String payload(String roomId, String from, String text, long sentAt, String clientMsgId) {
        ObjectNode payload = JSON.createObjectNode()
                .put("message", text)
                .put("roomId", roomId)
                .put("sentAt", sentAt)
                .put("from", from);
        if (clientMsgId != null) {
            payload.put("clientMsgId", clientMsgId);
        }
        return payload.toString();
    }

    /** A {@code message} frame around a stored payload, built once per message, not once per member. */
    static String message(String storedJson) {
        return "{\"type\":\"message\",\"payload\":" + storedJson + "}";
    }

    /** {@code seq}: the room's newest; {@code recovered}: whether everything after {@code since} follows. */
    static String joined(String roomId, long seq, String epoch, boolean recovered, String node) {
        return frame("joined", JSON.createObjectNode().put("roomId", roomId).put("seq", seq).put("epoch", epoch)
                .put("recovered", recovered).put("node", node));
    }

    /** Tells the sender its message is stored, and as which seq. */
    static String ack(String clientMsgId, long seq) {
        return frame("ack", JSON.createObjectNode().put("clientMsgId", clientMsgId).put("seq", seq));
    }

    static String error(String code, String message) {
        return frame("error", JSON.createObjectNode().put("code", code).put("message", message));
    }

    /** An error about a {@code message} frame that carried a clientMsgId, so the client knows which send failed. */
    static String error(String code, String message, String clientMsgId) {
        return frame("error", JSON.createObjectNode().put("code", code).put("message", message).put("clientMsgId", clientMsgId));
    }

    static String pong() {
        return frame("pong", JSON.createObjectNode());
    }

    private static String frame(String type, ObjectNode payload) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", type);
        root.set("payload", payload);
        return root.toString();
    }
}
