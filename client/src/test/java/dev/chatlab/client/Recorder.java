package dev.chatlab.client;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The testkit's recorder as a listener: every event kept in thread-safe lists, for tests to wait on and inspect.
 * It also keeps the members views and the typing signals the client reported.
 */
final class Recorder extends dev.chatlab.testkit.history.Recorder<ChatMessage> implements ClientListener {
    private final List<Set<String>> views = new CopyOnWriteArrayList<>();
    private final List<String> typers = new CopyOnWriteArrayList<>();

    /** Each members view reported, in order. */
    final List<Set<String>> memberViews = Collections.unmodifiableList(views);
    /** The name of each typing signal reported, in order. */
    final List<String> typing = Collections.unmodifiableList(typers);

    Recorder() {
        super("client", "room");
    }

    @Override
    public void message(ChatMessage m) {
        message(m, m.seq(), m.epoch(), m.clientMsgId(), m.text(), m.sentAt());
    }

    @Override
    public void members(Set<String> members) {
        views.add(members);
    }

    @Override
    public void typing(String name) {
        typers.add(name);
    }
}
