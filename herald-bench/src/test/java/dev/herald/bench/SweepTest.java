package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SweepTest {

    @Test
    void sweepsTheSizesOfIssue13() {
        Sweep s = Sweep.of("curves");

        assertThat(s.fanoutClients()).containsExactly(1000, 5000, 10_000, 19_500);
        assertThat(s.idleClients()).containsExactly(1000, 5000, 10_000, 19_500);
        assertThat(s.chatOffered()).containsExactly(2500, 5000, 10_000, 15_000, 25_000);
        assertThat(s.points("idle")).isEqualTo("1000 5000 10000 19500");
    }

    @Test
    void deliversAboutAMillionMessagesAtEveryFanoutSize() {
        Sweep s = Sweep.of("curves");

        assertThat(s.fanoutMessages(1000)).isEqualTo(1000);
        assertThat(s.fanoutMessages(5000)).isEqualTo(200);
        assertThat(s.fanoutMessages(19_500)).isEqualTo(51);
        for (int n : s.fanoutClients()) {
            assertThat((long) n * s.fanoutMessages(n)).isBetween(950_000L, 1_050_000L);
        }
    }

    @Test
    void offersEachChatRateWithTheSameClients() {
        for (String mode : List.of("curves", "curves-quick")) {
            Sweep s = Sweep.of(mode);
            for (int offered : s.chatOffered()) {
                assertThat(s.chatRatePerClient(offered) * s.chatClients()).isCloseTo(offered, within(1e-6));
            }
            assertThat(s.chatClients() % 2).as("chat clients come in pairs").isZero();
        }
        assertThat(Sweep.of("curves").chatRatePerClient(25_000)).isEqualTo(5.0);   // the full run's chat
    }

    @Test
    void staysWithinTheOpenFilesCapAndKeepsTheQuickSweepSmall() {
        for (String mode : List.of("curves", "curves-quick")) {
            Sweep s = Sweep.of(mode);
            assertThat(s.fanoutClients()).isSorted();
            assertThat(s.idleClients()).isSorted();
            assertThat(max(s.fanoutClients())).isLessThanOrEqualTo(Plan.MAX_CLIENTS);
            assertThat(max(s.idleClients())).isLessThanOrEqualTo(Plan.MAX_CLIENTS);
            assertThat(s.chatClients()).isLessThanOrEqualTo(Plan.MAX_CLIENTS);
        }
        Sweep quick = Sweep.of("curves-quick");
        assertThat(max(quick.fanoutClients())).isLessThanOrEqualTo(1000);
        assertThat(max(quick.idleClients())).isLessThanOrEqualTo(1000);
        assertThat(max(quick.chatOffered())).isLessThanOrEqualTo(1000);
    }

    private static int max(int[] values) {
        return java.util.Arrays.stream(values).max().orElseThrow();
    }

    @Test
    void namesEveryPointSoThatItsChartFindsItsX() {
        Sweep s = Sweep.of("curves");
        Curves.Curve fanout = Curves.CURVES.stream().filter(c -> c.file().equals("fanout-deliveries.svg")).findFirst().orElseThrow();
        Curves.Curve chat = Curves.CURVES.stream().filter(c -> c.file().equals("chat-delivered.svg")).findFirst().orElseThrow();
        Curves.Curve idle = Curves.CURVES.stream().filter(c -> c.file().equals("idle-heap-per-conn.svg")).findFirst().orElseThrow();

        for (int n : s.fanoutClients()) {
            assertThat(x(fanout, "fanout " + n + "x" + s.fanoutMessages(n), "deliveries/s")).isEqualTo(n);
        }
        for (int offered : s.chatOffered()) {
            assertThat(x(chat, Sweep.chatScenario(offered), "delivered messages/s")).isEqualTo(offered);
        }
        for (int n : s.idleClients()) {
            assertThat(x(idle, "idle " + n, "heap/connection after GC")).isEqualTo(n);
        }
    }

    private static double x(Curves.Curve curve, String scenario, String metric) {
        List<Chart.Series> series = Curves.series(curve, List.of(scenario + "\t" + metric + "\therald\t1\t1/s\thigher"));
        assertThat(series).hasSize(1);
        assertThat(series.getFirst().points()).hasSize(1);
        return series.getFirst().points().getFirst().x();
    }

    @Test
    void rejectsAnUnknownMode() {
        assertThatThrownBy(() -> Sweep.of("full")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("full");
    }
}
