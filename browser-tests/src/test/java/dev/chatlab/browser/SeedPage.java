package dev.chatlab.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.openqa.selenium.By;

/** A seed-style fixture page ({@link SeedSite}) in one window: an input, a send button, lines of text. */
public final class SeedPage {
    private static final By INPUT = By.id("inputbox");
    private static final By RECEIVED = By.id("serverMessages");
    private static final Long SOCKET_OPEN = 1L; // WebSocket.OPEN

    private final Window window;

    private SeedPage(Window window) {
        this.window = window;
    }

    public static SeedPage open(Browser browser, URI page) {
        return new SeedPage(browser.open(page));
    }

    public Window window() {
        return window;
    }

    /** Waits until the page's socket is open; the page itself shows nothing until a frame arrives. */
    public SeedPage awaitOpen() {
        window.await("the seed-style page's socket opens")
                .until(() -> SOCKET_OPEN.equals(window.script("return webSocket.readyState;")));
        return this;
    }

    /** The address the page's socket was opened with. */
    public String socketUrl() {
        return window.script("return webSocket.url;");
    }

    public String origin() {
        return window.script("return location.origin;");
    }

    /** Puts {@code text} in the box and clicks send. */
    public SeedPage send(String text) {
        window.find(INPUT).get(0).clear();
        window.type(INPUT, text).click(By.id("send"));
        return this;
    }

    /** Every line the page has appended, top to bottom. */
    public List<String> lines() {
        String text = window.text(RECEIVED);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    /** Waits until the page shows exactly these lines, in this order. */
    public SeedPage awaitLines(String... expected) {
        window.await("the seed-style page shows " + List.of(expected))
                .untilAsserted(() -> assertThat(lines()).containsExactly(expected));
        return this;
    }
}
