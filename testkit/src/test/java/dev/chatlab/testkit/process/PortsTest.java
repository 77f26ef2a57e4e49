package dev.chatlab.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PortsTest {

    @Test
    void free_ports_are_never_handed_out_twice_and_nothing_listens_on_them() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ports.add(Ports.free());
        }

        assertThat(ports).hasSize(20);
        assertThat(ports).noneMatch(Ports::accepts);
    }

    @Test
    void a_port_accepts_connections_while_something_listens_on_it() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(Ports.LOOPBACK))) {
            port = server.getLocalPort();
            assertThat(Ports.accepts(port)).isTrue();
        }
        assertThat(Ports.accepts(port)).isFalse();
    }
}
