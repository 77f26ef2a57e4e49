package dev.chatlab.chaos;

import dev.chatlab.testkit.process.Executables;
import dev.chatlab.testkit.process.ManagedProcess;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.WorkDirs;
import dev.chatlab.toxiproxy.ToxiproxyServer;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.toxiproxy.ToxiproxyContainer;

/**
 * The Toxiproxy the chaos suite drives through the official Java client: a real {@code toxiproxy-server} when one
 * is on the PATH, else the Toxiproxy image when Docker runs, else the project's in-JVM server (the choice is
 * {@link #choose}; {@code -Dchaos.toxiproxy} overrides it).
 */
public final class ToxiproxyEndpoint implements AutoCloseable {
    /** System property that picks the kind: {@code binary}, {@code docker}, {@code jvm} or {@code auto}. */
    public static final String KIND_PROPERTY = "chaos.toxiproxy";
    /** Environment variable read when the system property is not set. */
    public static final String KIND_ENV = "CHAOS_TOXIPROXY";
    /** The image run under Docker: the release whose API the in-JVM server follows. */
    static final String IMAGE = "ghcr.io/shopify/toxiproxy:" + ToxiproxyServer.VERSION;

    private static final Logger log = LoggerFactory.getLogger(ToxiproxyEndpoint.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /** Where the Toxiproxy comes from. */
    public enum Kind {
        /** {@code toxiproxy-server} from the PATH, as a process of its own. */
        BINARY,
        /** The Toxiproxy image, run by Testcontainers on the host's network. */
        DOCKER,
        /** {@code dev.chatlab.toxiproxy.ToxiproxyServer}, in this JVM. */
        JVM
    }

    private final Kind kind;
    private final String host;
    private final int port;
    private final AutoCloseable running;

    private ToxiproxyEndpoint(Kind kind, String host, int port, AutoCloseable running) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.running = running;
    }

    /**
     * What the setting asks for: a kind, or nothing ({@code auto}, blank or unset) to let {@link #choose}
     * decide. The system property wins over the environment variable.
     */
    static Optional<Kind> requested(String property, String environment) {
        String value = property != null && !property.isBlank() ? property : environment;
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> Optional.empty();
            case "binary" -> Optional.of(Kind.BINARY);
            case "docker" -> Optional.of(Kind.DOCKER);
            case "jvm" -> Optional.of(Kind.JVM);
            default -> throw new IllegalArgumentException(KIND_PROPERTY + "=" + value
                    + " is not a Toxiproxy: use binary, docker, jvm or auto");
        };
    }

    /**
     * The kind to use: the requested one when it is there, otherwise a real Toxiproxy (the binary, then Docker)
     * before the in-JVM one. Docker is only probed when the answer depends on it, because probing is slow.
     */
    static Kind choose(Optional<Kind> requested, boolean binaryOnPath, BooleanSupplier dockerAvailable) {
        if (requested.isPresent()) {
            Kind kind = requested.get();
            if (kind == Kind.BINARY && !binaryOnPath) {
                throw new IllegalStateException(KIND_PROPERTY + "=binary, but there is no toxiproxy-server on the PATH");
            }
            if (kind == Kind.DOCKER && !dockerAvailable.getAsBoolean()) {
                throw new IllegalStateException(KIND_PROPERTY + "=docker, but Testcontainers finds no Docker daemon");
            }
            return kind;
        }
        if (binaryOnPath) {
            return Kind.BINARY;
        }
        return dockerAvailable.getAsBoolean() ? Kind.DOCKER : Kind.JVM;
    }

    /** Starts the Toxiproxy the settings and the machine call for, and returns once its API answers. */
    public static ToxiproxyEndpoint start() {
        Optional<Path> binary = Executables.find("toxiproxy-server");
        Kind kind = choose(requested(System.getProperty(KIND_PROPERTY), System.getenv(KIND_ENV)), binary.isPresent(),
                ToxiproxyEndpoint::dockerAvailable);
        ToxiproxyEndpoint endpoint = switch (kind) {
            case BINARY -> startBinary(binary.orElseThrow());
            case DOCKER -> startContainer();
            case JVM -> startInJvm();
        };
        log.info("toxiproxy ({}) at {}:{}", endpoint.kind, endpoint.host, endpoint.port);
        return endpoint;
    }

    private static ToxiproxyEndpoint startBinary(Path binary) {
        int port = Ports.free();
        ManagedProcess process = ManagedProcess.start("toxiproxy", WorkDirs.create("toxiproxy"),
                List.of(binary.toString(), "-host", Ports.LOOPBACK, "-port", String.valueOf(port)));
        try {
            process.awaitPort(port, START_TIMEOUT);
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return new ToxiproxyEndpoint(Kind.BINARY, Ports.LOOPBACK, port, process);
    }

    private static ToxiproxyEndpoint startContainer() {
        int port = Ports.free();
        // On the host's network the proxies listen on loopback ports, and reach Redis, the nodes and HAProxy there.
        ToxiproxyContainer container = new ToxiproxyContainer(IMAGE)
                .withNetworkMode("host")
                .withCommand("-host=" + Ports.LOOPBACK, "-port=" + port)
                .waitingFor(new AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                        long deadline = System.nanoTime() + startupTimeout.toNanos();
                        while (!Ports.accepts(port)) {
                            if (System.nanoTime() - deadline > 0) {
                                throw new IllegalStateException("the Toxiproxy container's API did not open port " + port);
                            }
                            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                        }
                    }
                }.withStartupTimeout(START_TIMEOUT));
        container.start();
        return new ToxiproxyEndpoint(Kind.DOCKER, Ports.LOOPBACK, port, container::stop);
    }

    private static ToxiproxyEndpoint startInJvm() {
        ToxiproxyServer server = ToxiproxyServer.start(Ports.LOOPBACK, 0);
        return new ToxiproxyEndpoint(Kind.JVM, server.host(), server.port(), server);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** A client of this Toxiproxy's HTTP API. */
    public ToxiproxyClient client() {
        return new ToxiproxyClient(host, port);
    }

    @Override
    public void close() {
        try {
            running.close();
        } catch (Exception e) {
            log.warn("toxiproxy ({}) did not stop cleanly: {}", kind, e.toString());
        }
    }

    @Override
    public String toString() {
        return "toxiproxy (" + kind.name().toLowerCase(Locale.ROOT) + ") at " + host + ":" + port;
    }
}
