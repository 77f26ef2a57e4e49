package dev.chatlab.chat;

/** What may go into a log line from a client: control characters replaced, length bounded (no forged lines). */
final class Logs {
    private static final int MAX_CHARS = 80;

    private Logs() {
    }

    /** {@code text} with control characters as '?', cut to 80 characters; "(none)" for null. */
    static String clean(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS + 1));
        for (int i = 0; i < text.length() && out.length() < MAX_CHARS; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return text.length() > MAX_CHARS ? out + "…" : out.toString();
    }
}
