package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.history.Verdict;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Step 5's promises with real processes: three node JVMs behind HAProxy, killed and drained for real. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FailoverIT {
    private static final List<String> ROOMS = List.of("red", "green", "blue");

    private static Swarm swarm(List<String> nodeArgs) {
        return Swarm.start(ChatNodeProcess.jarOf("step6-hardening"), 3, Balancing.LEAST_CONNECTIONS, nodeArgs);
    }

    @Test
    void clients_behind_haproxy_are_spread_over_the_nodes_and_a_message_reaches_members_on_every_node() {
        try (Swarm swarm = swarm(List.of())) {
            List<ChatClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 30; i++) {
                    clients.add(ChatClient.connect("c" + i, swarm.wsUri()).joinAndWait("lobby"));
                }
                Map<String, Long> perNode = clients.stream().collect(java.util.stream.Collectors.groupingBy(
                        c -> c.lastJoined().path("node").asText(), java.util.stream.Collectors.counting()));
                assertThat(perNode).as("clients per node").containsOnlyKeys("node-1", "node-2", "node-3");
                assertThat(perNode.values()).allMatch(n -> n >= 5);
                clients.get(0).say("hello everyone");
                for (ChatClient c : clients) {
                    await(c.name() + " hears it").atMost(ofSeconds(10))
                            .until(() -> c.texts().contains("hello everyone"));
                }
            } finally {
                clients.forEach(ChatClient::close);
            }
        }
    }

    @Test
    void kill_9_a_node_mid_conversation_and_every_client_of_it_reconnects_through_haproxy_resumes_and_misses_nothing() {
        try (Swarm swarm = swarm(List.of());
             Crowd crowd = Crowd.start(30, ROOMS, room -> swarm.wsUri())) {
            await("everyone in").atMost(ofSeconds(30)).until(crowd::allConnected);
            ScheduledExecutorService chatter = Executors.newSingleThreadScheduledExecutor();
            try {
                int[] n = {0};
                chatter.scheduleAtFixedRate(() -> {
                    Crowd.Member speaker = crowd.members.get(n[0] % crowd.members.size());
                    speaker.say(speaker.name() + " #" + n[0]++);
                }, 0, 20, TimeUnit.MILLISECONDS);
                await("traffic flows").atMost(ofSeconds(10))
                        .until(() -> crowd.members.stream().allMatch(m -> m.delivered() >= 5));
                String victim = crowd.members.get(0).node();
                List<Crowd.Member> victims = crowd.members.stream().filter(m -> victim.equals(m.node())).toList();
                assertThat(victims).isNotEmpty();

                swarm.node(victim).kill();
                await("the victim's clients are back, on other nodes").atMost(ofSeconds(30))
                        .until(() -> victims.stream().allMatch(m -> m.client.reconnects() >= 1
                                && m.client.state() == dev.chatlab.client.ResilientClient.State.CONNECTED));
                assertThat(victims).allMatch(m -> !victim.equals(m.node()));
            } finally {
                chatter.shutdownNow();
            }
            await("every send is acked").atMost(ofSeconds(30)).until(crowd::everySendAcked);
            await("every member has every message of its room").atMost(ofSeconds(30)).until(crowd::nothingMissing);
            Verdict verdict = crowd.verdict();
            assertThat(verdict.valid()).as("each member: every message once, in order\n" + verdict.describe()).isTrue();
        }
    }

    @Test
    void sigterm_a_node_and_its_clients_move_with_1012_spread_over_the_window_and_nothing_is_lost() {
        try (Swarm swarm = swarm(List.of("--drain-grace", "2s", "--drain-window", "3s", "--drain-deadline", "20s"));
             Crowd crowd = Crowd.start(24, ROOMS, room -> swarm.wsUri())) {
            await("everyone in").atMost(ofSeconds(30)).until(crowd::allConnected);
            crowd.members.forEach(m -> m.say("before " + m.name()));
            ChatNodeProcess draining = swarm.node(1);
            List<Crowd.Member> movers = crowd.members.stream().filter(m -> "node-1".equals(m.node())).toList();
            assertThat(movers).hasSizeGreaterThanOrEqualTo(4);

            draining.signal(dev.chatlab.testkit.process.Signal.TERM);
            await("node-1 leaves rotation").atMost(ofSeconds(10))
                    .until(() -> !swarm.haproxy().nodeStates().getOrDefault("node-1", "UP").startsWith("UP"));
            crowd.members.forEach(m -> m.say("during " + m.name()));
            await("node-1 exits once its clients have gone").atMost(ofSeconds(30)).until(() -> !draining.isAlive());
            await("its clients are back elsewhere").atMost(ofSeconds(20))
                    .until(() -> movers.stream().allMatch(m -> !"node-1".equals(m.node())
                            && m.client.state() == dev.chatlab.client.ResilientClient.State.CONNECTED));
            assertThat(movers).allMatch(m -> m.closes().stream().anyMatch(c -> c.code() == 1012 && c.remote()));
            List<Long> closes = movers.stream().map(m -> m.closes().get(0).at()).sorted().toList();
            assertThat(closes.get(closes.size() - 1) - closes.get(0))
                    .as("the 1012s are spread over the window, not sent at once").isGreaterThan(1500);

            crowd.members.forEach(m -> m.say("after " + m.name()));
            await("every send is acked").atMost(ofSeconds(20)).until(crowd::everySendAcked);
            await("every member misses nothing").atMost(ofSeconds(20)).until(crowd::nothingMissing);
            Verdict verdict = crowd.verdict();
            assertThat(verdict.valid()).as("each member: every message once, in order\n" + verdict.describe()).isTrue();
        }
    }
}
