package dev.chatlab.testkit.process;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A program the process tests run in a JVM of its own: {@code listen PORT} accepts connections on a
 * loopback port; {@code start-sleeper DIR} starts {@code sleep} as a {@link ManagedProcess} and
 * prints its PID, so that a test can kill this JVM and watch what happens to the sleeper.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The command that runs this program with {@code args}, on the test JVM's own class path. */
    static List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire runs tests from a manifest-only jar and publishes the real class path here.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", classPath, ChildJvm.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "listen":
                try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getByName(Ports.LOOPBACK))) {
                    System.out.println("listening on " + server.getLocalPort());
                    Thread.currentThread().join();
                }
                break;
            case "start-sleeper":
                ManagedProcess sleeper = ManagedProcess.start("sleeper", Path.of(args[1]), List.of("sleep", "120"));
                System.out.println("sleeper pid " + sleeper.pid());
                Thread.currentThread().join();
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
