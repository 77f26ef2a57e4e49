package dev.chatlab.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** One socket's allowance on a clock the test moves: a burst passes, a flood does not, and abuse is told from bad luck. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RateLimitTest {
    private static final long SECOND = 1_000_000_000L;
    /** 10 frames and 1,000 bytes per second; 5 refusals within 10 s is abuse. */
    private static final Security LIMITS = Security.workshop().withRates(10, 1_000, 5, Duration.ofSeconds(10));

    @Test
    void a_burst_of_two_seconds_worth_of_frames_passes_and_the_next_frame_is_refused() {
        RateLimit limit = new RateLimit(LIMITS, 0);
        List<RateLimit.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            verdicts.add(limit.take(10, 0));
        }
        assertThat(verdicts.subList(0, 20)).containsOnly(RateLimit.Verdict.ADMITTED);
        assertThat(verdicts.get(20)).isEqualTo(RateLimit.Verdict.REFUSED);
        assertThat(limit.refusals()).isEqualTo(1);
    }

    @Test
    void the_allowance_refills_at_the_sustained_rate() {
        RateLimit limit = new RateLimit(LIMITS, 0);
        for (int i = 0; i < 20; i++) {
            limit.take(10, 0);
        }
        assertThat(limit.take(10, SECOND / 20)).as("half a frame refilled").isEqualTo(RateLimit.Verdict.REFUSED);
        assertThat(limit.take(10, SECOND / 10)).as("one frame refilled after a tenth of a second")
                .isEqualTo(RateLimit.Verdict.ADMITTED);
        assertThat(limit.take(10, SECOND / 10)).isEqualTo(RateLimit.Verdict.REFUSED);
    }

    @Test
    void bytes_are_limited_as_well_as_frames() {
        RateLimit limit = new RateLimit(LIMITS, 0);
        assertThat(limit.take(2_000, 0)).as("two seconds of bytes at once").isEqualTo(RateLimit.Verdict.ADMITTED);
        assertThat(limit.take(1, 0)).as("not one byte more").isEqualTo(RateLimit.Verdict.REFUSED);
        assertThat(limit.take(100, SECOND / 10)).as("a tenth of a second refills 100 bytes").isEqualTo(RateLimit.Verdict.ADMITTED);
    }

    @Test
    void a_client_that_keeps_sending_after_its_refusals_is_abusive_one_that_pauses_is_forgiven() {
        RateLimit flooder = new RateLimit(LIMITS, 0);
        List<RateLimit.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            verdicts.add(flooder.take(10, 0));
        }
        assertThat(verdicts.subList(20, 25)).containsOnly(RateLimit.Verdict.REFUSED);
        assertThat(verdicts.get(25)).as("the sixth refusal in a row").isEqualTo(RateLimit.Verdict.ABUSE);

        RateLimit retrier = new RateLimit(LIMITS, 0);
        long now = 0;
        for (int i = 0; i < 20; i++) {
            retrier.take(10, now);
        }
        for (int round = 0; round < 10; round++) {
            // One refused frame every 3 s: strikes come back (5 per 10 s) faster than they go.
            assertThat(retrier.take(10, now)).isNotEqualTo(RateLimit.Verdict.ABUSE);
            now += 3 * SECOND;
            for (int i = 0; i < 20; i++) {
                retrier.take(10, now);
            }
        }
    }
}
