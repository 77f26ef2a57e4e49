package dev.chatlab.testkit.redis;

import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Where a test's Redis comes from: the OS's {@code redis-server}, or the same image under Docker. */
enum RedisSource {
    LOCAL,
    DOCKER;

    static final String HOW_TO_INSTALL =
            "install redis-server (on Debian/Ubuntu: apt-get install redis-server), or run ./lab test, which installs it";

    /**
     * What the system property or, failing that, the environment variable asks for: {@code local},
     * {@code docker}, or nothing ({@code auto}, blank or unset) to let {@link #choose} decide.
     */
    static Optional<RedisSource> requested(String property, String environment) {
        String setting;
        String value;
        if (property != null && !property.isBlank()) {
            setting = RedisServer.SOURCE_PROPERTY;
            value = property;
        } else if (environment != null && !environment.isBlank()) {
            setting = RedisServer.SOURCE_ENV;
            value = environment;
        } else {
            return Optional.empty();
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return Optional.empty();
            case "local":
                return Optional.of(LOCAL);
            case "docker":
                return Optional.of(DOCKER);
            default:
                throw new IllegalArgumentException(setting + "=" + value + " is not a Redis source: use local, docker or auto");
        }
    }

    /**
     * The source to use: the requested one when it is there, otherwise a local {@code redis-server}
     * before Docker. Docker is only probed when the answer depends on it, because probing is slow.
     */
    static RedisSource choose(Optional<RedisSource> requested, boolean localInstalled, BooleanSupplier dockerAvailable) {
        if (requested.isPresent()) {
            RedisSource source = requested.get();
            if (source == LOCAL && !localInstalled) {
                throw new IllegalStateException("a local Redis was asked for (" + RedisServer.SOURCE_PROPERTY + "/"
                        + RedisServer.SOURCE_ENV + "=local), but there is no redis-server on the PATH: " + HOW_TO_INSTALL);
            }
            if (source == DOCKER && !dockerAvailable.getAsBoolean()) {
                throw new IllegalStateException("a Redis under Docker was asked for (" + RedisServer.SOURCE_PROPERTY + "/"
                        + RedisServer.SOURCE_ENV + "=docker), but Testcontainers finds no Docker daemon: start Docker,"
                        + " or unset the setting to use a local redis-server");
            }
            return source;
        }
        if (localInstalled) {
            return LOCAL;
        }
        if (dockerAvailable.getAsBoolean()) {
            return DOCKER;
        }
        throw new IllegalStateException("the tests need a Redis, but there is no redis-server on the PATH and no Docker"
                + " daemon to run " + ContainerRedis.IMAGE + " in: " + HOW_TO_INSTALL);
    }
}
