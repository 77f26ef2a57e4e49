package dev.chatlab.chaos;

import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.PresenceHistory.View;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One member of a chaos workload: the testkit's recorder as its resilient client's listener, on the run's clock,
 * keeping everything it went through for the run's history, and every list of its room's members its client showed
 * (nothing it can vouch for while it is away) for the presence checker.
 */
public final class Recorder extends dev.chatlab.testkit.history.Recorder<ChatMessage> implements ClientListener {
    private final RunClock clock;
    private final List<View> views = new CopyOnWriteArrayList<>();
    private volatile ResilientClient client;

    public Recorder(String name, String room, Checker checker, RunClock clock) {
        super(name, room, checker, clock::now, Keep.EVERYTHING);
        this.clock = clock;
    }

    /** The client this recorder listens to; call before the client starts. */
    public void attach(ResilientClient newClient) {
        this.client = newClient;
        watch(newClient::lastSeq, newClient::duplicatesDropped);
    }

    public ResilientClient client() {
        return client;
    }

    @Override
    public void message(ChatMessage m) {
        message(m, m.seq(), m.epoch(), m.clientMsgId(), m.text(), m.sentAt());
    }

    @Override
    public void connected(String node) {
        super.connected(node);
        // The client took the joined's list (or kept its own) before it said so; it reports only a change after.
        ResilientClient c = client;
        if (c != null) {
            views.add(View.of(name(), room(), clock.now(), c.members()));
        }
    }

    /** The client's list of its room's members changed (a join answered, a presence event). */
    @Override
    public void members(Set<String> members) {
        views.add(View.of(name(), room(), clock.now(), members));
    }

    @Override
    public void disconnected(int code, String reason, boolean remote) {
        super.disconnected(code, reason, remote);
        // Until it is back, what its client shows is what it last heard: nothing to vouch for.
        views.add(View.unknown(name(), room(), clock.now()));
    }

    /** Every list of its room's members its client showed, in order, each from when it was shown. */
    public List<View> views() {
        return Collections.unmodifiableList(views);
    }

    /** The list its client shows now, or null while it is away or before it was first shown one. */
    public Set<String> shown() {
        List<View> all = List.copyOf(views);
        return all.isEmpty() ? null : all.get(all.size() - 1).members();
    }

    @Override
    public String toString() {
        ResilientClient c = client;
        return name() + " in " + room() + (c == null ? "" : " (" + c + ")");
    }
}
