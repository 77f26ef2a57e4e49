package dev.chatlab.testkit.history;

import dev.chatlab.testkit.history.Verdict.Findings;
import java.util.ArrayList;
import java.util.List;

/** A kind of finding being counted, by the delivery and the presence checkers alike: the count, and the first few by name. */
final class Tally {
    long count;
    final List<String> examples = new ArrayList<>();

    void add(String example) {
        count++;
        if (examples.size() < Verdict.SHOWN) {
            examples.add(example);
        }
    }

    Findings findings() {
        return count == 0 ? Findings.NONE : new Findings(count, examples);
    }
}
