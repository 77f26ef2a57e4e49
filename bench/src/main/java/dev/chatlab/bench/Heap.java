package dev.chatlab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's live heap, asked through {@code jcmd PID}: a full GC first, then the heap that is still used,
 * which (unlike the resident memory) moves by what the objects alive right now take.
 */
public final class Heap {
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private Heap() {
    }

    /** The heap still in use after a full GC, in KB; -1 when {@code jcmd} is not at hand or fails. */
    public static long usedAfterGcKb(long pid) {
        if (jcmd(pid, "GC.run") == null) {
            return -1;
        }
        String info = jcmd(pid, "GC.heap_info");
        return info == null ? -1 : usedKb(info);
    }

    /** Sums the {@code used NK} of the heap's lines in {@code GC.heap_info}, stopping where Metaspace begins. */
    static long usedKb(String heapInfo) {
        long used = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.trim().startsWith("Metaspace")) {
                break;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                used += Long.parseLong(m.group(1));
                found = true;
            }
        }
        return found ? used : -1;
    }

    /** Runs {@code jcmd PID COMMAND} and returns what it printed; null when jcmd is missing, fails or takes over 30 s. */
    public static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return null;
        }
        try {
            Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return process.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
