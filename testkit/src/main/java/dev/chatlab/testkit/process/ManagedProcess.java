package dev.chatlab.testkit.process;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An external program a test runs for real (Redis, HAProxy, a chat node in its own JVM): its output
 * goes to a log file in its directory, it is signalled by PID, and it never outlives the JVM that
 * started it.
 */
public final class ManagedProcess implements AutoCloseable {
    /** How long {@link #stop()} waits after SIGTERM before it sends SIGKILL. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int TAIL_LINES = 30;
    private static final String KILL = Executables.find("kill").map(Path::toString).orElse("kill");
    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

    // Kills what is still running when the JVM exits normally, by Ctrl-C or SIGTERM; the guard
    // process below covers a JVM that is killed outright, which runs no hooks.
    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ManagedProcess::killAllLive, "managed-process-cleanup"));
    }

    // Polls both PIDs and SIGKILLs the child once the JVM ($1) is gone. It ends by itself when the
    // child ($2) exits, so a PID recycled after the child is reaped is never signalled.
    private static final String GUARD_SCRIPT = String.join("\n",
            "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 1; done",
            "kill -0 \"$1\" 2>/dev/null || kill -s KILL \"$2\" 2>/dev/null",
            "exit 0");

    private final String name;
    private final Path dir;
    private final Path log;
    private final long logStart;
    private final List<String> command;
    private final Process process;
    private final Process guard;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ManagedProcess(String name, Path dir, Path log, long logStart, List<String> command,
                           Process process, Process guard) {
        this.name = name;
        this.dir = dir;
        this.log = log;
        this.logStart = logStart;
        this.command = command;
        this.process = process;
        this.guard = guard;
    }

    /** Starts {@code command} in {@code dir}, its stdout and stderr appended to {@code dir/<name>.log}. */
    public static ManagedProcess start(String name, Path dir, List<String> command) {
        return start(name, dir, command, Map.of());
    }

