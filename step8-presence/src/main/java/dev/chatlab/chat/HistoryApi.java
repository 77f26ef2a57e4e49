package dev.chatlab.chat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code GET /rooms/{roomId}/messages?after=SEQ|before=SEQ&limit=N}: a room's history, oldest first,
 * with the same message objects as the live frames; {@code next} is the cursor for the next page and
 * {@code epoch} names the history the seqs belong to. Every node serves it, from Redis.
 */
final class HistoryApi {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final History history;

    HistoryApi(History history) {
        this.history = history;
    }

    void messages(Context ctx) {
        String roomId = ctx.pathParam("roomId");
        if (!Protocol.isRoomId(roomId)) {
            badRequest(ctx, "roomId must be 1-64 characters of A-Z a-z 0-9 _ . -");
            return;
        }
        Long after;
        Long before;
        long limit;
        try {
            after = cursor(ctx, "after");
            before = cursor(ctx, "before");
            Long asked = cursor(ctx, "limit");
            limit = asked == null ? DEFAULT_LIMIT : asked;
        } catch (IllegalArgumentException e) {
            badRequest(ctx, e.getMessage());
            return;
        }
        if (after != null && before != null) {
            badRequest(ctx, "use after (read forward) or before (scroll back), not both");
            return;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            badRequest(ctx, "limit must be between 1 and " + MAX_LIMIT);
            return;
        }
        int pageSize = (int) limit;
        // One row more than asked tells whether there is a next page.
        List<History.Message> page;
        Long next = null;
        if (after != null) {
            page = history.after(roomId, after, pageSize + 1);
            if (page.size() > pageSize) {
                page = page.subList(0, pageSize);
                next = page.get(pageSize - 1).seq();
            }
        } else {
            page = history.before(roomId, before == null ? Long.MAX_VALUE : before, pageSize + 1);
            if (page.size() > pageSize) {
                page = page.subList(1, page.size());
                next = page.get(0).seq();
            }
        }
        ObjectNode body = Protocol.JSON.createObjectNode().put("roomId", roomId).put("epoch", history.head(roomId).epoch());
        ArrayNode messages = body.putArray("messages");
        // The stored JSON goes out as it is: the same bytes the live frames carry.
        page.forEach(m -> messages.addRawValue(new RawValue(m.json())));
        if (next == null) {
            body.putNull("next");
        } else {
            body.put("next", next);
        }
        ctx.contentType("application/json").result(body.toString());
    }

    /** A non-negative whole number from the query string, or null when absent. */
    private static Long cursor(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return null;
        }
        try {
            long value = Long.parseLong(raw);
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + abbreviate(raw) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }

    static void badRequest(Context ctx, String message) {
        ctx.status(400).contentType("application/json")
                .result(Protocol.JSON.createObjectNode().put("code", "bad_request").put("message", message).toString());
    }
}
