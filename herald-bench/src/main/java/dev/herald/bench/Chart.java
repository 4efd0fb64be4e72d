package dev.herald.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * An SVG line chart of one figure: x against y, one line per series (a server), with axes, ticks,
 * grid, axis labels, a legend and a title. The x axis is linear from 0, labelled at the x values
 * of the data (the sizes or rates a sweep ran); the y axis is linear from 0 (or from below, if a
 * figure is negative) or logarithmic (whole decades), for figures that span orders of magnitude
 * such as p99 latency. On a log axis points
 * at or below 0 cannot be drawn and are left out. Every text is escaped for XML. Immutable; builds
 * text only, no I/O.
 */
final class Chart {

    enum Scale { LINEAR, LOG }

    record Point(double x, double y) {
    }

    /**
     * One line: {@code name} goes into the legend; points are drawn in x order. A series keeps the
     * colour of its place in the list; one without points takes its place but is not drawn.
     */
    record Series(String name, List<Point> points) {
        Series {
            points = points.stream().sorted(Comparator.comparingDouble(Point::x)).toList();
        }
    }

    static final int WIDTH = 760;
    static final int HEIGHT = 440;
    /** The plot area: left and top edge, width and height, in SVG user units. */
    static final int LEFT = 80;
    static final int TOP = 50;
    static final int PLOT_WIDTH = 480;
    static final int PLOT_HEIGHT = 320;

