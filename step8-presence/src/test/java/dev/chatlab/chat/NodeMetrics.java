package dev.chatlab.chat;

import dev.chatlab.testkit.HttpJson;
import java.net.URI;

/** One scrape of a node's {@code /metrics}, read the way a test needs it: a sum over matching lines. */
final class NodeMetrics {
    private final String body;

    private NodeMetrics(String body) {
        this.body = body;
    }

    static NodeMetrics of(ChatServer node) {
        return of(node.httpUri());
    }

    static NodeMetrics of(URI httpBase) {
        return new NodeMetrics(HttpJson.get(httpBase, "metrics").body().asText());
    }

    /** The sum of every sample of {@code name} whose labels contain each of {@code labels} (e.g. {@code area="heap"}). */
    double sum(String name, String... labels) {
        return body.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> {
                    for (String label : labels) {
                        if (!l.contains(label)) {
                            return false;
                        }
                    }
                    return true;
                })
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
