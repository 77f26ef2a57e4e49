package dev.chatlab.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every room's messages in one SQLite file. A message is stored before it is fanned out and gets
 * its room's next {@code seq}: 1, 2, 3, … never reused, so one number serves as the cursor for
 * history, live delivery and resume.
 */
final class History implements AutoCloseable {

    /** A stored chat message. */
    record Message(String roomId, long seq, long sentAt, String from, String text) {
    }

    /** The store could not be read or written; the caller answers {@code error: unavailable}. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String what, SQLException cause) {
            super(what + ": " + cause.getMessage(), cause);
        }
    }

    private final java.sql.Connection writer;
    private final java.sql.Connection reader;
    private final PreparedStatement insert;
    private final ConcurrentHashMap<String, Long> latest = new ConcurrentHashMap<>();

    private History(java.sql.Connection writer, java.sql.Connection reader) throws SQLException {
        this.writer = writer;
        this.reader = reader;
        this.insert = writer.prepareStatement(
                "INSERT INTO messages (room_id, seq, sent_at, sender, body) VALUES (?, ?, ?, ?, ?)");
    }

    /** Opens (or creates) the history file; WAL lets readers serve HTTP while the writer appends. */
    static History open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory for " + file, e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            java.sql.Connection writer = DriverManager.getConnection(url);
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // WAL + NORMAL: a commit survives a process crash; only a power cut can lose the last few.
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS messages ("
                        + " room_id TEXT NOT NULL, seq INTEGER NOT NULL, sent_at INTEGER NOT NULL,"
                        + " sender TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (room_id, seq)) WITHOUT ROWID");
            }
            java.sql.Connection reader = DriverManager.getConnection(url);
            try (Statement s = reader.createStatement()) {
                s.execute("PRAGMA busy_timeout=5000");
            }
            return new History(writer, reader);
        } catch (SQLException e) {
            throw new Unavailable("cannot open history " + file, e);
        }
    }

    /**
     * Stores a message as its room's next seq. The caller holds the room's lock, so seqs of one
     * room are assigned, stored and fanned out in one order.
     */
    Message append(String roomId, String from, String text, long sentAt) {
        synchronized (writer) {
            long seq = latestSeq(roomId) + 1;
            try {
                insert.setString(1, roomId);
                insert.setLong(2, seq);
                insert.setLong(3, sentAt);
                insert.setString(4, from);
                insert.setString(5, text);
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new Unavailable("cannot store a message in " + roomId, e);
            }
            latest.put(roomId, seq);
            return new Message(roomId, seq, sentAt, from, text);
        }
    }

    /** The newest seq of the room, 0 for a room without messages. */
    long latestSeq(String roomId) {
        return latest.computeIfAbsent(roomId, this::loadLatest);
    }

    private long loadLatest(String roomId) {
        synchronized (reader) {
            try (PreparedStatement q = reader.prepareStatement("SELECT MAX(seq) FROM messages WHERE room_id = ?")) {
                q.setString(1, roomId);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
            } catch (SQLException e) {
                throw new Unavailable("cannot read " + roomId, e);
            }
        }
    }

    /** Up to {@code limit} messages with seq greater than {@code after}, oldest first. */
    List<Message> after(String roomId, long after, int limit) {
        return query("SELECT seq, sent_at, sender, body FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                roomId, after, limit);
    }

    /** The {@code limit} newest messages with seq less than {@code before}, oldest first. */
    List<Message> before(String roomId, long before, int limit) {
        List<Message> newestFirst = query(
                "SELECT seq, sent_at, sender, body FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                roomId, before, limit);
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    private List<Message> query(String sql, String roomId, long bound, int limit) {
        synchronized (reader) {
            try (PreparedStatement q = reader.prepareStatement(sql)) {
                q.setString(1, roomId);
                q.setLong(2, bound);
                q.setInt(3, limit);
                List<Message> messages = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        messages.add(new Message(roomId, rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
                    }
                }
                return messages;
            } catch (SQLException e) {
                throw new Unavailable("cannot read " + roomId, e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (writer) {
            synchronized (reader) {
                try {
                    insert.close();
                    writer.close();
                    reader.close();
                } catch (SQLException e) {
                    throw new Unavailable("cannot close history", e);
                }
            }
        }
    }
}
