package dev.chatlab.testkit.redis;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A Redis run from the {@code redis:7-alpine} image by Testcontainers, published on a fixed loopback
 * port so that a restarted container keeps its address; frozen with docker pause.
 */
final class ContainerRedis implements RedisServer {
    static final String IMAGE = "redis:7-alpine";

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRedis.class);
    private static final int REDIS_PORT = 6379;
    private static final Duration PING_TIMEOUT = Duration.ofMillis(250);

    private final RedisOptions options;
    private final Path dir;
    private final String name;
    private final int port;
    private final GenericContainer<?> container;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ContainerRedis(RedisOptions options, Path dir, int port, GenericContainer<?> container) {
        this.options = options;
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.port = port;
        this.container = container;
    }

    /** Whether Testcontainers can reach a Docker daemon; false instead of an error when it cannot. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static ContainerRedis start(RedisOptions options) {
        Path dir = WorkDirs.create(options.name());
        int port = Ports.free();
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(REDIS_PORT)));
        command.addAll(options.serverArguments());
        ExposedPort exposed = ExposedPort.tcp(REDIS_PORT);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCommand(command.toArray(String[]::new))
                // A fixed host port, unlike Testcontainers' random mapping, survives a stop and start of the container.
                .withCreateContainerCmdModifier(create -> {
                    create.withExposedPorts(exposed);
                    create.getHostConfig().withPortBindings(
                            new PortBinding(com.github.dockerjava.api.model.Ports.Binding.bindIpAndPort(Ports.LOOPBACK, port), exposed));
                })
                .waitingFor(Wait.forLogMessage("(?s).*Ready to accept connections.*", 1)
                        .withStartupTimeout(options.startTimeout()));
        ContainerRedis redis = new ContainerRedis(options, dir, port, container);
        try {
            container.start();
            redis.awaitPong();
        } catch (RuntimeException e) {
            redis.close();
            throw new IllegalStateException("could not start " + redis.name + " from " + IMAGE + "; log in "
                    + redis.log(), e);
        }
        LOG.info("{} ready at {} (docker {}, container {}, log {})", redis.name, redis.uri(), IMAGE,
                container.getContainerId(), redis.log());
        return redis;
    }

    private Path log() {
        return dir.resolve(name + ".log");
    }

    private DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    private String id() {
        return container.getContainerId();
    }

    private InspectContainerResponse.ContainerState state() {
        return docker().inspectContainerCmd(id()).exec().getState();
    }

    private void awaitPong() {
        try {
            await(name + " to answer PING").atMost(options.startTimeout()).pollInterval(Duration.ofMillis(20))
                    .until(() -> answersPing(PING_TIMEOUT));
        } catch (ConditionTimeoutException e) {
            saveLog();
            throw new IllegalStateException(name + " did not answer PING on " + uri() + " within "
                    + options.startTimeout() + "; log in " + log(), e);
        }
    }

    // Docker keeps a container's output across its restarts, so the whole log is written out at once.
    private void saveLog() {
        if (id() == null) {
            return;
        }
        try {
            Files.writeString(log(), container.getLogs(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + log(), e);
        } catch (RuntimeException e) {
            LOG.warn("could not read the output of {}", name, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String host() {
        return Ports.LOOPBACK;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean isRunning() {
        return !closed.get() && container.isRunning();
    }

    @Override
    public synchronized void kill() {
        docker().killContainerCmd(id()).withSignal("KILL").exec();
        await(name + " to exit after SIGKILL").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> !Boolean.TRUE.equals(state().getRunning()));
        LOG.info("{} killed", name);
    }

    @Override
    public synchronized void freeze() {
        docker().pauseContainerCmd(id()).exec();
        LOG.info("{} paused", name);
    }

    @Override
    public synchronized void thaw() {
        docker().unpauseContainerCmd(id()).exec();
        LOG.info("{} unpaused", name);
    }

    @Override
    public synchronized void restart() {
        LOG.info("{} restarting on port {}", name, port);
        InspectContainerResponse.ContainerState state = state();
        if (Boolean.TRUE.equals(state.getPaused())) {
            docker().unpauseContainerCmd(id()).exec();
        }
        if (Boolean.TRUE.equals(state.getRunning())) {
            // docker stop sends SIGTERM, so Redis flushes its append-only file, and SIGKILL after the timeout.
            docker().stopContainerCmd(id()).withTimeout(10).exec();
        }
        // The same container keeps its filesystem, so /data and its append-only file are still there.
        docker().startContainerCmd(id()).exec();
        awaitPong();
        LOG.info("{} ready again at {}", name, uri());
    }

    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (id() != null && Boolean.TRUE.equals(state().getPaused())) {
                docker().unpauseContainerCmd(id()).exec();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not unpause {} before stopping it", name, e);
        } finally {
            saveLog();
            container.stop();
        }
    }

    @Override
    public String toString() {
        return name + " (" + IMAGE + " at " + uri() + ")";
    }
}
