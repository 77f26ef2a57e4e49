package dev.chatlab.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The close-code policy (docs/protocol.md, "Close codes") as a pure function. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReconnectTest {

    @Test
    void a_1012_service_restart_means_reconnect_soon() {
        assertThat(Reconnect.after(1012)).isEqualTo(Reconnect.SOON);
    }

    @Test
    void a_4008_slow_consumer_means_reconnect_from_the_first_step_of_the_backoff() {
        assertThat(Reconnect.after(4008)).isEqualTo(Reconnect.FIRST_STEP);
    }

    @Test
    void a_1008_policy_close_is_fatal() {
        assertThat(Reconnect.after(1008)).isEqualTo(Reconnect.NEVER);
    }

    @Test
    void every_other_code_reconnects_with_the_backoff() {
        // -1 never connected, 1000 normal, 1001 going away, 1006 abnormal, 1009 too big, 1011 server error, 4000 custom.
        for (int code : new int[] {-1, 1000, 1001, 1002, 1006, 1009, 1011, 1013, 4000, 4999}) {
            assertThat(Reconnect.after(code)).as("close code %d", code).isEqualTo(Reconnect.WITH_BACKOFF);
        }
    }
}
