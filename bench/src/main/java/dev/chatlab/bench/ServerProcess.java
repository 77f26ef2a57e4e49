package dev.chatlab.bench;

import dev.chatlab.testkit.process.ManagedProcess;
import dev.chatlab.testkit.process.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * A server under measurement that is no swarm node (step 0's, step 2's, step 4's: no {@code --admin-port}), run by the
 * testkit's {@link ManagedProcess} as its own JVM from its jar on a free loopback port, and stopped by its PID.
 */
public final class ServerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private final ManagedProcess process;
    private final int port;

    private ServerProcess(ManagedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Runs {@code java [jvmArgs] -jar jar --port P} and returns once {@code GET /} answers. */
    public static ServerProcess start(Path jar, List<String> jvmArgs, Path log, Duration startupTimeout) {
        return start(jar, jvmArgs, List.of(), log, startupTimeout);
    }

    /**
     * Runs {@code java [jvmArgs] -jar jar --port P [serverArgs]} in {@code log}'s directory, its output appended to
     * {@code log}, and returns once {@code GET /} answers.
     */
    public static ServerProcess start(Path jar, List<String> jvmArgs, List<String> serverArgs, Path log, Duration startupTimeout) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no server jar at " + jar + "; build it first, e.g. ./mvnw -pl "
                    + jar.toAbsolutePath().getParent().getParent().getFileName() + " -am package -DskipTests");
        }
        int port = Ports.free();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--port", String.valueOf(port)));
        command.addAll(serverArgs);
        String name = log.getFileName().toString().replaceFirst("\\.log$", "");
        ServerProcess server = new ServerProcess(ManagedProcess.start(name, log.toAbsolutePath().getParent(), command), port);
        try {
            server.process.awaitReady("GET / on port " + port, startupTimeout, () -> server.answers());
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private boolean answers() {
        try {
            return HTTP.send(HttpRequest.newBuilder(httpUri()).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server", e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public URI httpUri() {
        return URI.create("http://" + Ports.LOOPBACK + ":" + port + "/");
    }

    public Path log() {
        return process.log();
    }

    /** SIGTERM to the PID, then SIGKILL if it has not exited within 10 s. */
    @Override
    public void close() {
        process.close();
    }
}