    /** Okabe-Ito colours (told apart with colour-blindness too), with a dash pattern each for print. */
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};
    private static final String[] DASHES = {"", "8 4", "2 4", "10 4 2 4"};
    /** Tick labels closer than this (user units) to the previous one are not written. */
    private static final double MIN_LABEL_GAP = 36;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Scale yScale;
    private final List<Series> series;
    private final double xMax;
    private final double yMin;
    private final double yMax;

    Chart(String title, String xLabel, String yLabel, Scale yScale, List<Series> series) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.yScale = yScale;
        this.series = List.copyOf(series);
        double maxX = 0;
        double maxY = 0;
        double minY = 0;
        double minPositiveY = Double.POSITIVE_INFINITY;
        for (Point p : drawable()) {
            maxX = Math.max(maxX, p.x());
            maxY = Math.max(maxY, p.y());
            minY = Math.min(minY, p.y());
            if (p.y() > 0) {
                minPositiveY = Math.min(minPositiveY, p.y());
            }
        }
        this.xMax = niceCeiling(maxX);
        if (yScale == Scale.LOG) {
            if (minPositiveY == Double.POSITIVE_INFINITY) {
                minPositiveY = 1;
                maxY = 10;
            }
            int lo = (int) Math.floor(Math.log10(minPositiveY));
            int hi = Math.max(lo + 1, (int) Math.ceil(Math.log10(maxY)));
            this.yMin = Math.pow(10, lo);
            this.yMax = Math.pow(10, hi);
        } else {
            // From 0, or from below it when a figure came out negative (a difference of two noisy reads).
            double step = niceStep(Math.max(maxY, 0) - minY);
            this.yMin = Math.floor(minY / step) * step;
            this.yMax = Math.max(yMin + step, Math.ceil(maxY / step * (1 - 1e-12)) * step);
        }
    }

    /** Every point that can be placed on this chart's scales. */
    private List<Point> drawable() {
        List<Point> all = new ArrayList<>();
        for (Series s : series) {
            for (Point p : s.points()) {
                if (Double.isFinite(p.x()) && Double.isFinite(p.y()) && (yScale == Scale.LINEAR || p.y() > 0)) {
                    all.add(p);
                }
            }
        }
        return all;
    }

    /** Where x lies horizontally, in SVG user units. */
    double px(double x) {
        return LEFT + PLOT_WIDTH * x / xMax;
    }

    /** Where y lies vertically, in SVG user units (SVG's y grows downwards). */
    double py(double y) {
        double share = yScale == Scale.LOG
                ? (Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))
                : (y - yMin) / (yMax - yMin);
        return TOP + PLOT_HEIGHT * (1 - share);
    }

    String svg() {
        StringBuilder out = new StringBuilder(8192);
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        out.append("<title>").append(escape(title)).append("</title>\n");
        out.append("<rect width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" fill=\"#ffffff\"/>\n");
        out.append("<text class=\"title\" x=\"").append(LEFT + PLOT_WIDTH / 2).append("\" y=\"28\" text-anchor=\"middle\""
                + " font-size=\"15\" font-weight=\"bold\">").append(escape(title)).append("</text>\n");
        xAxis(out);
        yAxis(out);
        out.append("<rect class=\"frame\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                .append(PLOT_WIDTH).append("\" height=\"").append(PLOT_HEIGHT).append("\" fill=\"none\" stroke=\"#333333\"/>\n");
        for (int i = 0; i < series.size(); i++) {
            if (!series.get(i).points().isEmpty()) {
                line(out, series.get(i), i);
            }
        }
        if (drawable().isEmpty()) {
            out.append("<text x=\"").append(LEFT + PLOT_WIDTH / 2).append("\" y=\"").append(TOP + PLOT_HEIGHT / 2)
                    .append("\" text-anchor=\"middle\" fill=\"#666666\">no data</text>\n");
        }
        legend(out);
        out.append("</svg>\n");
        return out.toString();
    }

    private void xAxis(StringBuilder out) {
        List<Double> ticks = drawable().stream().map(Point::x).distinct().sorted().toList();
        out.append("<g class=\"x-axis\">\n");
        double lastLabel = Double.NEGATIVE_INFINITY;
        for (double x : ticks) {
            double at = px(x);
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>%n",
                    at, TOP, at, TOP + PLOT_HEIGHT));
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>%n",
                    at, TOP + PLOT_HEIGHT, at, TOP + PLOT_HEIGHT + 5));
            if (at - lastLabel >= MIN_LABEL_GAP) {
                out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        at, TOP + PLOT_HEIGHT + 19, escape(number(x))));
                lastLabel = at;
            }
        }
        out.append("<text class=\"axis-label\" x=\"").append(LEFT + PLOT_WIDTH / 2).append("\" y=\"")
                .append(TOP + PLOT_HEIGHT + 44).append("\" text-anchor=\"middle\">").append(escape(xLabel)).append("</text>\n");
        out.append("</g>\n");
    }

    private void yAxis(StringBuilder out) {
        out.append("<g class=\"y-axis\">\n");
        double lastLabel = Double.POSITIVE_INFINITY;
        for (double y : yTicks()) {
            double at = py(y);
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n",
                    LEFT, at, LEFT + PLOT_WIDTH, at));
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333333\"/>%n",
                    LEFT - 5, at, LEFT, at));
            if (lastLabel - at >= 14) {
                out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                        LEFT - 8, at + 4, escape(number(y))));
                lastLabel = at;
            }
        }
        int midY = TOP + PLOT_HEIGHT / 2;
        out.append("<text class=\"axis-label\" x=\"22\" y=\"").append(midY).append("\" text-anchor=\"middle\" transform=\"rotate(-90 22 ")
                .append(midY).append(")\">").append(escape(yLabel)).append("</text>\n");
        out.append("</g>\n");
    }

    /** Linear: bottom to top in 1, 2 or 5 x 10^k steps; log: each decade, with 2 and 5 when there are at most two. */
    List<Double> yTicks() {
        List<Double> ticks = new ArrayList<>();
        if (yScale == Scale.LOG) {
            long lo = Math.round(Math.log10(yMin));
            long decades = Math.round(Math.log10(yMax)) - lo;
            for (long d = 0; d <= decades; d++) {
                double decade = Math.pow(10, lo + d);
                ticks.add(decade);
                if (decades <= 2 && d < decades) {
                    ticks.add(decade * 2);
                    ticks.add(decade * 5);
                }
            }
            return ticks;
        }
        double step = niceStep(yMax - yMin);
        for (int i = 0; yMin + i * step <= yMax + step * 1e-9; i++) {
            ticks.add(yMin + i * step);
        }
        return ticks;
    }

    private void line(StringBuilder out, Series s, int index) {
        String colour = COLOURS[index % COLOURS.length];
        String dash = DASHES[index % DASHES.length];
        List<Point> points = s.points().stream()
                .filter(p -> Double.isFinite(p.x()) && Double.isFinite(p.y()) && (yScale == Scale.LINEAR || p.y() > 0))
                .toList();
        out.append("<g class=\"series\">\n<title>").append(escape(s.name())).append("</title>\n");
        if (points.size() > 1) {
            out.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\"");
            if (!dash.isEmpty()) {
                out.append(" stroke-dasharray=\"").append(dash).append('"');
            }
            out.append(" points=\"");
            for (int i = 0; i < points.size(); i++) {
                out.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f",
                        px(points.get(i).x()), py(points.get(i).y())));
            }
            out.append("\"/>\n");
        }
        for (Point p : points) {
            out.append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">",
                    px(p.x()), py(p.y()), colour));
            out.append("<title>").append(escape(s.name() + ": " + number(p.x()) + " -> " + number(p.y())))
                    .append("</title></circle>\n");
        }
        out.append("</g>\n");
    }

    private void legend(StringBuilder out) {
        int x = LEFT + PLOT_WIDTH + 20;
        out.append("<g class=\"legend\">\n");
        int row = 0;
        for (int i = 0; i < series.size(); i++) {
            if (series.get(i).points().isEmpty()) {
                continue;
            }
            int y = TOP + 10 + 22 * row++;
            String dash = DASHES[i % DASHES.length];
            out.append("<line x1=\"").append(x).append("\" y1=\"").append(y).append("\" x2=\"").append(x + 28)
                    .append("\" y2=\"").append(y).append("\" stroke=\"").append(COLOURS[i % COLOURS.length])
                    .append("\" stroke-width=\"2\"").append(dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"")
                    .append("/>\n");
            out.append("<text x=\"").append(x + 36).append("\" y=\"").append(y + 4).append("\">")
                    .append(escape(series.get(i).name())).append("</text>\n");
        }
        out.append("</g>\n");
    }

    /** The smallest 1, 2 or 5 x 10^k step that cuts a range this wide into at most 6 parts. */
    static double niceStep(double range) {
        if (!(range > 0)) {
            return 1;
        }
        double raw = range / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw * (1 - 1e-9)) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** {@code max} rounded up to a whole number of {@link #niceStep}s (1 when there is nothing above 0). */
    static double niceCeiling(double max) {
        if (!(max > 0)) {
            return 1;
        }
        double step = niceStep(max);
        return Math.ceil(max / step * (1 - 1e-12)) * step;
    }

    /** A tick label: 3 significant digits at most, thousands as k and millions as M (19.5k, 2M, 0.25). */
    static String number(double v) {
        double a = Math.abs(v);
        String suffix = "";
        if (a >= 1e6) {
            v /= 1e6;
            suffix = "M";
        } else if (a >= 1e3) {
            v /= 1e3;
            suffix = "k";
        }
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString() + suffix;
    }

    /**
     * {@code text} as XML character data or attribute value: markup characters escaped, and
     * characters XML 1.0 does not allow at all (most control characters, unpaired surrogates) replaced
     * by U+FFFD.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else {
                        boolean allowed = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF)
                                || (c >= 0xE000 && c <= 0xFFFD);
                        out.append(allowed ? c : '\uFFFD');
                    }
                }
            }
        }
        return out.toString();
    }
}
