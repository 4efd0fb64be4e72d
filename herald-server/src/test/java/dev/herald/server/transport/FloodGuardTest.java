package dev.herald.server.transport;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FloodGuardTest {
    @Test
    void aBurstIsAdmittedThenTheClientIsToldOnceAndThenClosedIfItKeepsFlooding() {
        FloodGuard guard = new FloodGuard(1, 3);
        List<FloodGuard.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 3 + FloodGuard.MAX_REFUSED_PER_WINDOW + 1; i++) {
            verdicts.add(guard.admit());
        }
        assertThat(verdicts.subList(0, 3)).containsOnly(FloodGuard.Verdict.ADMIT);
        assertThat(verdicts.get(3)).isEqualTo(FloodGuard.Verdict.REFUSE_AND_TELL);
        assertThat(verdicts.subList(4, 3 + FloodGuard.MAX_REFUSED_PER_WINDOW)).containsOnly(FloodGuard.Verdict.REFUSE);
        assertThat(verdicts.getLast()).isEqualTo(FloodGuard.Verdict.CLOSE);
    }
}
