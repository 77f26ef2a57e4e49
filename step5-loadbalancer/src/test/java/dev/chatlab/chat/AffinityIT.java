package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.client.ResilientClient;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** "The same room on the same server", with HAProxy hashing roomId consistently. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AffinityIT {

    @Test
    void the_affinity_config_keeps_a_room_on_one_node_and_moves_only_the_dead_nodes_rooms() {
        List<String> rooms = IntStream.range(0, 12).mapToObj(i -> "room-" + i).toList();
        try (Swarm swarm = Swarm.start(ChatNodeProcess.jarOf("step5-loadbalancer"), 3, Balancing.ROOM_AFFINITY, List.of());
             Crowd crowd = Crowd.start(36, rooms, room -> URI.create(swarm.wsUri() + "?roomId=" + room))) {
            await("everyone in").atMost(ofSeconds(30)).until(crowd::allConnected);
            Map<String, Set<String>> nodesOfRoom = nodesOfRooms(crowd, rooms);
            assertThat(nodesOfRoom.values()).as("each room on exactly one node").allMatch(nodes -> nodes.size() == 1);
            Set<String> used = nodesOfRoom.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
            assertThat(used).as("rooms spread over the nodes").hasSizeGreaterThan(1);

            String victim = nodesOfRoom.get("room-0").iterator().next();
            List<String> victimRooms = rooms.stream().filter(r -> nodesOfRoom.get(r).contains(victim)).toList();
            List<Crowd.Member> bystanders = crowd.members.stream().filter(m -> !victim.equals(m.node())).toList();
            // HAProxy must have checked every node before one dies, or it learns of the death later than the clients do.
            await("every node in HAProxy's rotation").atMost(ofSeconds(30)).until(swarm::allNodesInRotation);
            swarm.node(victim).kill();
            await("the dead node's rooms have moved").atMost(ofSeconds(30)).until(() -> crowd.allConnected()
                    && crowd.members.stream().noneMatch(m -> victim.equals(m.node())));
            Map<String, Set<String>> after = nodesOfRooms(crowd, rooms);
            assertThat(after.values()).as("each room still on exactly one node").allMatch(nodes -> nodes.size() == 1);
            for (String room : rooms) {
                if (!victimRooms.contains(room)) {
                    assertThat(after.get(room)).as(room + " did not move").isEqualTo(nodesOfRoom.get(room));
                }
            }
            assertThat(bystanders).as("clients on surviving nodes were never disconnected")
                    .allMatch(m -> m.client.reconnects() == 0);
            crowd.in("room-0").get(0).say("still here");
            for (Crowd.Member m : crowd.in("room-0")) {
                await(m.name() + " hears it").atMost(ofSeconds(10)).until(() -> m.texts().contains("still here"));
            }
            assertThat(crowd.members).allMatch(m -> m.client.state() == ResilientClient.State.CONNECTED);
        }
    }

    private static Map<String, Set<String>> nodesOfRooms(Crowd crowd, List<String> rooms) {
        return rooms.stream().collect(Collectors.toMap(r -> r,
                r -> crowd.in(r).stream().map(Crowd.Member::node).collect(Collectors.toSet())));
    }
}
