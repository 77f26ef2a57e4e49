package dev.chatlab.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HeapHistogramTest {
    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000          50000  [B (java.base@17.0.15)
               2:            10           1000  org.eclipse.jetty.ee10.servlet.ServletContextRequest
            Total          1010          51000
            """;
    private static final String AFTER = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          3000         150000  [B (java.base@17.0.15)
               2:           110          11000  org.eclipse.jetty.ee10.servlet.ServletContextRequest
               3:           100           4000  [Lorg.eclipse.jetty.http.HttpField;
               4:           100           5600  io.javalin.http.servlet.UpgradeRequestData
               5:           200           2400  kotlin.UnsafeLazyImpl
               6:           100           9600  org.eclipse.jetty.websocket.core.WebSocketConnection
               7:           100          11200  sun.nio.ch.SocketChannelImpl
               8:           100           8800  dev.chatlab.chat.Connection
            Total          3810         202600
            """;

    @Test
    void classes_go_to_their_owner_and_the_rest_to_the_last_group() {
        Map<String, Long> owners = HeapHistogram.byOwner(AFTER);

        assertThat(owners.keySet()).containsExactlyElementsOf(HeapHistogram.OWNERS.stream().map(HeapHistogram.Owner::name).toList());
        assertThat(owners.values()).containsExactly(15_000L, 8_000L, 9_600L, 11_200L, 8_800L, 150_000L);
    }

    @Test
    void per_connection_is_the_growth_between_the_readings_over_the_connections() {
        String table = HeapHistogram.perConnection(HeapHistogram.byOwner(BEFORE), HeapHistogram.byOwner(AFTER), 100).markdown();

        // request: (15,000 - 1,000) / 100; strings and arrays: (150,000 - 50,000) / 100; all: (202,600 - 51,000) / 100
        assertThat(table).contains("| 140 |", "| 80 |", "| 96 |", "| 112 |", "| 88 |", "| 1,000 |", "| all | 1,516 |");
    }
}
