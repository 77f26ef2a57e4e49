package dev.chatlab.toxiproxy;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.Toxic;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The proxy half of Toxiproxy's API, driven by the official client as a chaos test drives a real Toxiproxy. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProxyApiTest {
    private static ToxiproxyServer server;
    private static ToxiproxyClient client;
    private EchoServer echo;

    @BeforeAll
    static void startServer() {
        server = ToxiproxyServer.start("127.0.0.1", 0);
        client = new ToxiproxyClient(server.host(), server.port());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void startEcho() throws IOException {
        echo = EchoServer.start();
    }

    @AfterEach
    void deleteProxies() throws IOException {
        for (Proxy proxy : client.getProxies()) {
            proxy.delete();
        }
        echo.close();
    }

    @Test
    void a_new_proxy_listens_on_a_free_port_reports_it_and_relays_to_its_upstream() throws IOException {
        Proxy proxy = client.createProxy("echo", "127.0.0.1:0", echo.address());

        assertThat(proxy.getName()).isEqualTo("echo");
        assertThat(proxy.getUpstream()).isEqualTo(echo.address());
        assertThat(proxy.isEnabled()).isTrue();
        assertThat(port(proxy)).isPositive();
        try (TcpClient peer = TcpClient.connect(port(proxy))) {
            peer.send("hello");
            await("the echo through the proxy").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(peer.text()).isEqualTo("hello"));
        }
    }

    @Test
    void proxies_are_listed_and_fetched_by_name() throws IOException {
        client.createProxy("redis", "127.0.0.1:0", echo.address());
        Proxy node = client.createProxy("node-1", "127.0.0.1:0", "127.0.0.1:1");

        assertThat(client.getProxies()).extracting(Proxy::getName).containsExactly("node-1", "redis");
        Proxy fetched = client.getProxy("node-1");
        assertThat(fetched.getListen()).isEqualTo(node.getListen());
        assertThat(fetched.getUpstream()).isEqualTo("127.0.0.1:1");
        assertThat(fetched.isEnabled()).isTrue();
    }

    @Test
    void a_deleted_proxy_is_gone_its_connections_are_closed_and_its_port_refuses_clients() throws IOException {
        Proxy proxy = client.createProxy("doomed", "127.0.0.1:0", echo.address());
        try (TcpClient peer = TcpClient.connect(port(proxy))) {
            proxy.delete();

            await("the open connection is closed").atMost(ofSeconds(5)).until(peer::hasEnded);
            assertThat(client.getProxyOrNull("doomed")).isNull();
            assertThat(client.getProxies()).isEmpty();
            assertRefused(port(proxy));
        }
    }

    @Test
    void a_second_proxy_with_the_same_name_is_a_conflict() throws IOException {
        client.createProxy("twice", "127.0.0.1:0", echo.address());

        assertThatThrownBy(() -> client.createProxy("twice", "127.0.0.1:0", echo.address()))
                .isInstanceOf(IOException.class)
                .hasMessage("[409] proxy already exists");
    }

    @Test
    void an_unknown_proxy_or_toxic_is_not_found() throws IOException {
        assertThatThrownBy(() -> client.getProxy("nowhere"))
                .isInstanceOf(IOException.class)
                .hasMessage("[404] proxy not found");
        Proxy proxy = client.createProxy("known", "127.0.0.1:0", echo.address());
        assertThatThrownBy(() -> proxy.toxics().get("nothing"))
                .isInstanceOf(IOException.class)
                .hasMessage("[404] toxic not found");
    }

    @Test
    void a_second_toxic_with_the_same_name_is_a_conflict() throws IOException {
        Proxy proxy = client.createProxy("toxic-twice", "127.0.0.1:0", echo.address());
        proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 10);

        assertThatThrownBy(() -> proxy.toxics().bandwidth("slow", ToxicDirection.UPSTREAM, 10))
                .isInstanceOf(IOException.class)
                .hasMessage("[409] toxic already exists");
    }

    @Test
    void disabling_a_proxy_drops_its_connections_and_refuses_new_ones_until_it_is_enabled_again() throws IOException {
        Proxy proxy = client.createProxy("flaky", "127.0.0.1:0", echo.address());
        String listen = proxy.getListen();
        try (TcpClient before = TcpClient.connect(port(proxy))) {
            proxy.disable();

            assertThat(proxy.isEnabled()).isFalse();
            await("the open connection is dropped").atMost(ofSeconds(5)).until(before::hasEnded);
            assertRefused(port(proxy));
        }

        proxy.enable();

        assertThat(proxy.isEnabled()).isTrue();
        assertThat(proxy.getListen()).isEqualTo(listen);
        try (TcpClient after = TcpClient.connect(port(proxy))) {
            after.send("back");
            await("the echo after enabling").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(after.text()).isEqualTo("back"));
        }
    }

    @Test
    void reset_enables_every_proxy_and_removes_every_toxic() throws IOException {
        // The client's reset() re-reads every proxy it ever created, and fails on one deleted since: a fresh client.
        ToxiproxyClient client = new ToxiproxyClient(server.host(), server.port());
        Proxy first = client.createProxy("first", "127.0.0.1:0", echo.address());
        Proxy second = client.createProxy("second", "127.0.0.1:0", echo.address());
        first.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 100);
        second.toxics().bandwidth("thin", ToxicDirection.UPSTREAM, 1);
        second.disable();

        client.reset();

        for (String name : List.of("first", "second")) {
            Proxy proxy = client.getProxy(name);
            assertThat(proxy.isEnabled()).as(name + " enabled").isTrue();
            assertThat(proxy.toxics().getAll()).as(name + " toxics").isEmpty();
        }
        assertThat(second.isEnabled()).as("the client refreshed its own view").isTrue();
        try (TcpClient peer = TcpClient.connect(port(second))) {
            peer.send("clean");
            await("the echo after reset").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(peer.text()).isEqualTo("clean"));
        }
    }

    @Test
    void toxics_are_listed_upstream_first_and_their_attributes_and_toxicity_can_be_updated() throws IOException {
        Proxy proxy = client.createProxy("tuned", "127.0.0.1:0", echo.address());
        proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 100);
        proxy.toxics().limitData("capped", ToxicDirection.UPSTREAM, 1000);

        Latency latency = proxy.toxics().get("slow", Latency.class).setJitter(20);
        latency.setToxicity(0.5f);

        Latency fetched = proxy.toxics().get("slow", Latency.class);
        assertThat(fetched.getLatency()).isEqualTo(100);
        assertThat(fetched.getJitter()).isEqualTo(20);
        assertThat(fetched.getToxicity()).isEqualTo(0.5f);
        assertThat(fetched.getStream()).isEqualTo(ToxicDirection.DOWNSTREAM);
        assertThat(proxy.toxics().getAll()).extracting(Toxic::getName).containsExactly("capped", "slow");

        fetched.remove();
        assertThat(proxy.toxics().getAll()).extracting(Toxic::getName).containsExactly("capped");
    }

    @Test
    void a_toxic_posted_without_name_or_stream_is_downstream_and_named_after_its_type_and_stream() throws Exception {
        client.createProxy("raw", "127.0.0.1:0", echo.address());

        HttpResponse<String> created = post("/proxies/raw/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":10}}");

        assertThat(created.statusCode()).isEqualTo(200);
        JsonNode toxic = new ObjectMapper().readTree(created.body());
        assertThat(toxic.get("name").asText()).isEqualTo("latency_downstream");
        assertThat(toxic.get("stream").asText()).isEqualTo("downstream");
        assertThat(toxic.get("toxicity").asDouble()).isEqualTo(1.0);
        assertThat(toxic.get("attributes").get("jitter").asLong()).isZero();
    }

    @Test
    void a_bad_request_is_answered_with_toxiproxys_json_error() throws Exception {
        client.createProxy("strict", "127.0.0.1:0", echo.address());

        assertError(post("/proxies", "{\"name\":\"no-upstream\"}"), 400, "missing required field: upstream");
        assertError(post("/proxies/strict/toxics", "{\"type\":\"teleport\"}"), 400, "invalid toxic type");
        assertError(post("/proxies/strict/toxics", "{\"type\":\"latency\",\"stream\":\"sideways\"}"), 400,
                "stream was invalid, can be either upstream or downstream");
        assertError(post("/proxies/ghost/toxics", "{\"type\":\"latency\"}"), 404, "proxy not found");
    }

    @Test
    void a_browser_is_refused() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.apiUri().resolve("/proxies"))
                .header("User-Agent", "Mozilla/5.0").GET().build();

        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void version_names_the_toxiproxy_api_it_follows() throws IOException {
        assertThat(client.version()).contains(ToxiproxyServer.VERSION);
    }

    private static int port(Proxy proxy) {
        return Integer.parseInt(proxy.getListen().substring(proxy.getListen().lastIndexOf(':') + 1));
    }

    private static void assertRefused(int port) {
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.apiUri() + path.substring(1)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> response, int status, String message) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        JsonNode error = new ObjectMapper().readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo(message);
        assertThat(error.get("status").asInt()).isEqualTo(status);
    }
}
