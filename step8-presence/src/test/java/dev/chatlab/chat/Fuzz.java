package dev.chatlab.chat;

import dev.chatlab.testkit.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Random and mutated client frames from a seeded {@link Random}, so a failing run repeats exactly: bad UTF-8,
 * deep nesting, huge numbers, control characters, overlong ids, wrong types, binary, oversized and malformed
 * frames, and valid frames with a few bytes changed.
 */
final class Fuzz {
    /** One frame to send: its opcode and payload, or (when {@code raw} is set) exact bytes for the wire. */
    record Frame(String kind, int opcode, byte[] payload, byte[] raw) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static final List<String> VALID = List.of(
            "{\"type\":\"join\",\"payload\":{\"roomId\":\"fuzz\"}}",
            "{\"type\":\"join\",\"payload\":{\"roomId\":\"fuzz-2\",\"name\":\"zed\",\"since\":3,\"epoch\":\"e1\"}}",
            "{\"type\":\"message\",\"payload\":{\"message\":\"hello\",\"clientMsgId\":\"fz-1\"}}",
            "{\"type\":\"message\",\"payload\":{\"message\":\"hi there\"}}",
            "{\"type\":\"leave\",\"payload\":{}}",
            "{\"type\":\"ping\",\"payload\":{}}",
            "{\"type\":\"typing\",\"payload\":{}}",
            "{\"type\":\"typing\"}");
    private static final List<String> TOKENS = List.of("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\u0000",
            "\u001f", "null", "true", "1e999999", "-0", "NaN", "\"type\"", "\"payload\"", "\ud83d\ude00", "\u202e");
    private static final List<String> FIELDS = List.of("roomId", "name", "since", "epoch", "message", "clientMsgId");

    private final Random random;

    Fuzz(Random random) {
        this.random = random;
    }

    Frame next() {
        int pick = random.nextInt(100);
        if (pick < 20) {
            return text("mutated", mutate(VALID.get(random.nextInt(VALID.size()))));
        } else if (pick < 30) {
            return text("random text", randomText(random.nextInt(300)));
        } else if (pick < 37) {
            return new Frame("bad UTF-8", RawWebSocket.TEXT, badUtf8(), null);
        } else if (pick < 45) {
            return text("deep nesting", deepNesting());
        } else if (pick < 53) {
            return text("huge number", hugeNumber());
        } else if (pick < 61) {
            return text("control characters", controlCharacters());
        } else if (pick < 71) {
            return text("overlong id", overlongId());
        } else if (pick < 81) {
            return text("wrong types", wrongTypes());
        } else if (pick < 88) {
            byte[] bytes = new byte[random.nextInt(2000)];
            random.nextBytes(bytes);
            return new Frame("binary", RawWebSocket.BINARY, bytes, null);
        } else if (pick < 90) {
            return text("oversized", "{\"type\":\"message\",\"payload\":{\"message\":\"" + "x".repeat(16_400 + random.nextInt(4000)) + "\"}}");
        } else if (pick < 93) {
            return malformed();
        } else {
            return text("valid", VALID.get(random.nextInt(VALID.size())));
        }
    }

    private static Frame text(String kind, String text) {
        return new Frame(kind, RawWebSocket.TEXT, text.getBytes(StandardCharsets.UTF_8), null);
    }

