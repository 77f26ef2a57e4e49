package dev.chatlab.client;

/**
 * The testkit's recorder as a listener: every event kept in thread-safe lists, for tests to wait on and inspect.
 */
final class Recorder extends dev.chatlab.testkit.history.Recorder<ChatMessage> implements ClientListener {

    Recorder() {
        super("client", "room");
    }

    @Override
    public void message(ChatMessage m) {
        message(m, m.seq(), m.epoch(), m.clientMsgId(), m.text(), m.sentAt());
    }
}
