package dev.herald.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a {@link Results} file into a markdown table: one row per scenario and figure, one
 * column per server, and the ratios Herald/Socket.IO, Herald Socket.IO/Socket.IO (Herald's own
 * Socket.IO endpoint against the Node one) and Herald/bare Netty from the same run, followed by
 * the notes. Stateless.
 */
final class Report {

    private record Row(String scenario, String metric, String unit, String better, Map<String, Double> values) {
    }

    private Report() {
    }

    static String markdown(List<String> lines) {
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 6) {
                continue;
            }
            String label = Target.of(f[2]).label;
            if (f[4].equals("note")) {
                notes.add("- " + label + ", " + f[0] + ": " + f[3]);
                continue;
            }
            Row row = rows.computeIfAbsent(f[0] + "\t" + f[1],
                    k -> new Row(f[0], f[1], f[4], f[5], new LinkedHashMap<>()));
            row.values().put(f[2], Double.parseDouble(f[3]));
        }
        StringBuilder out = new StringBuilder();
        out.append("| Scenario | Figure | Herald | Herald Socket.IO | Socket.IO | bare Netty | Herald/Socket.IO"
                + " | Herald Socket.IO/Socket.IO | Herald/Netty |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows.values()) {
            String arrow = r.better().equals("higher") ? " (higher is better)" : r.better().equals("lower") ? " (lower is better)" : "";
            Double h = r.values().get(Target.HERALD.id);
            Double hs = r.values().get(Target.HERALD_SIO.id);
            Double s = r.values().get(Target.SOCKETIO.id);
            Double n = r.values().get(Target.NETTY.id);
            out.append("| ").append(r.scenario()).append(" | ").append(r.metric())
                    .append(r.unit().isEmpty() ? "" : " [" + r.unit() + "]").append(arrow)
                    .append(" | ").append(value(h)).append(" | ").append(value(hs)).append(" | ").append(value(s))
                    .append(" | ").append(value(n)).append(" | ").append(ratio(h, s)).append(" | ").append(ratio(hs, s))
                    .append(" | ").append(ratio(h, n)).append(" |\n");
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes:\n\n");
            for (String note : notes) {
                out.append(note).append('\n');
            }
        }
        return out.toString();
    }

    static String value(Double v) {
        if (v == null) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.1f", v).replaceAll("\\.0$", "");
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(Double herald, Double peer) {
        if (herald == null || peer == null) {
            return "-";
        }
        if (peer == 0) {
            return herald == 0 ? "=" : "-";
        }
        return String.format(Locale.ROOT, "%.2f", herald / peer);
    }

    static String markdown(Path results) throws IOException {
        return markdown(Files.readAllLines(results, StandardCharsets.UTF_8));
    }
}
