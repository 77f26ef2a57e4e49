package dev.chatlab.testkit.haproxy;

import dev.chatlab.testkit.process.Executables;
import dev.chatlab.testkit.process.ManagedProcess;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.Signal;
import dev.chatlab.testkit.process.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HAProxy for one test, run from the OS's {@code haproxy} on free loopback ports with one of the
 * repository's configurations pointed at the given nodes, and stopped by PID.
 */
public final class HaproxyServer implements AutoCloseable {
    static final String HOW_TO_INSTALL =
            "install haproxy (on Debian/Ubuntu: apt-get install haproxy), or run ./lab test, which installs it";

    private static final Logger LOG = LoggerFactory.getLogger(HaproxyServer.class);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final HaproxyOptions options;
    private final Path binary;
    private final Path dir;
    private final Path config;
    private final String name;
    private final int port;
    private final int statsPort;
    private volatile ManagedProcess process;

    private HaproxyServer(HaproxyOptions options, Path binary, Path dir, Path config, int port, int statsPort) {
        this.options = options;
        this.binary = binary;
        this.dir = dir;
        this.config = config;
        this.name = dir.getFileName().toString();
        this.port = port;
        this.statsPort = statsPort;
    }

    /** Starts HAProxy balancing with least connections over {@code nodes}; returns once its port accepts. */
    public static HaproxyServer start(List<InetSocketAddress> nodes) {
        return start(HaproxyOptions.defaults().withNodes(nodes));
    }

    /** Starts HAProxy with {@code balancing} over {@code nodes}; returns once its port accepts. */
    public static HaproxyServer start(Balancing balancing, List<InetSocketAddress> nodes) {
        return start(HaproxyOptions.defaults().withBalancing(balancing).withNodes(nodes));
    }

    /**
     * Renders the configuration for {@code options} into a new fixture directory, starts HAProxy on two
     * free loopback ports (clients, stats) and returns once the client port accepts connections. The
     * nodes need not be up yet: HAProxy takes each into rotation once its {@code /ready} answers 200.
     */
    public static HaproxyServer start(HaproxyOptions options) {
        Path binary = requireBinary(Executables.find("haproxy"));
        String rendered;
        Path template = options.templateOrDefault();
        try {
            rendered = HaproxyConfig.render(Files.readString(template, StandardCharsets.UTF_8), options.nodes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + template, e);
        }
        Path dir = WorkDirs.create(options.name());
        Path config = dir.resolve("haproxy.cfg");
        try {
            Files.writeString(config, rendered, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + config, e);
        }
        HaproxyServer haproxy = new HaproxyServer(options, binary, dir, config, Ports.free(), Ports.free());
        haproxy.launch();
        LOG.info("{} ready at {} ({}, {} nodes: {}; stats {}; dir {})", haproxy.name, haproxy.httpUri(),
                options.balancing(), options.nodes().size(), options.nodes(), haproxy.statsUri(), dir);
        return haproxy;
    }

    /**
     * Runs {@code haproxy -c -f config}, HAProxy's own check of a configuration, and returns what it
     * printed (warnings included).
     *
     * @throws IllegalStateException with that output when the configuration is invalid
     */
    public static String check(Path config) {
        Path binary = requireBinary(Executables.find("haproxy"));
        List<String> command = List.of(binary.toString(), "-c", "-f", config.toString());
        try {
            Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
            check.getOutputStream().close();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!check.waitFor(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                check.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + CHECK_TIMEOUT);
            }
            if (check.exitValue() != 0) {
                throw new IllegalStateException(config + " is not a valid HAProxy configuration ("
                        + String.join(" ", command) + " exited with " + check.exitValue() + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + config, e);
        }
    }

    static Path requireBinary(Optional<Path> found) {
        return found.orElseThrow(() -> new IllegalStateException(
                "the tests need HAProxy, but there is no haproxy on the PATH or in the sbin directories: " + HOW_TO_INSTALL));
    }

