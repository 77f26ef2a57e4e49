package dev.chatlab.chat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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

    /**
     * Reads a frame in one pass of Jackson's streaming parser, without building a tree: the fields a request can
     * have are picked up as they come (a field the protocol does not name is skipped), then checked for its type.
     */
    Request parse(String text) throws BadFrame {
        Fields fields = new Fields();
        try (JsonParser parser = JSON.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BadFrame("bad_json", "a frame must be a JSON object {\"type\": ..., \"payload\": {...}}");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("type".equals(field)) {
                    fields.type = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    fields.typeIsText = value == JsonToken.VALUE_STRING;
                    // A type that is an object or an array is skipped whole: its insides are not the frame's fields.
                    parser.skipChildren();
                } else if ("payload".equals(field)) {
                    fields.payloadIsObject = value == JsonToken.START_OBJECT;
                    if (fields.payloadIsObject) {
                        fields.clearPayload();
                        readPayload(parser, fields);
                    } else {
                        parser.skipChildren();
                    }
                } else {
                    parser.skipChildren();
                }
            }
            // The object must be whole: a frame cut short is no frame.
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw new BadFrame("bad_json", "the frame is not valid JSON");
            }
        } catch (IOException e) {
            // Also what Jackson's own limits (nesting depth, number length) end in.
            throw new BadFrame("bad_json", "the frame is not valid JSON");
        }
        if (!fields.typeIsText) {
            throw new BadFrame("unknown_type", "a frame needs a string \"type\": join, message, leave or ping");
        }
        return switch (fields.type) {
            case "join" -> join(payload(fields, "join"));
            case "message" -> say(payload(fields, "message"));
            case "leave" -> new Leave();
            case "ping" -> new Ping();
            default -> throw new BadFrame("unknown_type", "unknown type \"" + abbreviate(fields.type)
                    + "\"; expected join, message, leave or ping");
        };
    }

    /** What a payload's fields were: a value, or a sign that the field was there with the wrong type. */
    private static final class Fields {
        String type;
        boolean typeIsText;
        boolean payloadIsObject;
        Value roomId;
        Value name;
        Value since;
        Value epoch;
        Value message;
        Value clientMsgId;

        void clearPayload() {
            roomId = name = since = epoch = message = clientMsgId = null;
        }
    }

    /** One scalar of a payload, as its token said: text, a whole number that fits a long, null, or something else. */
    private record Value(JsonToken token, String text, long number, boolean fitsLong) {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isText() {
            return token == JsonToken.VALUE_STRING;
        }
    }

    private static void readPayload(JsonParser parser, Fields fields) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken token = parser.nextToken();
            Value value;
            if (token == JsonToken.VALUE_STRING) {
                value = new Value(token, parser.getText(), 0, false);
            } else if (token == JsonToken.VALUE_NUMBER_INT) {
                JsonParser.NumberType type = parser.getNumberType();
                boolean fits = type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
                value = new Value(token, null, fits ? parser.getLongValue() : 0, fits);
            } else {
                parser.skipChildren();
                value = new Value(token, null, 0, false);
            }
            switch (field) {
                case "roomId" -> fields.roomId = value;
                case "name" -> fields.name = value;
                case "since" -> fields.since = value;
                case "epoch" -> fields.epoch = value;
                case "message" -> fields.message = value;
                case "clientMsgId" -> fields.clientMsgId = value;
                default -> {
                    // Not part of the protocol: ignored, as a tree reader would.
                }
            }
        }
    }

    private static Fields payload(Fields fields, String type) throws BadFrame {
        if (!fields.payloadIsObject) {
            throw new BadFrame("bad_payload", "a " + type + " frame needs a \"payload\" object");
        }
        return fields;
    }

    private static Join join(Fields payload) throws BadFrame {
        Value roomId = payload.roomId;
        if (roomId == null || !roomId.isText() || !isRoomId(roomId.text())) {
            throw new BadFrame("invalid_room", "roomId must be 1-64 characters of A-Z a-z 0-9 _ . -");
        }
        Value name = payload.name;
        String displayName = null;
        if (name != null && !name.isNull()) {
            if (!name.isText() || !isName(name.text())) {
                throw new BadFrame("bad_payload", "name must be a string of 1-" + MAX_NAME_CHARS
                        + " characters, without control characters");
            }
            displayName = name.text().strip();
        }
        Value since = payload.since;
        Long sinceSeq = null;
        if (since != null && !since.isNull()) {
            if (since.token() != JsonToken.VALUE_NUMBER_INT || !since.fitsLong() || since.number() < 0) {
                throw new BadFrame("bad_payload", "since must be the last seq you saw: a whole number >= 0");
            }
            sinceSeq = since.number();
        }
        Value epoch = payload.epoch;
        String epochText = null;
        if (epoch != null && !epoch.isNull()) {
            if (!epoch.isText() || epoch.text().length() > 64) {
                throw new BadFrame("bad_payload", "epoch must be the string the server sent in joined");
            }
            epochText = epoch.text();
        }
        return new Join(roomId.text(), displayName, sinceSeq, epochText);
    }

    private Say say(Fields payload) throws BadFrame {
        Value message = payload.message;
        if (message == null || !message.isText()) {
            throw new BadFrame("bad_payload", "a message frame needs a string payload.message");
        }
        String text = message.text();
        if (text.isEmpty()) {
            throw new BadFrame("bad_payload", "payload.message is empty");
        }
        if (text.codePointCount(0, text.length()) > maxMessageChars) {
            throw new BadFrame("too_large", "payload.message is longer than " + maxMessageChars + " characters");
        }
        Value clientMsgId = payload.clientMsgId;
        String id = null;
        if (clientMsgId != null && !clientMsgId.isNull()) {
            if (!clientMsgId.isText() || !CLIENT_MSG_ID.matcher(clientMsgId.text()).matches()) {
                throw new BadFrame("bad_payload", "clientMsgId must be 1-64 characters of A-Z a-z 0-9 _ . : -");
            }
            id = clientMsgId.text();
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
        // Once per message sent: written straight out, without a tree.
        return object(json -> {
            json.writeStringField("message", text);
            json.writeStringField("roomId", roomId);
            json.writeNumberField("sentAt", sentAt);
            json.writeStringField("from", from);
            if (clientMsgId != null) {
                json.writeStringField("clientMsgId", clientMsgId);
            }
        });
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
        // Once per message sent, like its payload: written straight out.
        return object(json -> {
            json.writeStringField("type", "ack");
            json.writeObjectFieldStart("payload");
            json.writeStringField("clientMsgId", clientMsgId);
            json.writeNumberField("seq", seq);
            json.writeEndObject();
        });
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

    /** What {@link #object} writes between its braces. */
    @FunctionalInterface
    private interface Writes {
        void write(JsonGenerator json) throws IOException;
    }

    /** A JSON object with {@code fields}, written with Jackson's streaming generator. */
    private static String object(Writes fields) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String frame(String type, ObjectNode payload) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", type);
        root.set("payload", payload);
        return root.toString();
    }
}
