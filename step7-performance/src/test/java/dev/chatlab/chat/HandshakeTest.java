package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.HttpJson;
import dev.chatlab.testkit.RawWebSocket;
import io.javalin.Javalin;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** What a node decides before a socket exists: origins, compression, connection caps, and where its admin listens. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HandshakeTest {

    @Test
    void a_handshake_from_a_foreign_origin_is_refused_with_403_before_any_upgrade() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient bystander = ChatClient.connect("bystander", cluster.node(1).wsUri()).joinAndWait("lobby");
             RawWebSocket evil = RawWebSocket.handshake(cluster.node(1).wsUri(), Map.of("Origin", "https://evil.example"))) {
            assertThat(evil.status()).isEqualTo(403);
            assertThat(evil.upgraded()).isFalse();
            assertThat(evil.header("Upgrade")).as("no upgrade").isNull();
            assertThat(evil.header("Sec-WebSocket-Accept")).isNull();
            assertThat(evil.body()).contains("origin");
            assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_handshakes_refused_total", "reason=\"origin\"")).isEqualTo(1);
            assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_connections")).as("only the bystander holds a socket").isEqualTo(1);
            bystander.say("still here");
            await("the bystander is unaffected").atMost(ofSeconds(5)).until(() -> bystander.texts().contains("still here"));
        }
    }

    @Test
    void the_pages_own_origin_localhost_pages_and_clients_without_an_origin_are_admitted_by_default() {
        try (Cluster cluster = Cluster.start(1)) {
            URI ws = cluster.node(1).wsUri();
            String self = "http://" + ws.getHost() + ":" + ws.getPort();
            for (String origin : List.of(self, "http://localhost:5555", "http://127.0.0.1:8080", "https://localhost")) {
                try (RawWebSocket wire = RawWebSocket.handshake(ws, Map.of("Origin", origin))) {
                    assertThat(wire.status()).as(origin).isEqualTo(101);
                }
            }
            try (RawWebSocket plain = RawWebSocket.handshake(ws, Map.of())) {
                assertThat(plain.status()).as("no Origin: not a browser").isEqualTo(101);
            }
            for (String origin : List.of("null", "http://localhost.evil.example", "http://127.0.0.1.evil.example:80",
                    "file://", "http://evil.example/http://localhost")) {
                try (RawWebSocket wire = RawWebSocket.handshake(ws, Map.of("Origin", origin))) {
                    assertThat(wire.status()).as(origin).isEqualTo(403);
                }
            }
        }
    }

    @Test
    void an_allow_list_of_origins_admits_exactly_those() {
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(c.security().withOrigins(List.of("https://chat.example.com"))))) {
            URI ws = cluster.node(1).wsUri();
            try (RawWebSocket wire = RawWebSocket.handshake(ws, Map.of("Origin", "https://chat.example.com"))) {
                assertThat(wire.status()).isEqualTo(101);
            }
            for (String origin : List.of("http://chat.example.com", "https://chat.example.com:8443",
                    "https://chat.example.com.evil.example", "https://evil.example", "http://localhost:5555",
                    "http://" + ws.getHost() + ":" + ws.getPort())) {
                try (RawWebSocket wire = RawWebSocket.handshake(ws, Map.of("Origin", origin))) {
                    assertThat(wire.status()).as(origin).isEqualTo(403);
                }
            }
        }
    }

    @Test
    void a_client_offering_permessage_deflate_gets_no_compression() {
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        // The same offer to a bare Javalin app shows what the node turns off: Jetty accepts it by default.
        Javalin bare = Javalin.create(c -> c.routes.ws("/", ws -> { })).start("127.0.0.1", 0);
        try (RawWebSocket wire = RawWebSocket.handshake(URI.create("ws://127.0.0.1:" + bare.port() + "/"), offer)) {
            assertThat(wire.status()).isEqualTo(101);
            assertThat(wire.header("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
        } finally {
            bare.stop();
        }
        try (Cluster cluster = Cluster.start(1);
             RawWebSocket wire = RawWebSocket.handshake(cluster.node(1).wsUri(), offer)) {
            assertThat(wire.status()).isEqualTo(101);
            assertThat(wire.header("Sec-WebSocket-Extensions")).as("no extension negotiated").isNull();
            wire.sendText("{\"type\":\"ping\"}");
            assertThat(wire.readSkippingPings().text()).contains("pong");
        }
    }

    @Test
    void connections_past_the_cap_get_503_before_the_upgrade_and_the_node_stays_healthy() {
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(c.security().withConnectionCaps(6, 3)))) {
            URI ws = cluster.node(1).wsUri();
            List<RawWebSocket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    // Past the gate, refused by Jetty: the place it was given must come back.
                    try (RawWebSocket badVersion = RawWebSocket.handshake(ws, Map.of("Sec-WebSocket-Version", "8"))) {
                        assertThat(badVersion.status()).isNotEqualTo(101);
                    }
                }
                for (int i = 0; i < 3; i++) {
                    open.add(admitted(ws, Map.of()));
                }
                try (RawWebSocket fourth = RawWebSocket.handshake(ws, Map.of())) {
                    assertThat(fourth.status()).as("a 4th from 127.0.0.1").isEqualTo(503);
                    assertThat(fourth.header("Upgrade")).isNull();
                }
                // 127.0.0.1 is a trusted proxy (HAProxy's address), so its X-Forwarded-For names the client.
                for (int i = 0; i < 3; i++) {
                    open.add(admitted(ws, Map.of("X-Forwarded-For", "10.0.0.1")));
                }
                try (RawWebSocket seventh = RawWebSocket.handshake(ws, Map.of("X-Forwarded-For", "10.0.0.2"))) {
                    assertThat(seventh.status()).as("the node holds 6").isEqualTo(503);
                }
                assertThat(HttpJson.get(cluster.node(1).httpUri(), "health").status()).isEqualTo(200);
                assertThat(HttpJson.get(cluster.node(1).httpUri(), "ready").status()).isEqualTo(200);
                assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_handshakes_refused_total", "reason=\"capacity\"")).isEqualTo(2);
                assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_connections")).isEqualTo(6);

                open.remove(0).close();
                await("a closed socket gives its place back").atMost(ofSeconds(5)).until(() -> {
                    try (RawWebSocket again = RawWebSocket.handshake(ws, Map.of())) {
                        return again.upgraded();
                    }
                });
            } finally {
                open.forEach(RawWebSocket::close);
            }
        }
    }

    @Test
    void x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(c.security().withConnectionCaps(100, 2)
                .withTrustedProxies(List.of())))) {
            URI ws = cluster.node(1).wsUri();
            try (RawWebSocket a = admitted(ws, Map.of("X-Forwarded-For", "10.0.0.1"));
                 RawWebSocket b = admitted(ws, Map.of("X-Forwarded-For", "10.0.0.2"));
                 RawWebSocket c = RawWebSocket.handshake(ws, Map.of("X-Forwarded-For", "10.0.0.3"))) {
                assertThat(c.status()).as("all three are 127.0.0.1, whatever they claim").isEqualTo(503);
            }
        }
    }

    private static RawWebSocket admitted(URI ws, Map<String, String> headers) {
        RawWebSocket wire = RawWebSocket.handshake(ws, headers);
        assertThat(wire.status()).as("admitted with " + headers).isEqualTo(101);
        return wire;
    }
}
