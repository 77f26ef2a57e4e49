package dev.chatlab.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The one room every transport shares: the latest messages numbered by seq, and who to tell when one arrives. */
public final class Room {
    private final Message[] ring;
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();
    private long latest;

    public Room(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a room keeps at least one message, got " + capacity);
        }
        this.ring = new Message[capacity];
    }

    /** Stores a message under the next seq, then tells every listener. */
    public Message post(String text, String from) {
        Message message;
        synchronized (this) {
            latest++;
            message = new Message(latest, System.currentTimeMillis(), text, from);
            ring[slot(latest)] = message;
        }
        // Outside the lock: listeners only signal (they never block), but they need not wait for each other either.
        listeners.forEach(Runnable::run);
        return message;
    }

    /** The messages with a seq above {@code seq} that the room still keeps, oldest first. */
    public synchronized List<Message> after(long seq) {
        long from = Math.max(seq + 1, oldest());
        List<Message> found = new ArrayList<>((int) Math.max(0, latest - from + 1));
        for (long s = from; s <= latest; s++) {
            found.add(ring[slot(s)]);
        }
        return found;
    }

    /** The seq of the newest message, 0 while the room is empty. */
    public synchronized long latest() {
        return latest;
    }

    /** The seq of the oldest message the room still keeps (1 until it starts forgetting). */
    public synchronized long oldest() {
        return Math.max(1, latest - ring.length + 1);
    }

    public int capacity() {
        return ring.length;
    }

    /** Calls {@code listener} after every post from now on, on the posting thread; it must not block. */
    public void listen(Runnable listener) {
        listeners.add(listener);
    }

    public void unlisten(Runnable listener) {
        listeners.remove(listener);
    }

    private int slot(long seq) {
        return (int) ((seq - 1) % ring.length);
    }
}
