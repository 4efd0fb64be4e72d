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

    @Test
    void afterTheServerPausedReadingWhatTheClientMaySendMeanwhileIsAdmittedOnceNotForever() throws Exception {
        FloodGuard guard = new FloodGuard(1, 3);
        guard.resumedAfter(5_000_000_000L); // 5 s not read: up to 5 frames at 1/s waited in TCP
        List<FloodGuard.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            verdicts.add(guard.admit());
        }
        assertThat(verdicts.subList(0, 8)).as("the bucket's 3, then the pause's 5").containsOnly(FloodGuard.Verdict.ADMIT);
        assertThat(verdicts.get(8)).isEqualTo(FloodGuard.Verdict.REFUSE_AND_TELL);

        FloodGuard later = new FloodGuard(1, 3);
        later.resumedAfter(5_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertThat(later.admit()).isEqualTo(FloodGuard.Verdict.ADMIT);
        }
        Thread.sleep(1_100); // the allowance lapses after a second; the bucket refilled one
        assertThat(later.admit()).isEqualTo(FloodGuard.Verdict.ADMIT);
        assertThat(later.admit()).as("no credit left to use later").isEqualTo(FloodGuard.Verdict.REFUSE_AND_TELL);
    }

    @Test
    void aShortPauseRightAfterALongOneKeepsTheLongOnesAllowanceUpToTheCap() {
        FloodGuard guard = new FloodGuard(1, 1);
        guard.resumedAfter(5_000_000_000L); // 5 frames waited in TCP
        assertThat(guard.admit()).isEqualTo(FloodGuard.Verdict.ADMIT); // the bucket's one
        assertThat(guard.admit()).isEqualTo(FloodGuard.Verdict.ADMIT); // one of the 5; then paused again
        guard.resumedAfter(1_000_000L); // 1 ms: the other 4 are still waiting behind it
        List<FloodGuard.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            verdicts.add(guard.admit());
        }
        assertThat(verdicts.subList(0, 4)).containsOnly(FloodGuard.Verdict.ADMIT);
        assertThat(verdicts.get(4)).isEqualTo(FloodGuard.Verdict.REFUSE_AND_TELL);

        FloodGuard capped = new FloodGuard(1, 1);
        capped.resumedAfter(25_000_000_000L);
        capped.resumedAfter(25_000_000_000L); // 50 s of pauses: credited 30 s at most
        int admitted = 0;
        while (capped.admit() == FloodGuard.Verdict.ADMIT && admitted < 100) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(1 + FloodGuard.MAX_CREDIT_SECONDS);
    }
}
