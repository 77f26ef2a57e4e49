package dev.chatlab.browser;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The swarm's page (steps 5 to 8) in one window: the room, plus the badge and the panel of the page's resilient client
 * ("connected to node-N", "reconnecting in Ns", "resumed on node-N"; seq, node, reconnects, gaps, duplicates, unacked),
 * and step 8's members list and typing line.
 */
public final class SwarmPage {
    private static final By STATE = By.id("state");
    private static final By SEQS = By.cssSelector("#serverMessages li.message .seq");
    private static final By INPUT = By.id("inputbox");
    private static final By MEMBERS = By.cssSelector("#members .member");
    private static final By TYPING = By.id("typing");
    private static final String CONNECTED_TO = "connected to ";
    // A text can last a few milliseconds, less than one poll: an observer in the page keeps every one the element takes.
    private static final String RECORD = """
            const element = document.getElementById(arguments[0]);
            window.seen = window.seen || {};
            const seen = window.seen[arguments[0]] = [{text: element.textContent, at: Date.now()}];
            new MutationObserver(() => {
              if (seen[seen.length - 1].text !== element.textContent) seen.push({text: element.textContent, at: Date.now()});
            }).observe(element, {childList: true, characterData: true, subtree: true});
            """;

    // Runs right after the badge changes, before the page runs anything else, so the form goes while it is in that state.
    private static final String SUBMIT_WHEN_BADGE_SAYS = """
            const badge = document.getElementById('state');
            const prefix = arguments[0];
            const observer = new MutationObserver(() => {
              if (!badge.textContent.startsWith(prefix)) return;
              observer.disconnect();
              document.getElementById('send').requestSubmit();
              window.submitted = {text: badge.textContent, at: Date.now(),
                                  unacked: document.getElementById('unacked').textContent};
            });
            observer.observe(badge, {childList: true, characterData: true, subtree: true});
            """;

    /** One text an element (the badge, the typing line) took, and when, in milliseconds since the epoch by the browser's clock. */
    public record Shown(String text, long at) {
    }

    /** A message submitted by {@link #sayWhenBadgeSays}: the badge then, when, and the unacked count just after. */
    public record Submitted(String badge, long at, String unacked) {
    }

    private final String name;
    private final Window window;
    private final ChatPage room;

    private SwarmPage(String name, Window window) {
        this.name = name;
        this.window = window;
        this.room = ChatPage.on(name, window);
    }

    /** Opens {@code page} in a new window; {@code name} labels the waits. */
    public static SwarmPage open(Browser browser, String name, URI page) {
        return new SwarmPage(name, browser.open(page));
    }

    public Window window() {
        return window;
    }

    /** Waits for the badge to say "connected to node-N" and returns the node. */
    public String awaitConnected() {
        window.await(name + "'s page connects")
                .untilAsserted(() -> assertThat(state()).startsWith(CONNECTED_TO));
        return state().substring(CONNECTED_TO.length());
    }

    /** What the badge says now. */
    public String state() {
        return window.text(STATE);
    }

    /** A panel value by its id: lastSeq, node, reconnects, gaps, duplicates or unacked. */
    public String panel(String field) {
        return window.text(By.id(field));
    }

    public String node() {
        return panel("node");
    }

    /** Types {@code text} into the box and presses Enter. */
    public SwarmPage say(String text) {
        room.say(text);
        return this;
    }

    /** Types {@code text} into the box without sending it, as someone still writing. */
    public SwarmPage type(String text) {
        window.type(INPUT, text);
        return this;
    }

    /** Presses Enter in the box: what was typed goes to the room. */
    public SwarmPage send() {
        window.type(INPUT, Keys.ENTER);
        return this;
    }

    /** The names in the members list ("In the room: …"), in the page's order. */
    public List<String> members() {
        return window.texts(MEMBERS);
    }

    /** Waits until the members list shows exactly these names, in this order. */
    public SwarmPage awaitMembers(String... expected) {
        window.await(name + "'s members list says " + List.of(expected)).atMost(ofSeconds(15))
                .untilAsserted(() -> assertThat(members()).containsExactly(expected));
        return this;
    }

    /** The typing line: "ada is typing…", "ada and bob are typing…", or empty. */
    public String typingLine() {
        return window.text(TYPING);
    }

    /**
     * Types {@code text} into the box now and submits it at the moment the badge starts to say {@code prefix}, as
     * someone who keeps typing through a reconnect would; {@link #submitted()} tells when that happened.
     */
    public SwarmPage sayWhenBadgeSays(String prefix, String text) {
        window.type(By.id("inputbox"), text);
        window.script(SUBMIT_WHEN_BADGE_SAYS, prefix);
        return this;
    }

    /** Waits for the message of {@link #sayWhenBadgeSays} to have been submitted. */
    public Submitted awaitSubmitted() {
        window.await(name + "'s message is submitted").atMost(ofSeconds(30))
                .until(() -> window.script("return window.submitted || null;") != null);
        Map<String, Object> submitted = window.script("return window.submitted;");
        return new Submitted((String) submitted.get("text"), ((Number) submitted.get("at")).longValue(),
                (String) submitted.get("unacked"));
    }

    /** The text of every message shown, top to bottom. */
    public List<String> messages() {
        return room.messages();
    }

    /** The seq of every message shown, top to bottom. */
    public List<Long> seqs() {
        return window.texts(SEQS).stream().map(seq -> Long.parseLong(seq.replace("#", ""))).toList();
    }

    public List<String> senders() {
        return room.senders();
    }

    /** Waits until the page shows exactly these messages, in this order. */
    public SwarmPage awaitMessages(String... expected) {
        room.awaitMessages(expected);
        return this;
    }

    /** From now on the page keeps every text its badge takes; {@link #badgeTexts()} reads them. */
    public SwarmPage recordBadge() {
        window.script(RECORD, "state");
        return this;
    }

    /** Every text the badge took since {@link #recordBadge()}, the one it had then first. */
    public List<Shown> badgeTexts() {
        return recorded("state");
    }

    /** From now on the page keeps every text its typing line takes; {@link #typingLines()} reads them. */
    public SwarmPage recordTyping() {
        window.script(RECORD, "typing");
        return this;
    }

    /** Every text the typing line took since {@link #recordTyping()}, the one it had then first. */
    public List<Shown> typingLines() {
        return recorded("typing");
    }

    private List<Shown> recorded(String id) {
        List<Map<String, Object>> seen = window.script("return (window.seen || {})[arguments[0]] || [];", id);
        return seen.stream()
                .map(text -> new Shown((String) text.get("text"), ((Number) text.get("at")).longValue()))
                .toList();
    }

    /** The browser's clock in milliseconds since the epoch, as in {@link Shown#at()} and {@link Submitted#at()}. */
    public long now() {
        return ((Number) window.script("return Date.now();")).longValue();
    }
}
