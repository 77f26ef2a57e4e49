package dev.chatlab.testkit.redis;

import dev.chatlab.testkit.process.ManagedProcess;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.Signal;
import dev.chatlab.testkit.process.WorkDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Redis run from the OS's {@code redis-server} binary in a fixture directory, stopped by PID. */
final class LocalRedis implements RedisServer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);
    private static final Duration PING_TIMEOUT = Duration.ofMillis(250);

    private final RedisOptions options;
    private final Path binary;
    private final Path dir;
    private final String name;
    private final int port;
    private volatile ManagedProcess process;

    private LocalRedis(RedisOptions options, Path binary, Path dir, int port) {
        this.options = options;
        this.binary = binary;
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.port = port;
    }

    static LocalRedis start(RedisOptions options, Path binary) {
        LocalRedis redis = new LocalRedis(options, binary, WorkDirs.create(options.name()), Ports.free());
        redis.launch();
        LOG.info("{} ready at {} (local {}, dir {})", redis.name, redis.uri(), binary, redis.dir);
        return redis;
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", String.valueOf(port),
                "--bind", Ports.LOOPBACK,
                "--dir", dir.toString(),
                "--daemonize", "no"));
        command.addAll(options.serverArguments());
        ManagedProcess started = ManagedProcess.start(name, dir, command);
        process = started;
        try {
            started.awaitReady("PING to be answered on " + Ports.LOOPBACK + ":" + port, options.startTimeout(),
                    () -> answersPing(PING_TIMEOUT));
        } catch (RuntimeException e) {
            started.close();
            throw e;
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

    /** The PID of the current {@code redis-server} process; it changes on restart. */
    long pid() {
        return process.pid();
    }

    Path dir() {
        return dir;
    }

    @Override
    public boolean isRunning() {
        return process.isAlive();
    }

    @Override
    public synchronized void kill() {
        ManagedProcess current = process;
        current.signal(Signal.KILL);
        if (!current.awaitExit(Duration.ofSeconds(10))) {
            throw new IllegalStateException(current + " still runs 10 s after SIGKILL");
        }
    }

    @Override
    public synchronized void freeze() {
        process.signal(Signal.STOP);
    }

    @Override
    public synchronized void thaw() {
        process.signal(Signal.CONT);
    }

    @Override
    public synchronized void restart() {
        LOG.info("{} restarting on port {}", name, port);
        process.close();
        launch();
        LOG.info("{} ready again at {}", name, uri());
    }

    @Override
    public synchronized void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name + " (local redis-server at " + uri() + ")";
    }
}
