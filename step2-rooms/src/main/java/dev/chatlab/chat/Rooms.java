package dev.chatlab.chat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Room membership, in memory: a map from room to its members, so a fan-out costs the size of the
 * room, not a scan over every connection.
 */
final class Rooms {
    private final ConcurrentHashMap<String, Set<Connection>> members = new ConcurrentHashMap<>();

    /** Puts the connection in the room, taking it out of the room it was in (one room per connection). */
    void join(Connection connection, String roomId) {
        leave(connection);
        // Add inside compute: a concurrent leave may drop an emptied set, and must not drop this one.
        members.compute(roomId, (id, set) -> {
            Set<Connection> room = set == null ? ConcurrentHashMap.newKeySet() : set;
            room.add(connection);
            return room;
        });
        connection.roomId(roomId);
    }

    void leave(Connection connection) {
        String roomId = connection.roomId();
        if (roomId == null) {
            return;
        }
        members.computeIfPresent(roomId, (id, room) -> {
            room.remove(connection);
            return room.isEmpty() ? null : room;
        });
        connection.roomId(null);
    }

    /** Sends one already-serialized frame to every member of the room. */
    void broadcast(String roomId, String frame) {
        // exercise:begin broadcast: send the frame to every member of the room (the sender is a member too)
        Set<Connection> room = members.get(roomId);
        if (room != null) {
            room.forEach(member -> member.send(frame));
        }
        // exercise:end broadcast
    }

    int count() {
        return members.size();
    }
}
