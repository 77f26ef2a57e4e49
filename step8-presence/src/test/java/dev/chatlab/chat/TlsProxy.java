package dev.chatlab.chat;

import dev.chatlab.testkit.haproxy.HaproxyConfig;
import dev.chatlab.testkit.haproxy.HaproxyOptions;
import dev.chatlab.testkit.haproxy.HaproxyServer;
import dev.chatlab.testkit.process.Executables;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * HAProxy with {@code haproxy/haproxy-tls.cfg} in front of the given nodes, using a self-signed certificate that
 * openssl makes for this test, as {@code ./lab up --tls} does: {@code wss://localhost:PORT} and a plain-HTTP port
 * that redirects to it. {@link #trust()} is an SSL context that trusts exactly that certificate.
 */
final class TlsProxy implements AutoCloseable {
    private final HaproxyServer haproxy;
    private final int tlsPort;
    private final Path certificate;

    private TlsProxy(HaproxyServer haproxy, int tlsPort, Path certificate) {
        this.haproxy = haproxy;
        this.tlsPort = tlsPort;
        this.certificate = certificate;
    }

    static TlsProxy start(List<InetSocketAddress> nodes) {
        Path dir = WorkDirs.create("tls");
        Path pem = selfSigned(dir);
        int tlsPort = Ports.free();
        Path template = dir.resolve("haproxy-tls.cfg");
        try {
            // The same file, with its defaults pointed at this test's port and certificate (the fixture sets only
            // LB_BIND and STATS_BIND in HAProxy's environment).
            String config = Files.readString(HaproxyConfig.directory().resolve("haproxy-tls.cfg"))
                    .replace("${TLS_BIND-127.0.0.1:3443}", "${TLS_BIND-127.0.0.1:" + tlsPort + "}")
                    .replace("${HTTPS_PORT-3443}", "${HTTPS_PORT-" + tlsPort + "}")
                    .replace("${TLS_CERT-.lab/up/tls/chat.pem}", "${TLS_CERT-" + pem.toAbsolutePath() + "}");
            Files.writeString(template, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HaproxyServer haproxy = HaproxyServer.start(HaproxyOptions.defaults().withName("haproxy-tls")
                .withTemplate(template).withNodes(nodes));
        return new TlsProxy(haproxy, tlsPort, dir.resolve("cert.pem"));
    }

    /** A key and a certificate for localhost, 127.0.0.1 and ::1, made by openssl as ./lab up --tls makes them. */
    static Path selfSigned(Path dir) {
        Path openssl = Executables.find("openssl").orElseThrow(() -> new IllegalStateException("the TLS tests need openssl"));
        List<String> command = List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString());
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + output);
            }
            Path pem = dir.resolve("chat.pem");
            Files.writeString(pem, Files.readString(dir.resolve("cert.pem")) + Files.readString(dir.resolve("key.pem")));
            return pem;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    SSLContext trust() {
        try (InputStream in = Files.newInputStream(certificate)) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("chat-lab", cert);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    HaproxyServer haproxy() {
        return haproxy;
    }

    /** {@code https://localhost:TLS_PORT/}: the name the certificate is for. */
    URI httpsUri() {
        return URI.create("https://localhost:" + tlsPort + "/");
    }

    URI wssUri() {
        return URI.create("wss://localhost:" + tlsPort + "/");
    }

    int tlsPort() {
        return tlsPort;
    }

    /** The plain-HTTP port, which only redirects. */
    URI httpUri() {
        return haproxy.httpUri();
    }

    @Override
    public void close() {
        haproxy.close();
    }
}
