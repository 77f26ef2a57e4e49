package dev.chatlab.bench.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.bench.Target;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ShapeTest {

    @Test
    void a_message_is_owed_to_every_member_of_its_room() {
        FanoutLoad.Shape even = new FanoutLoad.Shape(Target.STEP4, false, false, 3, 200, 10, 20, List.of(), List.of());
        FanoutLoad.Shape uneven = new FanoutLoad.Shape(Target.STEP4, false, false, 3, 205, 10, 20, List.of(), List.of());

        assertThat(IntStream.range(0, 10).map(even::members)).containsOnly(20);
        // Member i is in room i mod rooms: the first five rooms get one more.
        assertThat(IntStream.range(0, 10).map(uneven::members)).containsExactly(21, 21, 21, 21, 21, 20, 20, 20, 20, 20);
        assertThat(IntStream.range(0, 10).map(uneven::members).sum()).isEqualTo(205);
    }

    @Test
    void each_target_has_its_page() {
        assertThat(new FanoutLoad.Shape(Target.STEP5, true, false, 3, 200, 10, 20, List.of(), List.of()).page("ramp"))
                .isEqualTo("ramp-step5-affinity");
        FanoutLoad.Shape direct = new FanoutLoad.Shape(Target.STEP7, false, true, 3, 200, 10, 20, List.of(), List.of());
        assertThat(direct.page("fanout")).isEqualTo("fanout-step7-direct");
        assertThat(direct.viaHaproxy()).isFalse();
        assertThat(new FanoutLoad.Shape(Target.STEP7, false, false, 3, 200, 10, 20, List.of(), List.of()).viaHaproxy()).isTrue();
        assertThat(new FanoutLoad.Shape(Target.STEP4, false, false, 3, 200, 10, 20, List.of(), List.of()).page("fanout")).isEqualTo("fanout-step4");
    }
}
