package dev.chatlab.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WorkDirsTest {

    @Test
    void each_fixture_gets_a_new_directory_under_the_modules_target_fixtures() {
        Path first = WorkDirs.create("probe");
        Path second = WorkDirs.create("probe");

        assertThat(first).isNotEqualTo(second);
        assertThat(first).isDirectory().isEmptyDirectory();
        assertThat(first.getParent()).isEqualTo(WorkDirs.root()).endsWith(Path.of("target", "fixtures"));
        assertThat(first.getFileName().toString()).matches("probe-\\d+");
        assertThat(Files.isDirectory(second)).isTrue();
    }

    @Test
    void a_name_that_is_not_a_plain_word_is_refused() {
        assertThatThrownBy(() -> WorkDirs.create("../escape")).isInstanceOf(IllegalArgumentException.class);
    }
}
