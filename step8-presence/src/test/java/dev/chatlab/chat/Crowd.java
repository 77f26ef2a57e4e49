package dev.chatlab.chat;

import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.History;
import dev.chatlab.testkit.history.Recorder;
import dev.chatlab.testkit.history.Verdict;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Resilient clients spread over rooms, each recording what it went through, judged together by the testkit's checker. */
final class Crowd implements AutoCloseable {

    /** One client and its recorder. */
    static final class Member extends Recorder<ChatMessage> implements ClientListener {
        ResilientClient client;

        Member(String name, String room, Checker checker) {
            super(name, room, checker, System::currentTimeMillis, Keep.EVERYTHING);
        }

        @Override
        public void message(ChatMessage m) {
            message(m, m.seq(), m.epoch(), m.clientMsgId(), m.text(), m.sentAt());
        }

        void say(String text) {
            sent(client.send(text).clientMsgId());
        }
    }

    final Checker checker = new Checker();
    final List<Member> members = new ArrayList<>();

    /** {@code count} clients, client i in room {@code rooms[i % rooms]}, connecting to {@code uriFor(room)}. */
    static Crowd start(int count, List<String> rooms, Function<String, URI> uriFor) {
        Crowd crowd = new Crowd();
        for (int i = 0; i < count; i++) {
            String room = rooms.get(i % rooms.size());
            Member member = new Member("m" + i, room, crowd.checker);
            member.client = ResilientClient.builder(room, uriFor.apply(room))
                    .name(member.name())
                    .listener(member)
                    .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
                    .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .build();
            member.watch(member.client::lastSeq, member.client::duplicatesDropped);
            crowd.members.add(member);
            member.client.start();
        }
        return crowd;
    }

    boolean allConnected() {
        return members.stream().allMatch(m -> m.client.state() == ResilientClient.State.CONNECTED);
    }

    Map<String, Long> perNode() {
        return members.stream().collect(Collectors.groupingBy(Member::node, Collectors.counting()));
    }

    List<Member> in(String room) {
        return members.stream().filter(m -> m.room().equals(room)).toList();
    }

    boolean everySendAcked() {
        return members.stream().flatMap(m -> m.sends().stream()).allMatch(s -> s.outcome() == History.Outcome.ACKED);
    }

    /** Whether every member of every room has been handed every acked message of its room since it joined. */
    boolean nothingMissing() {
        Verdict verdict = verdict();
        return verdict.lost() + verdict.announcedLosses() == 0;
    }

    /** The checker's verdict on every member of every room so far. */
    Verdict verdict() {
        return checker.verdict();
    }

    @Override
    public void close() {
        members.parallelStream().forEach(m -> m.client.close());
    }
}
