package dev.chatlab.browser;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.HttpJson;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swarm page (step 8's nodes) in Chromium: three node JVMs behind HAProxy. The node under a window dies and the page
 * resumes elsewhere; windows on different nodes see who is in the room and who is typing.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SwarmPageIT {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmPageIT.class);

    /** How long a node waits after a name's last connection closed before it says the name left. */
    static final Duration LEAVE_DELAY = ofSeconds(1);

    static Swarm swarm;
    static Browser browser;

    @BeforeAll
    static void start() {
        swarm = Swarm.start(ChatNodeProcess.jarOf("step8-presence"), 3, Balancing.LEAST_CONNECTIONS,
                List.of("--leave-delay", LEAVE_DELAY.toSeconds() + "s"));
        await("every node in HAProxy's rotation").atMost(ofSeconds(30)).until(swarm::allNodesInRotation);
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (swarm != null) {
                swarm.close();
            }
        }
    }

    @AfterEach
    void closeWindows() {
        browser.closeWindows();
    }

    @Test
    void killing_the_node_a_window_is_on_shows_reconnecting_then_resumed_on_another_node_and_no_message_is_missing_or_doubled() {
        SwarmPage ada = SwarmPage.open(browser, "ada", page("roomId=failover&name=ada"));
        String adasNode = ada.awaitConnected();
        SwarmPage bob = SwarmPage.open(browser, "bob", page("roomId=failover&name=bob"));
        String bobsNode = bob.awaitConnected();
        assertThat(bobsNode).as("leastconn sends bob to a node without ada").isNotEqualTo(adasNode);
        assertThat(ada.node()).isEqualTo(adasNode);

        List<String> sent = new ArrayList<>();
        ada.say(said(sent, "hi bob, which node are you on?"));
        bob.awaitMessages(sent.toArray(String[]::new));
        bob.say(said(sent, bobsNode + ", and you?"));
        ada.awaitMessages(sent.toArray(String[]::new));
        ada.say(said(sent, adasNode + ", for now"));
        bob.awaitMessages(sent.toArray(String[]::new));

        ada.recordBadge();
        // Ada keeps typing through the outage: her message goes the moment her badge says "reconnecting", when the
        // page has no node to send it to; it must be held unacked, resent on resume and stored once.
        ada.sayWhenBadgeSays("reconnecting", said(sent, "ada, typed while her page reconnects"));
        long killedAt = ada.now();
        swarm.node(adasNode).kill();
        for (int i = 1; i <= 3; i++) {
            bob.say(said(sent, "bob, while ada's node is down #" + i));
        }

        ada.window().await("ada's page resumes on another node").atMost(ofSeconds(30))
                .untilAsserted(() -> assertThat(ada.state()).startsWith("resumed on ")
                        .isNotEqualTo("resumed on " + adasNode));
        List<SwarmPage.Shown> badge = ada.badgeTexts();
        LOG.info("ada's badge after SIGKILL of {}: {}", adasNode, badge.stream()
                .map(text -> since(killedAt, text.at()) + " '" + text.text() + "'").collect(Collectors.joining(", ")));
        int reconnecting = indexOf(badge, "reconnecting");
        int resumed = indexOf(badge, "resumed on ");
        assertThat(reconnecting).as("ada's badge said 'reconnecting': " + badge).isNotNegative();
        assertThat(resumed).as("'resumed' comes after 'reconnecting': " + badge).isGreaterThan(reconnecting);
        assertThat(badge.get(resumed).text()).isNotEqualTo("resumed on " + adasNode);
        assertThat(ada.node()).isEqualTo(badge.get(resumed).text().substring("resumed on ".length()));
        SwarmPage.Submitted submitted = ada.awaitSubmitted();
        LOG.info("ada's message went at {}, her badge saying '{}', unacked {}", since(killedAt, submitted.at()),
                submitted.badge(), submitted.unacked());
        assertThat(submitted.badge()).startsWith("reconnecting");
        assertThat(submitted.unacked()).as("ada's message waits, unacked").isEqualTo("1");

        await("the room's history holds every message sent").atMost(ofSeconds(30))
                .untilAsserted(() -> assertThat(storedTexts("failover")).containsExactlyInAnyOrderElementsOf(sent));
        List<String> storedTexts = storedTexts("failover");
        List<Long> storedSeqs = storedSeqs("failover");
        assertThat(storedSeqs).isEqualTo(LongStream.rangeClosed(1, sent.size()).boxed().toList());
        for (SwarmPage member : new SwarmPage[] {ada, bob}) {
            member.window().await("every message once, in seq order, and nothing more").atMost(ofSeconds(30))
                    .during(ofMillis(500))
                    .untilAsserted(() -> {
                        assertThat(member.messages()).containsExactlyElementsOf(storedTexts);
                        assertThat(member.seqs()).containsExactlyElementsOf(storedSeqs);
                    });
            member.window().await("nothing left unacked").atMost(ofSeconds(30))
                    .untilAsserted(() -> assertThat(member.panel("unacked")).isEqualTo("0"));
            assertThat(member.panel("gaps")).as("gaps").isEqualTo("0");
            assertThat(member.panel("lastSeq")).isEqualTo(String.valueOf(sent.size()));
        }
        assertThat(Integer.parseInt(ada.panel("reconnects"))).as("ada's reconnects").isPositive();
        assertThat(bob.panel("reconnects")).as("bob's node never went away").isEqualTo("0");
        LOG.info("after the resume ada's panel says reconnects {}, gaps {}, duplicates {}, unacked {}",
                ada.panel("reconnects"), ada.panel("gaps"), ada.panel("duplicates"), ada.panel("unacked"));
        ada.window().screenshot("step8-resume");
    }

    @Test
    void each_page_lists_who_is_in_the_room_shows_who_is_typing_for_three_seconds_and_drops_a_page_that_closed() {
        SwarmPage ada = SwarmPage.open(browser, "ada", page("roomId=presence&name=ada"));
        String adasNode = ada.awaitConnected();
        SwarmPage bob = SwarmPage.open(browser, "bob", page("roomId=presence&name=bob"));
        assertThat(bob.awaitConnected()).as("leastconn sends bob to a node without ada").isNotEqualTo(adasNode);
        ada.awaitMembers("ada", "bob");
        bob.awaitMembers("ada", "bob");
        assertThat(ada.typingLine()).isEmpty();
        assertThat(bob.typingLine()).isEmpty();

        // Ada types and stops: Bob's page says so, then stops saying so by itself, 3 s after her signal.
        bob.recordTyping();
        ada.type("hello b");
        bob.window().await("bob sees ada typing")
                .untilAsserted(() -> assertThat(bob.typingLine()).isEqualTo("ada is typing…"));
        bob.window().await("ada's typing ends by itself").atMost(ofSeconds(10))
                .untilAsserted(() -> assertThat(bob.typingLine()).isEmpty());
        List<SwarmPage.Shown> lines = bob.typingLines();
        LOG.info("bob's typing line: {}", lines);
        assertThat(lines).extracting(SwarmPage.Shown::text).containsExactly("", "ada is typing…", "");
        long shownFor = lines.get(2).at() - lines.get(1).at();
        assertThat(shownFor).as("ms 'ada is typing…' was shown").isBetween(2_900L, 5_000L);
        assertThat(ada.typingLine()).as("ada's page does not show her own typing").isEmpty();

        // She types on, then sends: her message ends her typing on Bob's page at once.
        bob.recordTyping();
        ada.type("ob");
        bob.window().await("bob sees ada typing again")
                .untilAsserted(() -> assertThat(bob.typingLine()).isEqualTo("ada is typing…"));
        ada.send();
        bob.awaitMessages("hello bob");
        assertThat(bob.typingLine()).isEmpty();
        lines = bob.typingLines();
        assertThat(lines).extracting(SwarmPage.Shown::text).containsExactly("", "ada is typing…", "");
        assertThat(lines.get(2).at() - lines.get(1).at()).as("ms until the message ended it").isLessThan(2_500L);

        // A third page, on the third node: everyone's list grows, and two typing at once read as one line.
        SwarmPage carol = SwarmPage.open(browser, "carol", page("roomId=presence&name=carol"));
        carol.awaitConnected();
        for (SwarmPage member : new SwarmPage[] {ada, bob, carol}) {
            member.awaitMembers("ada", "bob", "carol");
        }
        carol.window().await("carol sees ada and bob typing").pollInterval(ofMillis(200))
                .untilAsserted(() -> {
                    // Whoever is writing keeps typing; each page signals at most once a second.
                    ada.type("a");
                    bob.type("b");
                    assertThat(carol.typingLine()).isEqualTo("ada and bob are typing…");
                });
        carol.window().screenshot("step8-presence");

        // Carol's page closes: the others' lists drop her once the leave delay has passed.
        long closedAt = ada.now();
        carol.window().close();
        ada.awaitMembers("ada", "bob");
        LOG.info("carol left ada's list {} ms after her page closed (leave delay {})", ada.now() - closedAt, LEAVE_DELAY);
        bob.awaitMembers("ada", "bob");
    }

    private static URI page(String query) {
        return swarm.httpUri().resolve("/?" + query);
    }

    private static String since(long killedAt, long at) {
        return String.format("%+.2fs", (at - killedAt) / 1000.0);
    }

    private static String said(List<String> sent, String text) {
        sent.add(text);
        return text;
    }

    private static int indexOf(List<SwarmPage.Shown> badge, String prefix) {
        for (int i = 0; i < badge.size(); i++) {
            if (badge.get(i).text().startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static List<JsonNode> stored(String roomId) {
        JsonNode page = HttpJson.get(swarm.httpUri(), "rooms/" + roomId + "/messages?limit=500").body();
        List<JsonNode> messages = new ArrayList<>();
        page.path("messages").forEach(messages::add);
        return messages;
    }

    private static List<String> storedTexts(String roomId) {
        return stored(roomId).stream().map(message -> message.path("message").asText()).toList();
    }

    private static List<Long> storedSeqs(String roomId) {
        return stored(roomId).stream().map(message -> message.path("seq").asLong()).toList();
    }
}
