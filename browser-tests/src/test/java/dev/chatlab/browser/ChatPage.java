package dev.chatlab.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/** The project's own room page (steps 2 and 3; step 5's under SwarmPage) in one window: the room as its reader sees it. */
public final class ChatPage {
    private static final By STATE = By.id("state");
    private static final By INPUT = By.id("inputbox");
    private static final String MESSAGE_ITEM = "#serverMessages li.message";
    private static final By MESSAGE_ITEMS = By.cssSelector(MESSAGE_ITEM);
    private static final By SENDERS = By.cssSelector(MESSAGE_ITEM + " .from");
    private static final By SYSTEM_LINES = By.cssSelector("#serverMessages li.system");
    // A message item holds the sender, the text and the time; the text is the item's own text node.
    private static final String MESSAGE_TEXTS = "return Array.from(document.querySelectorAll(arguments[0]))"
            + ".map(item => Array.from(item.childNodes)"
            + ".filter(node => node.nodeType === Node.TEXT_NODE).map(node => node.textContent).join(''));";

    private final String name;
    private final Window window;

    private ChatPage(String name, Window window) {
        this.name = name;
        this.window = window;
    }

    /** Opens {@code page} in a new window; {@code name} labels the waits. */
    public static ChatPage open(Browser browser, String name, URI page) {
        return on(name, browser.open(page));
    }

    /** The room of a page already open in {@code window}: later steps' pages keep the same list and box. */
    static ChatPage on(String name, Window window) {
        return new ChatPage(name, window);
    }

    public Window window() {
        return window;
    }

    public ChatPage awaitConnected() {
        window.await(name + "'s page connects")
                .untilAsserted(() -> assertThat(window.text(STATE)).isEqualTo("connected"));
        return this;
    }

    /** Waits for the step 2 page's "joined ROOM" line: from then on the room's messages reach this window. */
    public ChatPage awaitJoined(String roomId) {
        window.await(name + " joins " + roomId)
                .untilAsserted(() -> assertThat(window.texts(SYSTEM_LINES)).contains("joined " + roomId));
        return this;
    }

    /** Types {@code text} into the box and presses Enter. */
    public ChatPage say(String text) {
        window.type(INPUT, text, Keys.ENTER);
        return this;
    }

    /** The text of every message shown, top to bottom, exactly as the page shows it. */
    public List<String> messages() {
        return window.script(MESSAGE_TEXTS, MESSAGE_ITEM);
    }

    /** The visible text of every message line: sender, text and time. */
    public List<String> messageLines() {
        return window.texts(MESSAGE_ITEMS);
    }

    public List<String> senders() {
        return window.texts(SENDERS);
    }

    public String lastSeq() {
        return window.text(By.id("lastSeq"));
    }

    /** Waits until the page shows exactly these messages, in this order. */
    public ChatPage awaitMessages(String... expected) {
        window.await(name + " sees " + List.of(expected))
                .untilAsserted(() -> assertThat(messages()).containsExactly(expected));
        return this;
    }

    public ChatPage refresh() {
        window.refresh();
        return this;
    }
}