    /** Like {@link #start(String, Path, List)}, with extra environment variables for the program. */
    public static ManagedProcess start(String name, Path dir, List<String> command, Map<String, String> environment) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command given for " + name);
        }
        List<String> args = List.copyOf(command);
        Path log = dir.resolve(name + ".log");
        long logStart;
        Process process;
        try {
            Files.createDirectories(dir);
            // A restart appends to the same log, so each run is headed by its start time and command.
            Files.writeString(log, "=== " + Instant.now() + " starting: " + String.join(" ", args) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            logStart = Files.size(log);
            ProcessBuilder builder = new ProcessBuilder(args)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name + " (" + String.join(" ", args) + "): "
                    + e.getMessage(), e);
        }
        ManagedProcess started = new ManagedProcess(name, dir, log, logStart, args, process, startGuard(process));
        LIVE.add(started);
        LOG.info("{} started (pid {}), log {}", name, process.pid(), log);
        return started;
    }

    private static Process startGuard(Process child) {
        try {
            return new ProcessBuilder("sh", "-c", GUARD_SCRIPT, "guard",
                    String.valueOf(ProcessHandle.current().pid()), String.valueOf(child.pid()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            LOG.warn("could not start the guard for pid {}; it is only stopped by this JVM's shutdown hook", child.pid(), e);
            return null;
        }
    }

    private static void killAllLive() {
        for (ManagedProcess managed : LIVE) {
            managed.process.destroyForcibly();
            if (managed.guard != null) {
                managed.guard.destroyForcibly();
            }
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** The directory the program runs in; its log and data stay there after it stops. */
    public Path dir() {
        return dir;
    }

    /** The log file its stdout and stderr go to. */
    public Path log() {
        return log;
    }

    public List<String> command() {
        return command;
    }

    /** True until the process exits; a frozen ({@link Signal#STOP}) process is still alive. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process has exited; 128 + n when signal n ended it. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** What this run has written to its log so far (earlier runs in the same directory left out). */
    public String output() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(logStart, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + log, e);
        }
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, file.length() - 64 * 1024);
            byte[] bytes = new byte[(int) (file.length() - from)];
            file.seek(from);
            file.readFully(bytes);
            List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + log + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Waits until {@code ready} holds, polling it; fails fast, with the end of the log, when the
     * process exits first, and with the same details when {@code timeout} passes. A condition that
     * throws counts as not ready yet.
     */
    public ManagedProcess awaitReady(String what, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastError = null;
        while (true) {
            try {
                if (ready.getAsBoolean()) {
                    return this;
                }
                lastError = null;
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " (pid " + pid() + ") exited with code " + process.exitValue()
                        + " before it was ready (waiting for " + what + ")" + details());
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(name + " (pid " + pid() + ") was not ready within "
                        + format(timeout) + " (waiting for " + what + ")"
                        + (lastError == null ? "" : "; last check failed with " + lastError) + details());
            }
            // waitFor returns early when the process exits, so a crash is reported without delay.
            waitForExit(POLL);
        }
    }

    /** Waits until the loopback {@code port} accepts TCP connections. */
    public ManagedProcess awaitPort(int port, Duration timeout) {
        return awaitReady("port " + port + " on " + Ports.LOOPBACK + " to accept connections", timeout,
                () -> Ports.accepts(port));
    }

    /** Waits until this run's output contains {@code text}. */
    public ManagedProcess awaitOutput(String text, Duration timeout) {
        return awaitReady("\"" + text + "\" in its output", timeout, () -> output().contains(text));
    }

    /**
     * Sends {@code signal} to the process with {@code kill -s SIGNAL <pid>}.
     *
     * @throws IllegalStateException when the process has already exited, or kill fails
     */
    public void signal(Signal signal) {
        // Checked first: once this JVM has reaped the exited process, its PID may belong to another one.
        if (!process.isAlive()) {
            throw new IllegalStateException("cannot send SIG" + signal + " to " + name + " (pid " + pid()
                    + "): it exited with code " + process.exitValue());
        }
        try {
            Process kill = new ProcessBuilder(KILL, "-s", signal.name(), String.valueOf(pid()))
                    .redirectErrorStream(true)
                    .start();
            String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -s " + signal + " " + pid() + " did not return");
            }
            if (kill.exitValue() != 0 && process.isAlive()) {
                throw new IllegalStateException("kill -s " + signal + " " + pid() + " failed with code "
                        + kill.exitValue() + ": " + said);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run kill for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
        LOG.info("{} (pid {}) sent SIG{}", name, pid(), signal);
    }

    /** Waits up to {@code timeout} for the process to exit; true when it has. */
    public boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waitForExit(Duration.ofNanos(left));
        }
        return true;
    }

    /** SIGTERM, then SIGKILL if the process is still running after {@link #DEFAULT_GRACE}. */
    public void stop() {
        stop(DEFAULT_GRACE);
    }

    /** SIGTERM, then SIGKILL if the process is still running after {@code grace}; returns once it has exited. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        signalIfAlive(Signal.TERM);
        // A frozen process acts on the pending TERM only once it runs again.
        signalIfAlive(Signal.CONT);
        if (!awaitExit(grace)) {
            LOG.warn("{} (pid {}) still running {} after SIGTERM; sending SIGKILL", name, pid(), format(grace));
            signalIfAlive(Signal.KILL);
            if (!awaitExit(Duration.ofSeconds(10))) {
                throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL" + details());
            }
        }
        LOG.info("{} (pid {}) exited with code {}", name, pid(), process.exitValue());
    }

    private void signalIfAlive(Signal signal) {
        try {
            signal(signal);
        } catch (IllegalStateException e) {
            if (process.isAlive()) {
                throw e;
            }
        }
    }

    /** Stops the process (see {@link #stop()}); calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stop();
        } finally {
            if (guard != null) {
                guard.destroyForcibly();
            }
            LIVE.remove(this);
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }

    private String details() {
        String tail = logTail(TAIL_LINES).lines().map(line -> "  | " + line).collect(Collectors.joining("\n"));
        return "\ncommand: " + String.join(" ", command) + "\nlast lines of " + log + ":\n" + tail;
    }

    private void waitForExit(Duration timeout) {
        try {
            process.waitFor(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
