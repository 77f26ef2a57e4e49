package dev.chatlab.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The OS's Chromium, headless, driven through its own chromedriver: opens windows on pages and always
 * quits; nothing here ever looks for a browser or driver to download.
 */
public final class Browser implements AutoCloseable {
    /** Debian's paths; {@code -Dbrowser.chromium=...} and {@code -Dbrowser.chromedriver=...} point elsewhere. */
    static final Path CHROMIUM = Path.of(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));
    static final Dimension WINDOW_SIZE = new Dimension(900, 640);

    private final ChromeDriver driver;
    private final Path profile;
    private final String home;
    private final Set<String> windows = new LinkedHashSet<>();
    private String focused;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
        this.home = driver.getWindowHandle();
        this.focused = home;
    }

    /** Starts Chromium with a fresh profile, or fails saying what to install. */
    public static Browser start() {
        requireInstalled(CHROMIUM);
        requireInstalled(CHROMEDRIVER);
        Path profile;
        try {
            profile = Files.createTempDirectory("chatlab-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                // Several windows chat at once; none of them may be throttled for being in the background.
                "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
                "--disable-renderer-backgrounding",
                "--window-size=" + WINDOW_SIZE.width + "," + WINDOW_SIZE.height,
                "--user-data-dir=" + profile);
        // An alert is a finding (a page ran a peer's text as HTML): leave it open so a test can see it.
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        // With the driver's path given, Selenium Manager is never asked to find or download anything.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return new Browser(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            service.stop();
            delete(profile);
            throw e;
        }
    }

    private static void requireInstalled(Path executable) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("the browser tests drive the OS's Chromium, and " + executable
                    + " is missing: install chromium and chromium-driver (apt-get install chromium chromium-driver)"
                    + " or run ./lab test, which installs them");
        }
    }

    /** Opens a new window on {@code page}. */
    public Window open(URI page) {
        driver.switchTo().newWindow(WindowType.WINDOW);
        String handle = driver.getWindowHandle();
        focused = handle;
        windows.add(handle);
        driver.manage().window().setSize(WINDOW_SIZE);
        driver.get(page.toString());
        return new Window(this, handle);
    }

    /** Closes every window opened so far; the browser stays up for the next test. */
    public void closeWindows() {
        for (String handle : Set.copyOf(windows)) {
            close(handle);
        }
    }

    ChromeDriver focus(String handle) {
        if (!handle.equals(focused)) {
            driver.switchTo().window(handle);
            focused = handle;
        }
        return driver;
    }

    void close(String handle) {
        if (windows.remove(handle)) {
            focus(handle).close();
            focus(home);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A profile left behind in the temp directory harms nothing.
        }
    }
}
