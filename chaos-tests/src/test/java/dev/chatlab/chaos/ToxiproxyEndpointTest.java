package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatlab.chaos.ToxiproxyEndpoint.Kind;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Which Toxiproxy the suite drives: a real one when there is one, else the in-JVM one; the setting wins. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ToxiproxyEndpointTest {
    private static final BooleanSupplier DOCKER = () -> true;
    private static final BooleanSupplier NO_DOCKER = () -> false;

    @Test
    void a_toxiproxy_server_on_the_path_comes_first_and_docker_is_not_even_asked() {
        AtomicInteger probes = new AtomicInteger();
        assertThat(ToxiproxyEndpoint.choose(Optional.empty(), true, () -> probes.incrementAndGet() > 0)).isEqualTo(Kind.BINARY);
        assertThat(probes).hasValue(0);
    }

    @Test
    void without_a_binary_docker_runs_the_real_image() {
        assertThat(ToxiproxyEndpoint.choose(Optional.empty(), false, DOCKER)).isEqualTo(Kind.DOCKER);
    }

    @Test
    void with_neither_the_in_jvm_server_stands_in() {
        assertThat(ToxiproxyEndpoint.choose(Optional.empty(), false, NO_DOCKER)).isEqualTo(Kind.JVM);
    }

    @Test
    void the_setting_picks_any_kind_that_is_there() {
        assertThat(ToxiproxyEndpoint.choose(Optional.of(Kind.JVM), true, DOCKER)).isEqualTo(Kind.JVM);
        assertThat(ToxiproxyEndpoint.choose(Optional.of(Kind.DOCKER), true, DOCKER)).isEqualTo(Kind.DOCKER);
        assertThat(ToxiproxyEndpoint.choose(Optional.of(Kind.BINARY), true, NO_DOCKER)).isEqualTo(Kind.BINARY);
    }

    @Test
    void a_setting_that_asks_for_what_is_not_there_fails_and_says_so() {
        assertThatThrownBy(() -> ToxiproxyEndpoint.choose(Optional.of(Kind.BINARY), false, DOCKER))
                .hasMessageContaining("no toxiproxy-server on the PATH");
        assertThatThrownBy(() -> ToxiproxyEndpoint.choose(Optional.of(Kind.DOCKER), true, NO_DOCKER))
                .hasMessageContaining("no Docker daemon");
    }

    @Test
    void the_property_wins_over_the_environment_and_auto_or_blank_leave_the_choice_open() {
        assertThat(ToxiproxyEndpoint.requested("jvm", "docker")).contains(Kind.JVM);
        assertThat(ToxiproxyEndpoint.requested(null, "Docker")).contains(Kind.DOCKER);
        assertThat(ToxiproxyEndpoint.requested(" binary ", null)).contains(Kind.BINARY);
        assertThat(ToxiproxyEndpoint.requested("auto", "jvm")).isEmpty();
        assertThat(ToxiproxyEndpoint.requested("", " ")).isEmpty();
        assertThat(ToxiproxyEndpoint.requested(null, null)).isEmpty();
        assertThatThrownBy(() -> ToxiproxyEndpoint.requested("netem", null)).hasMessageContaining("binary, docker, jvm or auto");
    }

    @Test
    void the_in_jvm_server_answers_the_official_client() throws Exception {
        System.setProperty(ToxiproxyEndpoint.KIND_PROPERTY, "jvm");
        try (ToxiproxyEndpoint endpoint = ToxiproxyEndpoint.start()) {
            ToxiproxyClient client = endpoint.client();
            assertThat(endpoint.kind()).isEqualTo(Kind.JVM);
            assertThat(client.version()).isNotBlank();
            assertThat(client.createProxy("probe", "127.0.0.1:0", "127.0.0.1:1").getListen()).doesNotEndWith(":0");
        } finally {
            System.clearProperty(ToxiproxyEndpoint.KIND_PROPERTY);
        }
    }
}
