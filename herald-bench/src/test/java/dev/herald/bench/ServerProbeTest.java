package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServerProbeTest {

    private static final String NAME = "herald_delivery_latency_seconds_bucket";

    private static NavigableMap<Double, Double> parse(String metrics) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        ServerProbe.parseBuckets(metrics, NAME, buckets);
        return buckets;
    }

    private static String exposition(long upTo10ms, long upTo100ms, long upTo1s, long all) {
        return "# HELP herald_delivery_latency_seconds Time from commit\n"
                + NAME + "{le=\"0.01\"} " + upTo10ms + ".0\n"
                + NAME + "{le=\"0.1\"} " + upTo100ms + ".0\n"
                + NAME + "{le=\"1.0\"} " + upTo1s + ".0\n"
                + NAME + "{le=\"+Inf\"} " + all + ".0\n"
                + "herald_delivery_latency_seconds_count " + all + ".0\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1.0E7\n";
    }

    @Test
    void readsTheCumulativeBucketsAndNothingElse() {
        NavigableMap<Double, Double> buckets = parse(exposition(1, 2, 3, 4));

        assertThat(buckets).containsOnlyKeys(0.01, 0.1, 1.0, Double.POSITIVE_INFINITY);
        assertThat(buckets.get(0.1)).isEqualTo(2.0);
        assertThat(buckets.get(Double.POSITIVE_INFINITY)).isEqualTo(4.0);
    }

    @Test
    void quantilesCountOnlyWhatWasRecordedBetweenTheSnapshots() {
        // Before: 1,000 fast deliveries (a warm-up). Between: 90 up to 100 ms, 10 up to 1 s.
        NavigableMap<Double, Double> before = parse(exposition(1000, 1000, 1000, 1000));
        NavigableMap<Double, Double> after = parse(exposition(1000, 1090, 1100, 1100));

        assertThat(ServerProbe.quantileMs(before, after, 0.50)).isEqualTo(100.0);
        assertThat(ServerProbe.quantileMs(before, after, 0.99)).isEqualTo(1000.0);
    }

    @Test
    void nothingRecordedBetweenIsNotANumber() {
        NavigableMap<Double, Double> same = parse(exposition(5, 6, 7, 8));

        assertThat(ServerProbe.quantileMs(same, same, 0.99)).isNaN();
        assertThat(ServerProbe.quantileMs(new TreeMap<>(), new TreeMap<>(), 0.99)).isNaN();
    }
}