    private void launch() {
        List<String> command = List.of(binary.toString(), "-db", "-f", config.toString());
        // The configuration reads where to listen from these, with the lab's ports as defaults.
        Map<String, String> environment = Map.of(
                "LB_BIND", Ports.LOOPBACK + ":" + port,
                "STATS_BIND", Ports.LOOPBACK + ":" + statsPort);
        ManagedProcess started = ManagedProcess.start(name, dir, command, environment);
        process = started;
        try {
            started.awaitPort(port, options.startTimeout());
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** The fixture's name, e.g. {@code haproxy-2}, as used for its directory and log. */
    public String name() {
        return name;
    }

    /** Always a loopback address. */
    public String host() {
        return Ports.LOOPBACK;
    }

    /** The port clients connect to (WebSocket and HTTP); it stays the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    /** The port of the stats page; it stays the same across {@link #restart()}. */
    public int statsPort() {
        return statsPort;
    }

    /** {@code ws://127.0.0.1:PORT/}, where chat clients open their WebSocket. */
    public URI wsUri() {
        return URI.create("ws://" + host() + ":" + port + "/");
    }

    /** {@code http://127.0.0.1:PORT/}, the base for the page, the history API and the nodes' endpoints. */
    public URI httpUri() {
        return URI.create("http://" + host() + ":" + port + "/");
    }

    /** {@code http://127.0.0.1:STATS_PORT/}, HAProxy's stats page (append {@code ;csv} for CSV). */
    public URI statsUri() {
        return URI.create("http://" + host() + ":" + statsPort + "/");
    }

    /** The node addresses, in order: the first is {@code node-1}. */
    public List<String> nodes() {
        return options.nodes();
    }

    public Balancing balancing() {
        return options.balancing();
    }

    /** The rendered configuration HAProxy runs with. */
    public Path config() {
        return config;
    }

    /** The directory HAProxy runs in; its configuration and log stay there after it stops. */
    public Path dir() {
        return dir;
    }

    /** HAProxy's log: its own messages and one line per request. */
    public Path log() {
        return process.log();
    }

    /** The PID of the current {@code haproxy} process; it changes on restart. */
    public long pid() {
        return process.pid();
    }

    /** True from start until it is killed or closed. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * What HAProxy thinks of each server of the backend {@code nodes} right now, read from its stats
     * page: {@code node-1 -> UP}, {@code DOWN}, {@code MAINT}, or a transition such as {@code UP 1/2}
     * (one failed check of the two that take it out).
     */
    public Map<String, String> nodeStates() {
        String csv;
        URI uri = statsUri().resolve("/;csv");
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + response.statusCode());
            }
            csv = response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + name + "'s stats at " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + uri, e);
        }
        return nodeStates(csv);
    }

    static Map<String, String> nodeStates(String csv) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            throw new IllegalStateException("not HAProxy stats CSV: " + csv);
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(",", -1));
        int proxy = header.indexOf("pxname");
        int server = header.indexOf("svname");
        int status = header.indexOf("status");
        Map<String, String> states = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > status && "nodes".equals(fields[proxy])
                    && !"FRONTEND".equals(fields[server]) && !"BACKEND".equals(fields[server])) {
                states.put(fields[server], fields[status]);
            }
        }
        return states;
    }

    /**
     * Stops HAProxy if it runs, then starts it again on the same ports with the same configuration, and
     * returns once its port accepts. Open connections are cut, as in a real restart.
     */
    public synchronized void restart() {
        LOG.info("{} restarting on port {}", name, port);
        process.close();
        launch();
        LOG.info("{} ready again at {}", name, httpUri());
    }

    /** Ends HAProxy at once (SIGKILL), as a crash would; returns when it has exited. */
    public synchronized void kill() {
        ManagedProcess current = process;
        current.signal(Signal.KILL);
        if (!current.awaitExit(Duration.ofSeconds(10))) {
            throw new IllegalStateException(current + " still runs 10 s after SIGKILL");
        }
    }

    /** Stops HAProxy; its directory, configuration and log stay for inspection. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name + " (haproxy at " + httpUri() + ", " + options.balancing() + " over " + options.nodes() + ")";
    }
}
