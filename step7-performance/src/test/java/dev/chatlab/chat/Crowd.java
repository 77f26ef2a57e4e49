package dev.chatlab.chat;

import dev.chatlab.client.ChatMessage;
import dev.chatlab.client.ClientListener;
import dev.chatlab.client.ResilientClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Resilient clients spread over rooms, each recording what it was handed, for tests that count. */
final class Crowd implements AutoCloseable {

    /** One client and what happened to it. */
    static final class Member implements ClientListener {
        final String name;
        final String room;
        final List<ChatMessage> delivered = new CopyOnWriteArrayList<>();
        final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
        final List<Long> closedAtMillis = new CopyOnWriteArrayList<>();
        final List<String> nodes = new CopyOnWriteArrayList<>();
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final Set<String> sent = ConcurrentHashMap.newKeySet();
        ResilientClient client;

        Member(String name, String room) {
            this.name = name;
            this.room = room;
        }

        @Override
        public void connected(String node) {
            nodes.add(node);
        }

        @Override
        public void message(ChatMessage message) {
            delivered.add(message);
        }

        @Override
        public void acked(String clientMsgId, long seq) {
            acked.add(clientMsgId);
        }

        @Override
        public void disconnected(int code, String reason, boolean remote) {
            if (remote || code == 1006) {
                closeCodes.add(code);
                closedAtMillis.add(System.currentTimeMillis());
            }
        }

        void say(String text) {
            sent.add(client.send(text).clientMsgId());
        }

        String node() {
            return client.node();
        }

        List<Long> seqs() {
            return delivered.stream().map(ChatMessage::seq).toList();
        }

        Set<String> deliveredIds() {
            return delivered.stream().map(ChatMessage::clientMsgId).collect(Collectors.toSet());
        }
    }

    final List<Member> members = new ArrayList<>();

    /** {@code count} clients, client i in room {@code rooms[i % rooms]}, connecting to {@code uriFor(room)}. */
    static Crowd start(int count, List<String> rooms, Function<String, URI> uriFor) {
        Crowd crowd = new Crowd();
        for (int i = 0; i < count; i++) {
            String room = rooms.get(i % rooms.size());
            Member member = new Member("m" + i, room);
            member.client = ResilientClient.builder(room, uriFor.apply(room))
                    .name(member.name)
                    .listener(member)
                    .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(3))
                    .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .build();
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
        return members.stream().filter(m -> m.room.equals(room)).toList();
    }

    /** Every message sent by anyone in the room. */
    Set<String> sentIn(String room) {
        return in(room).stream().flatMap(m -> m.sent.stream()).collect(Collectors.toSet());
    }

    boolean everySendAcked() {
        return members.stream().allMatch(m -> m.acked.containsAll(m.sent));
    }

    @Override
    public void close() {
        members.parallelStream().forEach(m -> m.client.close());
    }
}
