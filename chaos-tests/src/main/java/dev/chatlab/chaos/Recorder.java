package dev.chatlab.chaos;

import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import dev.chatlab.testkit.history.Checker;

/**
 * One member of a chaos workload: the testkit's recorder as its resilient client's listener, on the run's clock,
 * keeping everything it went through for the run's history.
 */
public final class Recorder extends dev.chatlab.testkit.history.Recorder<ChatMessage> implements ClientListener {
    private volatile ResilientClient client;

    public Recorder(String name, String room, Checker checker, RunClock clock) {
        super(name, room, checker, clock::now, Keep.EVERYTHING);
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
    public String toString() {
        ResilientClient c = client;
        return name() + " in " + room() + (c == null ? "" : " (" + c + ")");
    }
}
