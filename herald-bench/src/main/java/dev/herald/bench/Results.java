package dev.herald.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends measured figures to a tab-separated file, one line per figure, as soon as they are
 * measured (so an interrupted run keeps what it had): {@code scenario, metric, target, value,
 * unit, better}. {@code better} is {@code higher}, {@code lower} or empty; a {@code note} unit
 * carries text in {@code value}. {@link Report} turns the file into markdown. Not thread-safe.
 */
final class Results {

    private final Path file;
    private final Target target;
    private final String label;

    Results(Path file, Target target) {
        this(file, target, null);
    }

    /** @param label appended to every scenario name (e.g. "2 nodes"), or null */
    Results(Path file, Target target, String label) {
        this.file = file;
        this.target = target;
        this.label = label;
    }

    /** A Results for the same target that records nothing (warm-up). */
    Results muted() {
        return new Results(null, target, label);
    }

    void higher(String scenario, String metric, double value, String unit) {
        write(scenario, metric, format(value), unit, "higher");
    }

    void lower(String scenario, String metric, double value, String unit) {
        write(scenario, metric, format(value), unit, "lower");
    }

    void info(String scenario, String metric, double value, String unit) {
        write(scenario, metric, format(value), unit, "");
    }

    void note(String scenario, String text) {
        write(scenario, "note", text.replace('\t', ' ').replace('\n', ' '), "note", "");
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.6g", value);
    }

    private void write(String scenario, String metric, String value, String unit, String better) {
        if (file == null) {
            return;
        }
        if (label != null) {
            scenario = scenario + " " + label;
        }
        String line = String.join("\t", scenario, metric, target.id, value, unit, better) + "\n";
        System.out.print("  " + target.label + " | " + scenario + " | " + metric + " = " + value + " " + unit + "\n");
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
