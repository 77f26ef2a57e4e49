package dev.chatlab.testkit.redis;

import static dev.chatlab.testkit.redis.RedisSource.DOCKER;
import static dev.chatlab.testkit.redis.RedisSource.LOCAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RedisSourceTest {

    private static final BooleanSupplier DOCKER_RUNS = () -> true;
    private static final BooleanSupplier NO_DOCKER = () -> false;
    private static final BooleanSupplier DOCKER_MUST_NOT_BE_PROBED = () -> {
        throw new AssertionError("Docker was probed although the answer did not depend on it");
    };

    @Test
    void with_nothing_asked_an_installed_redis_server_wins_and_docker_is_not_probed() {
        assertThat(RedisSource.choose(Optional.empty(), true, DOCKER_MUST_NOT_BE_PROBED)).isEqualTo(LOCAL);
    }

    @Test
    void with_nothing_asked_and_no_redis_server_docker_is_used_when_it_runs() {
        assertThat(RedisSource.choose(Optional.empty(), false, DOCKER_RUNS)).isEqualTo(DOCKER);
    }

    @Test
    void with_neither_redis_server_nor_docker_the_error_says_how_to_fix_it() {
        assertThatThrownBy(() -> RedisSource.choose(Optional.empty(), false, NO_DOCKER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no redis-server on the PATH")
                .hasMessageContaining("apt-get install redis-server")
                .hasMessageContaining("./lab test");
    }

    @Test
    void asking_for_docker_uses_docker_even_when_redis_server_is_installed() {
        assertThat(RedisSource.choose(Optional.of(DOCKER), true, DOCKER_RUNS)).isEqualTo(DOCKER);
    }

    @Test
    void asking_for_docker_without_docker_fails_instead_of_falling_back() {
        assertThatThrownBy(() -> RedisSource.choose(Optional.of(DOCKER), true, NO_DOCKER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no Docker daemon");
    }

    @Test
    void asking_for_local_uses_redis_server_without_probing_docker() {
        assertThat(RedisSource.choose(Optional.of(LOCAL), true, DOCKER_MUST_NOT_BE_PROBED)).isEqualTo(LOCAL);
    }

    @Test
    void asking_for_local_without_redis_server_fails_with_how_to_install_it() {
        assertThatThrownBy(() -> RedisSource.choose(Optional.of(LOCAL), false, DOCKER_RUNS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apt-get install redis-server")
                .hasMessageContaining("./lab test");
    }

    @Test
    void the_system_property_is_read_before_the_environment_variable() {
        assertThat(RedisSource.requested("docker", "local")).contains(DOCKER);
        assertThat(RedisSource.requested(null, "DOCKER")).contains(DOCKER);
        assertThat(RedisSource.requested(" ", "local")).contains(LOCAL);
    }

    @Test
    void auto_blank_or_unset_leaves_the_choice_open() {
        assertThat(RedisSource.requested(null, null)).isEmpty();
        assertThat(RedisSource.requested("", "")).isEmpty();
        assertThat(RedisSource.requested("auto", "docker")).isEmpty();
    }

    @Test
    void an_unknown_source_is_refused_with_the_valid_ones() {
        assertThatThrownBy(() -> RedisSource.requested(null, "podman"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CHATLAB_REDIS=podman")
                .hasMessageContaining("local, docker or auto");
    }
}
