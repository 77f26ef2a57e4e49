package dev.chatlab.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Capped exponential backoff with full jitter, and the delays each close code asks for. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BackoffTest {
    private static final Duration BASE = Duration.ofMillis(250);
    private static final Duration CAP = Duration.ofSeconds(10);
    private static final Duration SOON = Duration.ofSeconds(1);

    /** Always the top of the range asked for, so a delay equals its ceiling. */
    static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return -1L;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    /** Always the bottom of the range asked for. */
    static final RandomGenerator LOWEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0L;
        }

        @Override
        public long nextLong(long bound) {
            return 0L;
        }
    };

    @Test
    void the_ceiling_doubles_with_every_attempt_until_it_reaches_the_cap() {
        List<Long> ceilings = IntStream.range(0, 9).mapToObj(n -> Backoff.ceilingMillis(250, 10_000, n)).toList();
        assertThat(ceilings).containsExactly(250L, 500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L);
        assertThat(Backoff.ceilingMillis(250, 10_000, 1_000_000)).as("no overflow, however many attempts").isEqualTo(10_000);
        assertThat(Backoff.ceilingMillis(1, Long.MAX_VALUE, 200)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void every_delay_stays_between_zero_and_the_capped_exponential_ceiling() {
        for (long seed = 0; seed < 50; seed++) {
            Backoff backoff = new Backoff(BASE, CAP, SOON, new Random(seed));
            for (int n = 0; n < 20; n++) {
                long ceiling = Backoff.ceilingMillis(250, 10_000, n);
                assertThat(backoff.ceiling().toMillis()).isEqualTo(ceiling);
                assertThat(backoff.next().toMillis()).as("seed %d, attempt %d", seed, n).isBetween(0L, ceiling);
            }
        }
    }

    @Test
    void the_jitter_covers_the_whole_range_from_zero_to_the_ceiling() {
        Backoff backoff = new Backoff(BASE, CAP, SOON, new Random(7));
        List<Long> firstSteps = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            backoff.reset();
            firstSteps.add(backoff.next().toMillis());
        }
        assertThat(firstSteps).contains(0L, 250L).allMatch(d -> d >= 0 && d <= 250);
        assertThat(firstSteps.stream().mapToLong(Long::longValue).average().orElseThrow()).isBetween(100.0, 150.0);
    }

    @Test
    void delays_grow_with_the_attempts_and_a_reset_starts_again_from_the_first_step() {
        Backoff backoff = new Backoff(BASE, CAP, SOON, HIGHEST);
        List<Long> delays = IntStream.range(0, 8).mapToObj(n -> backoff.next().toMillis()).toList();
        assertThat(delays).containsExactly(250L, 500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L);
        assertThat(backoff.attempt()).isEqualTo(8);

        backoff.reset();
        assertThat(backoff.attempt()).isZero();
        assertThat(backoff.next()).isEqualTo(BASE);
    }

    @Test
    void on_average_the_delays_grow_too() {
        Backoff backoff = new Backoff(BASE, CAP, SOON, new Random(42));
        double[] means = new double[6];
        for (int round = 0; round < 1000; round++) {
            backoff.reset();
            for (int n = 0; n < means.length; n++) {
                means[n] += backoff.next().toMillis() / 1000.0;
            }
        }
        for (int n = 1; n < means.length; n++) {
            assertThat(means[n]).as("mean delay of attempt %d", n).isGreaterThan(means[n - 1] * 1.5);
        }
    }

    @Test
    void the_same_seed_gives_the_same_delays() {
        Backoff one = new Backoff(BASE, CAP, SOON, new Random(99));
        Backoff two = new Backoff(BASE, CAP, SOON, new Random(99));
        List<Duration> a = IntStream.range(0, 10).mapToObj(n -> one.next()).toList();
        List<Duration> b = IntStream.range(0, 10).mapToObj(n -> two.next()).toList();
        assertThat(a).isEqualTo(b);
    }

    @Test
    void reconnect_soon_stays_within_its_window_and_neither_counts_nor_grows() {
        Backoff backoff = new Backoff(BASE, CAP, SOON, new Random(3));
        backoff.next();
        backoff.next();
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.after(Reconnect.SOON).toMillis()).isBetween(0L, 1000L);
        }
        assertThat(backoff.attempt()).isEqualTo(2);
        assertThat(new Backoff(BASE, CAP, SOON, HIGHEST).after(Reconnect.SOON)).isEqualTo(SOON);
    }

    @Test
    void the_first_step_starts_again_from_the_base_however_many_attempts_came_before() {
        Backoff backoff = new Backoff(BASE, CAP, SOON, HIGHEST);
        IntStream.range(0, 5).forEach(n -> backoff.next());
        assertThat(backoff.after(Reconnect.FIRST_STEP)).isEqualTo(BASE);
        assertThat(backoff.after(Reconnect.WITH_BACKOFF)).isEqualTo(BASE.multipliedBy(2));
        assertThat(new Backoff(BASE, CAP, SOON, LOWEST).after(Reconnect.FIRST_STEP)).isEqualTo(Duration.ZERO);
    }

    @Test
    void there_is_no_delay_after_a_fatal_close_and_nonsense_settings_are_refused() {
        Backoff backoff = new Backoff(BASE, CAP, SOON, HIGHEST);
        assertThatThrownBy(() -> backoff.after(Reconnect.NEVER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, CAP, SOON, HIGHEST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(CAP, BASE, SOON, HIGHEST)).isInstanceOf(IllegalArgumentException.class);
    }
}
