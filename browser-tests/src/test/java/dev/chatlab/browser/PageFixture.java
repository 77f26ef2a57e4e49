package dev.chatlab.browser;

import java.net.URI;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every page test class sets up: a chat server, then one Chromium for the whole class. A test class registers
 * one on a static field with {@code @RegisterExtension}. It starts the server and the browser before the class's first
 * test, closes every window after each test, and after the last test quits the browser, then stops the server.
 *
 * @param <S> the server the pages come from: one step's ({@link StepServer}), or the swarm
 */
final class PageFixture<S extends AutoCloseable> implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final Supplier<S> start;
    private final Function<S, URI> httpUri;
    private S server;
    private Browser browser;

    private PageFixture(Supplier<S> start, Function<S, URI> httpUri) {
        this.start = start;
        this.httpUri = httpUri;
    }

    /** The server of step {@code module} (e.g. {@code "step2-rooms"}), started with no {@code forTests} arguments. */
    static PageFixture<StepServer> step(String module) {
        return of(() -> StepServer.start(module), StepServer::httpUri);
    }

    /**
     * The server {@code start} returns, serving its page at {@code httpUri}. {@code start} runs before the class's
     * first test, once its static {@code @TempDir} fields are set.
     */
    static <S extends AutoCloseable> PageFixture<S> of(Supplier<S> start, Function<S, URI> httpUri) {
        return new PageFixture<>(start, httpUri);
    }

    S server() {
        return server;
    }

    Browser browser() {
        return browser;
    }

    /** The server's page at {@code /} with a query string, e.g. {@code page("roomId=lobby&name=ada")}. */
    URI page(String query) {
        return httpUri.apply(server).resolve("/?" + query);
    }

    /** Opens {@link #page(String)} in a new window as a {@link ChatPage}; {@code name} labels the waits. */
    ChatPage chat(String name, String query) {
        return ChatPage.open(browser, name, page(query));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = start.get();
        browser = Browser.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        browser.closeWindows();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
