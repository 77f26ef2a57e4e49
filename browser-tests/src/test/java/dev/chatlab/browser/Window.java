package dev.chatlab.browser;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

/** One browser window on one page: type into it, read what it shows, wait for it, photograph it. */
public final class Window {
    private final Browser browser;
    private final String handle;

    Window(Browser browser, String handle) {
        this.browser = browser;
        this.handle = handle;
    }

    /** Types into a field; {@code Keys.ENTER} at the end submits its form. */
    public Window type(By field, CharSequence... keys) {
        browser.focus(handle).findElement(field).sendKeys(keys);
        return this;
    }

    public Window click(By element) {
        browser.focus(handle).findElement(element).click();
        return this;
    }

    public Window refresh() {
        browser.focus(handle).navigate().refresh();
        return this;
    }

    /** The visible text of the first element found. */
    public String text(By element) {
        return browser.focus(handle).findElement(element).getText();
    }

    /** The visible text of every element found, in page order. */
    public List<String> texts(By elements) {
        return find(elements).stream().map(WebElement::getText).collect(Collectors.toList());
    }

    public List<WebElement> find(By elements) {
        return browser.focus(handle).findElements(elements);
    }

    /** Runs {@code script} in the page as a function body ({@code return} gives its value back). */
    @SuppressWarnings("unchecked")
    public <T> T script(String script, Object... arguments) {
        return (T) browser.focus(handle).executeScript(script, arguments);
    }

    /** Whether the page has opened an alert (and left it open). */
    public boolean alertOpen() {
        try {
            browser.focus(handle).switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /**
     * A named wait on this window. It polls on the calling thread, because a browser session takes one
     * command at a time, and retries when the page replaced an element while it was being read.
     */
    public ConditionFactory await(String what) {
        return Awaitility.await(what).atMost(ofSeconds(10))
                .pollInSameThread().pollDelay(ofMillis(0)).pollInterval(ofMillis(50))
                .ignoreExceptionsInstanceOf(StaleElementReferenceException.class);
    }

    /**
     * Saves what the window shows as {@code <name>.png} under {@code target/screenshots/}; with
     * {@code -Dscreenshots.update=true} also into {@code docs/images/}, where the README shows it.
     */
    public Path screenshot(String name) {
        byte[] png = browser.focus(handle).getScreenshotAs(OutputType.BYTES);
        try {
            Path file = Path.of(System.getProperty("screenshots.dir", "target/screenshots")).resolve(name + ".png");
            Files.createDirectories(file.getParent());
            Files.write(file, png);
            if (Boolean.getBoolean("screenshots.update")) {
                Path docs = Path.of(System.getProperty("screenshots.docs", "../docs/images"));
                Files.createDirectories(docs);
                Files.copy(file, docs.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the screenshot " + name, e);
        }
    }

    public void close() {
        browser.close(handle);
    }
}
