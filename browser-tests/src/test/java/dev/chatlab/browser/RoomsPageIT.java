package dev.chatlab.browser;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/** Step 2 in Chromium: rooms between browser windows, a seed-style page from another origin, text never run as HTML. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RoomsPageIT {
    static final String IMG_PAYLOAD = "<img src=x onerror=alert(1)>";
    static final String BOLD_PAYLOAD = "<b>bold</b>";

    @RegisterExtension
    static final PageFixture<StepServer> pages = PageFixture.step("step2-rooms");

    @Test
    void two_windows_in_one_room_chat_with_each_other_and_a_third_window_in_another_room_sees_nothing() {
        ChatPage ada = pages.chat("ada", "roomId=lobby&name=ada").awaitJoined("lobby");
        ChatPage bob = pages.chat("bob", "roomId=lobby&name=bob").awaitJoined("lobby");
        ChatPage carol = pages.chat("carol", "roomId=garden&name=carol").awaitJoined("garden");

        ada.say("hi bob, are you there?");
        bob.awaitMessages("hi bob, are you there?");
        bob.say("loud and clear, ada");
        ada.awaitMessages("hi bob, are you there?", "loud and clear, ada");
        ada.say("then rooms work");

        String[] conversation = {"hi bob, are you there?", "loud and clear, ada", "then rooms work"};
        ada.awaitMessages(conversation);
        bob.awaitMessages(conversation);
        assertThat(ada.senders()).containsExactly("ada", "bob", "ada");
        ada.window().screenshot("step2");

        // Carol's own message is the only one her window ever shows, and it stays in the garden.
        carol.say("anyone in the garden?");
        carol.awaitMessages("anyone in the garden?");
        for (ChatPage member : new ChatPage[] {ada, bob}) {
            member.window().await("the lobby hears nothing from the garden").during(ofMillis(300)).atMost(ofSeconds(3))
                    .untilAsserted(() -> assertThat(member.messages()).containsExactly(conversation));
        }
    }

    @Test
    void a_seed_style_page_from_another_origin_chats_with_the_step_2_page() {
        ChatPage ada = pages.chat("ada", "roomId=kitchen&name=ada").awaitJoined("kitchen");
        try (SeedSite site = SeedSite.serve("seed-rooms.html", pages.server().port())) {
            SeedPage seed = SeedPage.open(pages.browser(), site.page("roomId=kitchen")).awaitOpen();
            assertThat(seed.origin()).isNotEqualTo("http://127.0.0.1:" + pages.server().port());
            assertThat(seed.socketUrl()).isEqualTo("ws://localhost:" + pages.server().port() + "/");

            // The seed page sends its join on open, before anything it types, so this also proves it joined.
            seed.send("hello from the seed page");
            ada.awaitMessages("hello from the seed page");
            ada.say("hello, seed page");

            seed.awaitLines("hello from the seed page", "hello, seed page");
            ada.awaitMessages("hello from the seed page", "hello, seed page");
        }
    }

    @Test
    void a_message_that_looks_like_html_shows_as_those_characters_and_never_runs() {
        ChatPage ada = pages.chat("ada", "roomId=xss&name=ada").awaitJoined("xss");
        ChatPage mallory = pages.chat("mallory", "roomId=xss&name=mallory").awaitJoined("xss");

        mallory.say(IMG_PAYLOAD).say(BOLD_PAYLOAD);

        ada.awaitMessages(IMG_PAYLOAD, BOLD_PAYLOAD);
        assertThat(ada.messageLines()).satisfiesExactly(
                line -> assertThat(line).contains(IMG_PAYLOAD),
                line -> assertThat(line).contains(BOLD_PAYLOAD));
        for (ChatPage reader : new ChatPage[] {ada, mallory}) {
            assertThat(reader.window().find(By.cssSelector("#serverMessages img, #serverMessages b")))
                    .as("elements made from a message").isEmpty();
            reader.window().await("no alert opens").during(ofMillis(300)).atMost(ofSeconds(3))
                    .until(() -> !reader.window().alertOpen());
        }
    }
}
