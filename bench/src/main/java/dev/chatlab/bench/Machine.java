package dev.chatlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run happened on, so that numbers are never read without it.
 *
 * @param cores  processors available to the JVM
 * @param cpu    the CPU's model name, when Linux says
 * @param memoryMb total memory
 * @param os     operating system and kernel
 * @param java   the JVM's version
 */
public record Machine(int cores, String cpu, long memoryMb, String os, String java) {

    public static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemoryMb(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    /** One line: "2 cores (model), 24 GB, Linux 6.1, OpenJDK 17". */
    public String describe() {
        return cores + " cores" + (cpu.isEmpty() ? "" : " (" + cpu + ")") + ", " + Math.round(memoryMb / 1024.0) + " GB RAM, "
                + os + ", " + java;
    }

    /** The 1-minute load average: anything else running on the machine skews a benchmark. NaN when Linux does not say. */
    public static double loadAverage() {
        return read("/proc/loadavg").stream().findFirst().map(l -> Double.parseDouble(l.split("\\s+")[0])).orElse(Double.NaN);
    }

    private static String readCpuModel() {
        return read("/proc/cpuinfo").stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " ")).orElse("");
    }

    private static long readMemoryMb() {
        return read("/proc/meminfo").stream().filter(l -> l.startsWith("MemTotal:")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).orElse(0L);
    }

    private static List<String> read(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
