package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.HttpJson;
import dev.chatlab.testkit.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The secure profile: a signed token opens a socket, names its sender and lists its rooms; nothing else does. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TokenTest {
    static final String SECRET = "test-secret-0123456789abcdef0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A secure node without the TLS requirement (tested on its own below): these tests talk to it directly. */
    static Cluster secureNode() {
        return Cluster.start(1, c -> c.withSecurity(Security.secure(SECRET).withRequireTls(false)));
    }

    static String token(String secret, String name, List<String> rooms, Instant expiresAt) {
        return JWT.create().withIssuer(Tokens.ISSUER).withSubject(name).withClaim("rooms", rooms)
                .withIssuedAt(Instant.now()).withExpiresAt(expiresAt).sign(Algorithm.HMAC256(secret));
    }

    static String token(String name, List<String> rooms) {
        return token(SECRET, name, rooms, Instant.now().plusSeconds(600));
    }

    static URI withQuery(URI ws, String query) {
        return ws.resolve("/?" + query);
    }

    static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void a_missing_expired_tampered_or_foreign_token_is_refused_with_403_and_the_others_keep_chatting() {
        String good = token("alice", List.of("lobby"));
        String[] parts = good.split("\\.");
        String forgedClaims = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"chat-lab\",\"sub\":\"admin\",\"rooms\":[\"*\"],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                        .getBytes(StandardCharsets.UTF_8));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("missing", "roomId=lobby");
        refused.put("expired", "token=" + q(token(SECRET, "alice", List.of("lobby"), Instant.now().minusSeconds(60))));
        refused.put("tampered", "token=" + q(parts[0] + "." + forgedClaims + "." + parts[2]));
        refused.put("signed with another secret", "token=" + q(token("another-secret-0123456789abcdef0123456789", "alice",
                List.of("lobby"), Instant.now().plusSeconds(600))));
        refused.put("alg none", "token=" + q(none + "." + forgedClaims + "."));
        refused.put("without exp", "token=" + q(JWT.create().withIssuer(Tokens.ISSUER).withSubject("alice")
                .withClaim("rooms", List.of("*")).sign(Algorithm.HMAC256(SECRET))));
        refused.put("not a JWT", "token=not-a-token");
        refused.put("for another room than the URL's", "roomId=vault&token=" + q(good));
        try (Cluster cluster = secureNode();
             ChatClient alice = ChatClient.connect("alice", withQuery(cluster.node(1).wsUri(), "token=" + q(good))).joinAndWait("lobby");
             ChatClient bob = ChatClient.connect("bob", withQuery(cluster.node(1).wsUri(), "token=" + q(token("bob", List.of("lobby")))))
                     .joinAndWait("lobby")) {
            int n = 0;
            for (Map.Entry<String, String> attempt : refused.entrySet()) {
                try (RawWebSocket wire = RawWebSocket.handshake(withQuery(cluster.node(1).wsUri(), attempt.getValue()), Map.of())) {
                    assertThat(wire.status()).as(attempt.getKey()).isEqualTo(403);
                    assertThat(wire.header("Upgrade")).isNull();
                }
                String text = "after the " + attempt.getKey() + " token";
                (n++ % 2 == 0 ? alice : bob).say(text);
                await("the others keep chatting").atMost(ofSeconds(5))
                        .until(() -> alice.texts().contains(text) && bob.texts().contains(text));
            }
            assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_handshakes_refused_total", "reason=\"token\"")).isEqualTo(refused.size());
        }
    }

    @Test
    void a_join_to_a_room_the_token_does_not_allow_gets_forbidden_and_the_connection_stays_open() {
        try (Cluster cluster = secureNode();
             ChatClient carol = ChatClient.connect("carol", withQuery(cluster.node(1).wsUri(),
                     "token=" + q(token("carol", List.of("lobby", "kitchen")))))) {
            carol.join("vault");
            await("forbidden").atMost(ofSeconds(5)).until(() -> carol.errorCodes().contains("forbidden"));
            assertThat(carol.isOpen()).isTrue();
            carol.joinAndWait("kitchen");
            carol.say("in the kitchen");
            await("carol still chats where she may").atMost(ofSeconds(5)).until(() -> carol.texts().contains("in the kitchen"));
            assertThat(HttpJson.get(cluster.node(1).httpUri(), "health").status()).isEqualTo(200);
        }
    }

    @Test
    void from_comes_from_the_token_never_from_the_join_or_the_payload() {
        try (Cluster cluster = secureNode();
             ChatClient alice = ChatClient.connect("alice", withQuery(cluster.node(1).wsUri(), "token=" + q(token("alice", List.of("*")))));
             ChatClient bob = ChatClient.connect("bob", cluster.node(1).wsUri(),
                     Map.of("Authorization", "Bearer " + token("bob", List.of("*")))).joinAndWait("lobby")) {
            alice.sendRaw(Frames.frame("join", Frames.payload().put("roomId", "lobby").put("name", "mallory")));
            await("alice joined").atMost(ofSeconds(5)).until(() -> !alice.framesOfType("joined").isEmpty());
            alice.sendRaw("{\"type\":\"message\",\"payload\":{\"message\":\"it is me\",\"from\":\"mallory\"},\"from\":\"mallory\"}");
            await("bob hears it").atMost(ofSeconds(5)).until(() -> bob.texts().contains("it is me"));
            JsonNode delivered = Frames.payloadOf(bob.framesOfType("message").get(0));
            assertThat(delivered.path("from").asText()).isEqualTo("alice");
        }
    }

    @Test
    void login_gives_a_token_for_a_name_that_opens_a_socket_by_query_or_by_header() throws Exception {
        try (Cluster cluster = secureNode()) {
            HttpResponse<String> login = post(cluster.node(1).httpUri().resolve("/login"), "{\"name\":\"ada\"}", Map.of());
            assertThat(login.statusCode()).isEqualTo(200);
            JsonNode body = Frames.parse(login.body());
            String token = body.path("token").asText();
            assertThat(body.path("expiresIn").asLong()).isEqualTo(900);
            try (ChatClient byQuery = ChatClient.connect("q", withQuery(cluster.node(1).wsUri(), "roomId=any&token=" + q(token))).joinAndWait("any");
                 ChatClient byHeader = ChatClient.connect("h", cluster.node(1).wsUri(), Map.of("Authorization", "Bearer " + token))
                         .joinAndWait("any")) {
                byHeader.say("hello");
                await("from ada").atMost(ofSeconds(5)).until(() -> byQuery.texts().contains("hello"));
                assertThat(Frames.payloadOf(byQuery.framesOfType("message").get(0)).path("from").asText()).isEqualTo("ada");
            }
            for (String bad : List.of("{}", "{\"name\":\"\"}", "{\"name\":\"" + "x".repeat(33) + "\"}", "{\"name\":\"a\\nb\"}", "not json")) {
                assertThat(post(cluster.node(1).httpUri().resolve("/login"), bad, Map.of()).statusCode()).as(bad).isEqualTo(400);
            }
        }
    }

    @Test
    void the_history_api_of_the_secure_profile_needs_a_token_that_allows_the_room() throws Exception {
        try (Cluster cluster = secureNode()) {
            URI lobby = cluster.node(1).httpUri().resolve("/rooms/lobby/messages");
            assertThat(get(lobby, Map.of()).statusCode()).isEqualTo(401);
            assertThat(get(lobby, Map.of("Authorization", "Bearer " + token("eve", List.of("kitchen")))).statusCode()).isEqualTo(403);
            assertThat(get(lobby, Map.of("Authorization", "Bearer " + token("ada", List.of("lobby")))).statusCode()).isEqualTo(200);
            assertThat(get(URI.create(lobby + "?token=" + q(token("ada", List.of("*")))), Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void the_secure_profile_takes_sockets_and_logins_only_if_a_trusted_proxy_says_they_came_over_tls() throws Exception {
        String ok = "token=" + q(token("ada", List.of("*")));
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(Security.secure(SECRET)))) {
            URI ws = withQuery(cluster.node(1).wsUri(), ok);
            try (RawWebSocket plain = RawWebSocket.handshake(ws, Map.of());
                 RawWebSocket proxied = RawWebSocket.handshake(ws, Map.of("X-Forwarded-Proto", "https"))) {
                assertThat(plain.status()).as("straight to the node, no TLS").isEqualTo(403);
                assertThat(proxied.status()).as("through HAProxy's TLS (127.0.0.1 is trusted)").isEqualTo(101);
            }
            URI login = cluster.node(1).httpUri().resolve("/login");
            assertThat(post(login, "{\"name\":\"ada\"}", Map.of()).statusCode()).isEqualTo(403);
            assertThat(post(login, "{\"name\":\"ada\"}", Map.of("X-Forwarded-Proto", "https")).statusCode()).isEqualTo(200);
        }
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(Security.secure(SECRET).withTrustedProxies(List.of())));
             RawWebSocket claimed = RawWebSocket.handshake(withQuery(cluster.node(1).wsUri(), ok), Map.of("X-Forwarded-Proto", "https"))) {
            assertThat(claimed.status()).as("the header alone, from a peer nobody trusts").isEqualTo(403);
        }
    }

    @Test
    void the_secure_profile_will_not_start_without_a_long_enough_secret_and_never_prints_it() {
        assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--profile", "secure", "--token-secret", ""}))
                .hasMessageContaining("needs a token secret");
        assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--profile", "secure", "--token-secret", "short"}))
                .hasMessageContaining("at least 32 bytes");
        ChatConfig config = ChatConfig.fromArgs(new String[] {"--profile", "secure", "--token-secret", SECRET});
        assertThat(config.security().tokensRequired()).isTrue();
        assertThat(config.security().requireTls()).isTrue();
        assertThat(config.toString()).doesNotContain(SECRET).contains("tokenSecret=(set)");
        assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--profile", "open"})).hasMessageContaining("workshop or secure");
    }

    @Test
    void in_the_workshop_profile_clients_stay_anonymous_and_name_themselves() throws Exception {
        try (Cluster cluster = Cluster.start(1);
             ChatClient ada = ChatClient.connect("ada", cluster.node(1).wsUri())) {
            ada.sendRaw(Frames.joinAs("lobby", "ada"));
            await("joined").atMost(ofSeconds(5)).until(() -> !ada.framesOfType("joined").isEmpty());
            ada.say("hi");
            await("hi").atMost(ofSeconds(5)).until(() -> ada.texts().contains("hi"));
            assertThat(Frames.payloadOf(ada.framesOfType("message").get(0)).path("from").asText()).isEqualTo("ada");
            assertThat(post(cluster.node(1).httpUri().resolve("/login"), "{\"name\":\"ada\"}", Map.of()).statusCode())
                    .as("no secret, no tokens").isEqualTo(404);
        }
    }

    static HttpResponse<String> post(URI uri, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
