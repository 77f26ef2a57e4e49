package dev.chatlab.browser;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.HttpJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/** Step 3 in Chromium: the page loads the history over HTTP, then goes live; a refresh keeps the chat. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HistoryPageIT {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final PageFixture<StepServer> pages =
            PageFixture.of(() -> StepServer.start("step3-history", dir.resolve("chat.db")), StepServer::httpUri);

    @Test
    void after_a_refresh_the_page_shows_the_earlier_conversation_in_order_then_new_messages_once() {
        ChatPage ada = pages.chat("ada", "roomId=lobby&name=ada").awaitConnected();
        ada.say("one").say("two").say("three");
        ada.awaitMessages("one", "two", "three");

        ada.refresh().awaitConnected();

        ada.awaitMessages("one", "two", "three");
        assertThat(ada.messages()).isEqualTo(storedTexts("lobby"));
        assertThat(ada.lastSeq()).isEqualTo("3");

        ChatPage bob = pages.chat("bob", "roomId=lobby&name=bob").awaitConnected();
        bob.awaitMessages("one", "two", "three");
        bob.say("four, live");

        ada.window().await("ada sees the live message once, after the history").during(ofMillis(300)).atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(ada.messages()).containsExactly("one", "two", "three", "four, live"));
        assertThat(ada.lastSeq()).isEqualTo("4");
        assertThat(ada.senders()).containsExactly("ada", "ada", "ada", "bob");
        ada.window().screenshot("step3");
    }

    @Test
    void a_stored_message_that_looks_like_html_is_loaded_over_http_and_shows_as_those_characters() {
        String img = RoomsPageIT.IMG_PAYLOAD;
        String bold = RoomsPageIT.BOLD_PAYLOAD;
        try (ChatClient mallory = ChatClient.connect("mallory", pages.server().wsUri()).joinAndWait("forum")) {
            mallory.say(img).say(bold);
            await("both stored").atMost(ofSeconds(5)).until(() -> mallory.seqs().size() == 2);
        }

        ChatPage ada = pages.chat("ada", "roomId=forum&name=ada").awaitConnected();

        ada.awaitMessages(img, bold);
        assertThat(ada.window().find(By.cssSelector("#serverMessages img, #serverMessages b")))
                .as("elements made from a message").isEmpty();
        ada.window().await("no alert opens").during(ofMillis(300)).atMost(ofSeconds(3))
                .until(() -> !ada.window().alertOpen());
    }

    private static List<String> storedTexts(String roomId) {
        JsonNode page = HttpJson.get(pages.server().httpUri(), "rooms/" + roomId + "/messages").body();
        List<String> texts = new ArrayList<>();
        page.path("messages").forEach(message -> texts.add(message.path("message").asText()));
        return texts;
    }
}
