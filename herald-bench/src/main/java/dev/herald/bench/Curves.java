package dev.herald.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the results of a curves run ({@link Sweep}) into charts and markdown: which figure of
 * which scenarios makes each chart, the x of a point read from its scenario name ("fanout
 * 5000x200": 5,000 connections; "chat 2500/s": 2,500 messages/s offered; "idle 1000": 1,000
 * connections). A line per server found in the results, in the order they first appear, so a
 * server added to {@link Target} shows up without a change here. Stateless.
 */
final class Curves {

    /**
     * One chart: the rows it draws (scenario pattern whose group 1 is x and group 2 the rest of the
     * name, and the figure) and how.
     */
    record Curve(String file, String title, Pattern scenario, String metric, String xLabel, String yLabel,
                 Chart.Scale scale) {
    }

    // Group 2: what follows the size, e.g. " postgresql" for Herald on PostgreSQL: a line of its own.
    private static final Pattern FANOUT = Pattern.compile("fanout (\\d+)x\\d+(.*)");
    private static final Pattern CHAT = Pattern.compile("chat (\\d+)/s(.*)");
    private static final Pattern IDLE = Pattern.compile("idle (\\d+)(.*)");

    static final List<Curve> CURVES = List.of(
            new Curve("fanout-deliveries.svg", "Fanout: deliveries/s against connections in the room", FANOUT,
                    "deliveries/s", "connections in the room", "deliveries/s (higher is better)", Chart.Scale.LINEAR),
            new Curve("fanout-p99.svg", "Fanout: p99 publish -> receive against connections", FANOUT,
                    "p99", "connections in the room", "p99 latency, ms (log scale, lower is better)", Chart.Scale.LOG),
            new Curve("chat-delivered.svg", "Chat: delivered messages/s against offered rate", CHAT,
                    "delivered messages/s", "offered messages/s", "delivered messages/s (higher is better)",
                    Chart.Scale.LINEAR),
            new Curve("chat-p99.svg", "Chat: p99 send -> partner against offered rate", CHAT,
                    "p99", "offered messages/s", "p99 latency, ms (log scale, lower is better)", Chart.Scale.LOG),
            new Curve("idle-heap-per-conn.svg", "Idle: heap after GC per connection", IDLE,
                    "heap/connection after GC", "idle connections", "bytes per connection (lower is better)",
                    Chart.Scale.LINEAR),
            new Curve("idle-rss-per-conn.svg", "Idle: RSS per connection", IDLE,
                    "RSS/connection", "idle connections", "bytes per connection (lower is better)", Chart.Scale.LINEAR));

    private Curves() {
    }

    /**
     * The series of {@code curve} in {@code lines} (results rows): one per target in the results,
     * in the order they first appear (so a server keeps its colour on every chart of a run), empty
     * for a target without a point on this curve; then one per variant of a target's points, named
     * by what follows the size in their scenario ("chat 2500/s postgresql": "Herald (postgresql)").
     */
    static List<Chart.Series> series(Curve curve, List<String> lines) {
        Map<String, List<Chart.Point>> byTarget = new LinkedHashMap<>();
        Map<String, List<Chart.Point>> variants = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length < 6 || f[4].equals("note")) {
                continue;
            }
            byTarget.putIfAbsent(label(f[2]), new ArrayList<>());
            Matcher m = curve.scenario().matcher(f[0]);
            if (m.matches() && f[1].equals(curve.metric())) {
                Chart.Point p = new Chart.Point(Double.parseDouble(m.group(1)), Double.parseDouble(f[3]));
                if (m.group(2).isBlank()) {
                    byTarget.get(label(f[2])).add(p);
                } else {
                    variants.computeIfAbsent(label(f[2]) + " (" + m.group(2).strip() + ")", k -> new ArrayList<>()).add(p);
                }
            }
        }
        // Variants after every plain target, so the plain ones keep their colours on every chart.
        List<Chart.Series> out = new ArrayList<>();
        byTarget.forEach((name, points) -> out.add(new Chart.Series(name, points)));
        variants.forEach((name, points) -> out.add(new Chart.Series(name, points)));
        return out;
    }

    static Chart chart(Curve curve, List<String> lines) {
        return new Chart(curve.title(), curve.xLabel(), curve.yLabel(), curve.scale(), series(curve, lines));
    }

    /**
     * Writes every chart that has a point into {@code dir} and returns the markdown: per chart a
     * link to it (under {@code linkPrefix}) and its points as a table, x down, a column per server;
     * then the run's notes (failed points, refusals) and, folded, every figure ({@link Report}).
     */
    static String write(Path results, Path dir, String linkPrefix) throws IOException {
        List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder();
        for (Curve curve : CURVES) {
            List<Chart.Series> series = series(curve, lines);
            if (series.stream().allMatch(s -> s.points().isEmpty())) {
                continue;
            }
            Files.writeString(dir.resolve(curve.file()), chart(curve, lines).svg(), StandardCharsets.UTF_8);
            md.append("### ").append(curve.title()).append("\n\n");
            md.append("![").append(curve.title()).append("](").append(linkPrefix).append(curve.file()).append(")\n\n");
            md.append("The points, ").append(curve.yLabel()).append(":\n\n");
            md.append(table(curve, series)).append('\n');
        }
        List<String> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length >= 6 && f[4].equals("note")) {
                notes.add("- " + label(f[2]) + ", " + f[0] + ": " + f[3] + "\n");
            } else {
                figures.add(line);
            }
        }
        if (!notes.isEmpty()) {
            md.append("Notes:\n\n").append(String.join("", notes)).append('\n');
        }
        md.append("<details><summary>Every figure of the run</summary>\n\n");
        md.append(Report.markdown(figures));
        md.append("\n</details>\n");
        return md.toString();
    }

    /** The points of one chart: a row per x, a column per server ("-": not measured there). */
    static String table(Curve curve, List<Chart.Series> all) {
        List<Chart.Series> series = all.stream().filter(s -> !s.points().isEmpty()).toList();
        TreeMap<Double, Map<String, Double>> rows = new TreeMap<>();
        for (Chart.Series s : series) {
            for (Chart.Point p : s.points()) {
                rows.computeIfAbsent(p.x(), x -> new LinkedHashMap<>()).put(s.name(), p.y());
            }
        }
        StringBuilder out = new StringBuilder("| ").append(curve.xLabel());
        for (Chart.Series s : series) {
            out.append(" | ").append(s.name());
        }
        out.append(" |\n|---:|").append("---:|".repeat(series.size())).append('\n');
        rows.forEach((x, values) -> {
            out.append("| ").append(Report.value(x));
            for (Chart.Series s : series) {
                out.append(" | ").append(Report.value(values.get(s.name())));
            }
            out.append(" |\n");
        });
        return out.toString();
    }

    /** The target's name for people; an id this build does not know is shown as it is. */
    private static String label(String targetId) {
        try {
            return Target.of(targetId).label;
        } catch (IllegalArgumentException e) {
            return targetId;
        }
    }
}
