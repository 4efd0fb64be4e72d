package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void putsEachServerInItsColumnWithRatiosFromTheSameRun() {
        String md = Report.markdown(List.of(
                "fanout 5000x200\tdeliveries/s\therald\t350000\t1/s\thigher",
                "fanout 5000x200\tdeliveries/s\tsocketio\t70000\t1/s\thigher",
                "fanout 5000x200\tdeliveries/s\tnetty\t400000\t1/s\thigher",
                "fanout 5000x200\tdeliveries/s\therald-sio\t210000\t1/s\thigher",
                "fanout 5000x200\tp99\therald\t500\tms\tlower",
                "fanout 5000x200\tp99\tsocketio\t13000\tms\tlower",
                "chat\tnote\therald\tskipped for Herald: no chat\tnote\t",
                "storm\tnote\therald-sio\tskipped\tnote\t"));
        assertThat(md).contains("| Herald | Herald Socket.IO | Socket.IO | bare Netty | Herald/Socket.IO"
                + " | Herald Socket.IO/Socket.IO | Herald/Netty |");
        assertThat(md).contains("| fanout 5000x200 | deliveries/s [1/s] (higher is better) | 350,000 | 210,000 | 70,000 | 400,000"
                + " | 5.00 | 3.00 | 0.88 |");
        assertThat(md).contains("| fanout 5000x200 | p99 [ms] (lower is better) | 500 | - | 13,000 | - | 0.04 | - | - |");
        assertThat(md).contains("- Herald, chat: skipped for Herald: no chat");
        assertThat(md).contains("- Herald Socket.IO, storm: skipped");
    }

    @Test
    void formatsZeroRatiosAndSmallValuesReadably() {
        assertThat(Report.ratio(0.0, 0.0)).isEqualTo("=");
        assertThat(Report.ratio(3.0, 0.0)).isEqualTo("-");
        assertThat(Report.value(0.0)).isEqualTo("0");
        assertThat(Report.value(1.37)).isEqualTo("1.37");
        assertThat(Report.value(23.79)).isEqualTo("23.8");
    }
}