    private String mutate(String frame) {
        StringBuilder s = new StringBuilder(frame);
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && s.length() > 0; m++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(6)) {
                case 0 -> s.setCharAt(at, (char) (32 + random.nextInt(95)));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(5)));
                case 2 -> s.insert(at, TOKENS.get(random.nextInt(TOKENS.size())));
                case 3 -> s.insert(at, s.substring(at, Math.min(s.length(), at + 1 + random.nextInt(10))));
                case 4 -> s.setLength(at);
                default -> s.setCharAt(at, (char) random.nextInt(0x3000));
            }
        }
        return s.toString();
    }

    private String randomText(int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                s.append((char) (32 + random.nextInt(95)));
            } else if (kind < 8) {
                s.append("{}[]\":,\\".charAt(random.nextInt(8)));
            } else if (kind < 9) {
                s.append((char) (0xA0 + random.nextInt(0xD700 - 0xA0)));
            } else {
                s.append(TOKENS.get(random.nextInt(TOKENS.size())));
            }
        }
        return s.toString();
    }

    private byte[] badUtf8() {
        byte[][] broken = {
            {(byte) 0xC3, 0x28}, {(byte) 0xA0, (byte) 0xA1}, {(byte) 0xE2, 0x28, (byte) 0xA1},
            {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] before = ("{\"type\":\"message\",\"payload\":{\"message\":\"" + randomText(random.nextInt(20)).replace("\"", ""))
                .getBytes(StandardCharsets.UTF_8);
        out.write(before, 0, random.nextInt(before.length + 1));
        byte[] bad = broken[random.nextInt(broken.length)];
        out.write(bad, 0, bad.length);
        out.writeBytes("\"}}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private String deepNesting() {
        int depth = 500 + random.nextInt(4500);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        depth = Math.min(depth, 15_000 / (open.length() + 1));
        String nested = open.repeat(depth) + "1" + close.repeat(depth);
        return switch (random.nextInt(3)) {
            case 0 -> nested;
            case 1 -> "{\"type\":\"message\",\"payload\":{\"message\":" + nested + "}}";
            default -> "{\"type\":\"join\",\"payload\":" + nested + "}";
        };
    }

    private String hugeNumber() {
        String number = switch (random.nextInt(6)) {
            case 0 -> "1" + "0".repeat(1000 + random.nextInt(9000));
            case 1 -> "1e" + (999_999 + random.nextInt(1_000_000));
            case 2 -> "-" + "9".repeat(1 + random.nextInt(40));
            case 3 -> "9223372036854775808";
            case 4 -> "0." + "0".repeat(random.nextInt(5000)) + "1";
            default -> String.valueOf(random.nextDouble() * 1e300);
        };
        String field = FIELDS.get(random.nextInt(FIELDS.size()));
        String type = field.equals("message") || field.equals("clientMsgId") ? "message" : "join";
        return random.nextInt(5) == 0 ? number
                : "{\"type\":\"" + type + "\",\"payload\":{\"roomId\":\"fuzz\",\"" + field + "\":" + number + "}}";
    }

    private String controlCharacters() {
        StringBuilder junk = new StringBuilder();
        for (int i = 0; i < 1 + random.nextInt(10); i++) {
            char c = (char) random.nextInt(32);
            junk.append(random.nextBoolean() ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        String field = FIELDS.get(random.nextInt(FIELDS.size()));
        String type = field.equals("message") || field.equals("clientMsgId") ? "message" : "join";
        return "{\"type\":\"" + type + "\",\"payload\":{\"roomId\":\"fuzz\",\"message\":\"m\",\"" + field + "\":\"a" + junk + "b\"}}";
    }

    private String overlongId() {
        String field = List.of("roomId", "clientMsgId", "name", "epoch", "type").get(random.nextInt(5));
        String value = "x".repeat(switch (field) {
            case "roomId", "clientMsgId", "epoch" -> 65 + random.nextInt(10_000);
            case "name" -> 33 + random.nextInt(1000);
            default -> 100 + random.nextInt(10_000);
        });
        if (field.equals("type")) {
            return "{\"type\":\"" + value + "\",\"payload\":{}}";
        }
        String type = field.equals("clientMsgId") ? "message" : "join";
        return "{\"type\":\"" + type + "\",\"payload\":{\"roomId\":\"fuzz\",\"message\":\"m\",\"" + field + "\":\"" + value + "\"}}";
    }

    private String wrongTypes() {
        List<String> values = List.of("[]", "\"s\"", "42", "null", "true", "{}", "-1", "[\"fuzz\"]", "{\"$ne\":1}");
        String value = values.get(random.nextInt(values.size()));
        return switch (random.nextInt(4)) {
            case 0 -> "{\"type\":" + value + ",\"payload\":{}}";
            case 1 -> "{\"type\":\"" + (random.nextBoolean() ? "join" : "message") + "\",\"payload\":" + value + "}";
            case 2 -> "{\"type\":\"join\",\"payload\":{\"roomId\":\"fuzz\",\"" + FIELDS.get(random.nextInt(FIELDS.size())) + "\":" + value + "}}";
            default -> value;
        };
    }

    /** Frames that break RFC 6455 itself: the node must close with a protocol error. */
    private Frame malformed() {
        byte[] payload = "{\"type\":\"ping\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8);
        byte[] header = switch (random.nextInt(4)) {
            case 0 -> new byte[] {(byte) 0x81, (byte) payload.length}; // not masked
            case 1 -> new byte[] {(byte) 0xC1, (byte) (0x80 | payload.length), 0, 0, 0, 0}; // RSV1 without an extension
            case 2 -> new byte[] {(byte) 0x83, (byte) (0x80 | payload.length), 0, 0, 0, 0}; // reserved opcode 3
            default -> new byte[] {(byte) 0x09, (byte) (0x80 | payload.length), 0, 0, 0, 0}; // a fragmented ping
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(payload);
        return new Frame("malformed", RawWebSocket.TEXT, payload, out.toByteArray());
    }
}
