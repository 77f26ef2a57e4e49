package dev.chatlab.testkit.swarm;

import dev.chatlab.testkit.process.ManagedProcess;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.Signal;
import dev.chatlab.testkit.process.WorkDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A chat node as a separate JVM, started from a node jar with {@code --port --node --redis --admin-port},
 * so that SIGKILL, SIGSTOP and SIGTERM are real. It keeps its ports across {@link #restart()}.
 */
public final class ChatNodeProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path jar;
    private final String nodeId;
    private final URI redis;
    private final List<String> jvmOptions;
    private final List<String> nodeArgs;
    private final Path dir;
    private final int port;
    private final int adminPort;
    private volatile ManagedProcess process;

    private ChatNodeProcess(Path jar, String nodeId, URI redis, List<String> jvmOptions, List<String> nodeArgs) {
        this.jar = jar;
        this.nodeId = nodeId;
        this.redis = redis;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.nodeArgs = List.copyOf(nodeArgs);
        this.dir = WorkDirs.create(nodeId);
        this.port = Ports.free();
        this.adminPort = Ports.free();
    }

    /** JVM options for nodes in tests: a small heap, and a quick start. */
    public static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Starts a node with {@link #TEST_JVM} options and returns once its {@code /health} answers. */
    public static ChatNodeProcess start(Path jar, String nodeId, URI redis) {
        return start(jar, nodeId, redis, TEST_JVM, List.of());
    }

    /** Starts a node; {@code nodeArgs} are extra command-line options for the node (e.g. {@code --drain-window 2s}). */
    public static ChatNodeProcess start(Path jar, String nodeId, URI redis, List<String> jvmOptions, List<String> nodeArgs) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no node jar at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw package, or run the tests with ./mvnw verify)");
        }
        ChatNodeProcess node = new ChatNodeProcess(jar, nodeId, redis, jvmOptions, nodeArgs);
        node.launch();
        return node;
    }

    /** The node jar of a module, from its {@code target/}: {@code ../step5-loadbalancer/target/step5-loadbalancer.jar}. */
    public static Path jarOf(String module) {
        String configured = System.getProperty("chatlab.node.jar");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path here = Path.of("").toAbsolutePath();
        Path sibling = here.resolveSibling(module).resolve("target").resolve(module + ".jar");
        return Files.isRegularFile(sibling) ? sibling : here.resolve("target").resolve(module + ".jar");
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(),
                "--port", String.valueOf(port),
                "--admin-port", String.valueOf(adminPort),
                "--node", nodeId,
                "--redis", redis.toString()));
        command.addAll(nodeArgs);
        ManagedProcess started = ManagedProcess.start(nodeId, dir, command);
        process = started;
        try {
            started.awaitReady("GET /health on port " + port, START_TIMEOUT, () -> status("health") == 200);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    public String nodeId() {
        return nodeId;
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return process.log();
    }

    public URI wsUri() {
        return URI.create("ws://" + Ports.LOOPBACK + ":" + port + "/");
    }

    public URI httpUri() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port + "/");
    }

    /** The HTTP status of {@code GET /path} on this node, or -1 when it does not answer. */
    public int status(String path) {
        return statusOf(HttpRequest.newBuilder(httpUri().resolve(path)).GET());
    }

    public boolean isReady() {
        return status("ready") == 200;
    }

    /** Asks the node to drain through its loopback admin endpoint; returns the HTTP status, or -1. */
    public int drainViaAdmin() {
        return statusOf(HttpRequest.newBuilder(URI.create("http://" + Ports.LOOPBACK + ":" + adminPort + "/admin/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static int statusOf(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public void signal(Signal signal) {
        process.signal(signal);
    }

    /** SIGKILL: the node dies at once, as in a crash; returns when the process is gone. */
    public void kill() {
        process.signal(Signal.KILL);
        process.awaitExit(Duration.ofSeconds(10));
    }

    public boolean awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /** Starts the node again on the same ports (after a kill, a drain or a stop). */
    public void restart() {
        if (process.isAlive()) {
            process.stop();
        }
        launch();
    }

    /** Ends the node with SIGKILL: a test's teardown has no clients left to drain. */
    @Override
    public void close() {
        ManagedProcess current = process;
        if (current != null) {
            if (current.isAlive()) {
                current.signal(Signal.KILL);
                current.awaitExit(Duration.ofSeconds(10));
            }
            current.close();
        }
    }

    @Override
    public String toString() {
        return nodeId + " (pid " + process.pid() + ", port " + port + ")";
    }
}
