package dev.chatlab.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/** Step 1 in Chromium: its own page, and a page from another origin built the way the source notes build one. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EchoPageIT {
    @RegisterExtension
    static final PageFixture<StepServer> pages = PageFixture.step("step1-echo");

    @Test
    void the_step_1_page_echoes_what_you_type() {
        Window page = pages.browser().open(pages.server().httpUri());
        page.await("the page connects").untilAsserted(() -> assertThat(page.text(By.id("state"))).isEqualTo("connected"));

        page.type(By.id("inputbox"), "hello, server", Keys.ENTER);

        page.await("the echo is shown")
                .untilAsserted(() -> assertThat(page.texts(By.cssSelector("#serverMessages li")))
                        .containsExactly("Hello, you sent -> hello, server"));
    }

    @Test
    void a_seed_style_page_from_another_origin_gets_the_echo() {
        try (SeedSite site = SeedSite.serve("seed-echo.html", pages.server().port())) {
            SeedPage page = SeedPage.open(pages.browser(), site.page("")).awaitOpen();
            assertThat(page.origin()).isNotEqualTo("http://127.0.0.1:" + pages.server().port());
            assertThat(page.socketUrl()).isEqualTo("ws://localhost:" + pages.server().port() + "/");

            page.send("plain text, no JSON");

            page.awaitLines("Hello, you sent -> plain text, no JSON");
        }
    }
}
