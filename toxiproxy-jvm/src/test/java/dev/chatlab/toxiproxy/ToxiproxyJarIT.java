package dev.chatlab.toxiproxy;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The packaged jar, run as its own process the way a chaos suite without {@code toxiproxy-server} would run it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ToxiproxyJarIT {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    @Test
    void the_jar_runs_as_a_process_answers_the_client_and_stops_on_sigterm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-jar", Path.of("target", "toxiproxy-jvm.jar").toString(),
                "--port", "0")
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> collect(process, output), "toxiproxy-jvm output");
        reader.setDaemon(true);
        reader.start();
        try {
            URI api = await("the process says where it listens").atMost(ofSeconds(20))
                    .failFast("the process exited: " + output, () -> !process.isAlive())
                    .until(() -> apiUri(output), uri -> uri != null);
            ToxiproxyClient client = new ToxiproxyClient(api.getHost(), api.getPort());

            assertThat(client.version()).contains(ToxiproxyServer.VERSION);
            Proxy proxy = client.createProxy("from-outside", "127.0.0.1:0", "127.0.0.1:1");
            assertThat(proxy.getListen()).startsWith("127.0.0.1:").doesNotEndWith(":0");
        } finally {
            process.destroy();
        }
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("stopped after SIGTERM; output: " + output).isTrue();
    }

    private static URI apiUri(List<String> output) {
        for (String line : output) {
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                return URI.create(matcher.group(1));
            }
        }
        return null;
    }

    private static void collect(Process process, List<String> output) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                output.add(line);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }
}
