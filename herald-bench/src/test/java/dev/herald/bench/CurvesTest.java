package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvesTest {

    private static final List<String> RESULTS = List.of(
            "fanout 1000x1000\trefused connects\therald\t0\t\tlower",
            "fanout 1000x1000\tdeliveries/s\therald\t300000\t1/s\thigher",
            "fanout 1000x1000\tp99\therald\t80\tms\tlower",
            "fanout 5000x200\tdeliveries/s\therald\t250000\t1/s\thigher",
            "fanout 5000x200\tp99\therald\t900\tms\tlower",
            "fanout 1000x1000\tdeliveries/s\tsocketio\t70000\t1/s\thigher",
            "fanout 5000x200\tnote\tsocketio\tfailed: timeout\tnote\t",
            "fanout 1000x1000\tdeliveries/s\tsome-new-server\t500000\t1/s\thigher",
            "idle 1000\theap/connection after GC\therald\t2800\tB\tlower",
            "chat\tdelivered messages/s\therald\t2000\t1/s\thigher");

    private static Curves.Curve curve(String file) {
        return Curves.CURVES.stream().filter(c -> c.file().equals(file)).findFirst().orElseThrow();
    }

    @Test
    void drawsALinePerServerFoundInTheResults() {
        List<Chart.Series> series = Curves.series(curve("fanout-deliveries.svg"), RESULTS);

        assertThat(series).extracting(Chart.Series::name).containsExactly("Herald", "Socket.IO", "some-new-server");
        assertThat(series.getFirst().points()).containsExactly(new Chart.Point(1000, 300_000), new Chart.Point(5000, 250_000));
        assertThat(series.get(1).points()).containsExactly(new Chart.Point(1000, 70_000));
    }

    @Test
    void keepsEveryServersPlaceSoItsColourIsTheSameOnEveryChart() {
        List<Chart.Series> idle = Curves.series(curve("idle-heap-per-conn.svg"), RESULTS);

        assertThat(idle).extracting(Chart.Series::name).containsExactly("Herald", "Socket.IO", "some-new-server");
        assertThat(idle.get(1).points()).isEmpty();
        // "chat" of a quick or full run has no offered rate in its name: not a point of the chat curve.
        assertThat(Curves.series(curve("chat-delivered.svg"), RESULTS)).allMatch(s -> s.points().isEmpty());
    }

    @Test
    void drawsHeraldOnPostgresqlAsALineOfItsOwnAfterEveryServer() {
        List<String> results = List.of(
                "chat 2500/s\tdelivered messages/s\therald\t2500\t1/s\thigher",
                "chat 5000/s\tdelivered messages/s\therald\t4900\t1/s\thigher",
                "chat 2500/s postgresql\tdelivered messages/s\therald\t2400\t1/s\thigher",
                "chat 2500/s\tdelivered messages/s\tsocketio\t2500\t1/s\thigher");

        List<Chart.Series> series = Curves.series(curve("chat-delivered.svg"), results);

        assertThat(series).extracting(Chart.Series::name).containsExactly("Herald", "Socket.IO", "Herald (postgresql)");
        assertThat(series.getFirst().points()).containsExactly(new Chart.Point(2500, 2500), new Chart.Point(5000, 4900));
        assertThat(series.get(2).points()).containsExactly(new Chart.Point(2500, 2400));
    }

    @Test
    void writesTheChartsWithPointsAndLinksThemWithTheirTables(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.tsv");
        // Every target of one build (Report, which lists every figure below the charts, knows them all).
        Files.write(results, RESULTS.stream().map(l -> l.replace("some-new-server", "netty")).toList(), StandardCharsets.UTF_8);
        Path charts = dir.resolve("charts");

        String md = Curves.write(results, charts, "benchmarks/run-1/");

        assertThat(charts.resolve("fanout-deliveries.svg")).exists();
        assertThat(charts.resolve("fanout-p99.svg")).exists();
        assertThat(charts.resolve("idle-heap-per-conn.svg")).exists();
        assertThat(charts.resolve("chat-delivered.svg")).doesNotExist();
        assertThat(md).contains("![Fanout: deliveries/s against connections in the room](benchmarks/run-1/fanout-deliveries.svg)");
        assertThat(md).contains("| connections in the room | Herald | Socket.IO | bare Netty |\n|---:|---:|---:|---:|\n"
                + "| 1,000 | 300,000 | 70,000 | 500,000 |\n| 5,000 | 250,000 | - | - |\n");
        // The notes stand above the folded table of every figure, once.
        assertThat(md).containsOnlyOnce("- Socket.IO, fanout 5000x200: failed: timeout");
        assertThat(md.indexOf("failed: timeout")).isLessThan(md.indexOf("<details>"));
        assertThat(md).contains("| idle 1000 | heap/connection after GC [B] (lower is better) | 2,800 | - | - | - | - |");
        // A server without a point on a chart has no column in its table.
        assertThat(md).contains("| idle connections | Herald |\n|---:|---:|\n| 1,000 | 2,800 |\n");
    }
}
