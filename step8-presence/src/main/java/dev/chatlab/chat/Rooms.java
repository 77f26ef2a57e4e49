package dev.chatlab.chat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's rooms, in memory: for each room with members here, its members and how far this node
 * has delivered it (the last seq and the history's epoch). Sockets cannot be shared between nodes;
 * each node keeps its own and learns about the others' messages from Redis.
 */
final class Rooms {
    private static final int LOCK_STRIPES = 256;

    /** One room as this node sees it. Guarded by the room's lock. */
    static final class Room {
        final String id;
        final Set<Connection> members = ConcurrentHashMap.newKeySet();
        long seq;
        String epoch;

        Room(String id, long seq, String epoch) {
            this.id = id;
            this.seq = seq;
            this.epoch = epoch;
        }
    }

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[LOCK_STRIPES];

    Rooms() {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * The lock that orders everything in one room on this node: delivering its messages, a join's
     * replay, members coming and going. Rooms share a fixed set of locks, so their number stays
     * bounded however many rooms exist.
     */
    Object lockFor(String roomId) {
        return locks[Math.floorMod(roomId.hashCode(), LOCK_STRIPES)];
    }

    /** Adds the connection to the room; a room new to this node starts delivering after {@code seq}. Hold the room's lock. */
    Room join(Connection connection, String roomId, long seq, String epoch) {
        Room room = rooms.computeIfAbsent(roomId, id -> new Room(id, seq, epoch));
        room.members.add(connection);
        connection.roomId(roomId);
        return room;
    }

    /** Takes the connection out of its room; a room without members here is forgotten. Hold the room's lock. */
    void leave(Connection connection) {
        String roomId = connection.roomId();
        if (roomId == null) {
            return;
        }
        Room room = rooms.get(roomId);
        if (room != null) {
            room.members.remove(connection);
            if (room.members.isEmpty()) {
                rooms.remove(roomId);
            }
        }
        connection.roomId(null);
    }

    /** The room if it has members on this node, else null. */
    Room get(String roomId) {
        return rooms.get(roomId);
    }

    List<String> ids() {
        return List.copyOf(rooms.keySet());
    }

    int count() {
        return rooms.size();
    }
}
