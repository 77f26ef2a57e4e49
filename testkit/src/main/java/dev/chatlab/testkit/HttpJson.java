package dev.chatlab.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests: GET a URI, get the status and the body parsed as JSON. */
public final class HttpJson {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A response: its status, content type and body (parsed JSON, or a text node when it is not JSON). */
    public record Response(int status, String contentType, JsonNode body) {
    }

    private HttpJson() {
    }

    public static Response get(URI uri) {
        try {
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(),
                    response.headers().firstValue("content-type").orElse(""),
                    Frames.parse(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }

    /** {@code base} + {@code path}, where base is an {@code http://host:port/} URI. */
    public static Response get(URI base, String pathAndQuery) {
        return get(base.resolve(pathAndQuery));
    }
}
