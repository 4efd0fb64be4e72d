package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ChartTest {

    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> byClass(Document doc, String tag, String cls) {
        NodeList all = doc.getElementsByTagNameNS(SVG_NS, tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.getAttribute("class").equals(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static double attr(Element e, String name) {
        return Double.parseDouble(e.getAttribute(name));
    }

    @Test
    void writesWellFormedSvgWithEveryNameEscaped() throws Exception {
        String evil = "A&B <\"x\"> 'y' \u0001 \uD83D\uDE80";
        Chart chart = new Chart("p99 < 5 ms & \"more\"", "offered <msg/s>", "ms & more", Chart.Scale.LOG, List.of(
                new Chart.Series(evil, List.of(new Chart.Point(1000, 3), new Chart.Point(5000, 300))),
                new Chart.Series("Herald", List.of(new Chart.Point(1000, 1)))));

        Document doc = parse(chart.svg());

        assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo(SVG_NS);
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        Element legend = byClass(doc, "g", "legend").getFirst();
        NodeList names = legend.getElementsByTagNameNS(SVG_NS, "text");
        assertThat(names.getLength()).isEqualTo(2);
        // The control character cannot be in XML at all: replaced; the rest comes back as written.
        assertThat(names.item(0).getTextContent()).isEqualTo("A&B <\"x\"> 'y' \uFFFD \uD83D\uDE80");
        assertThat(names.item(1).getTextContent()).isEqualTo("Herald");
        assertThat(byClass(doc, "text", "title").getFirst().getTextContent()).isEqualTo("p99 < 5 ms & \"more\"");
        assertThat(byClass(doc, "text", "axis-label")).extracting(Element::getTextContent)
                .containsExactly("offered <msg/s>", "ms & more");
    }

    @Test
    void placesPointsWhereTheLinearScalesSay() throws Exception {
        // x from 0 to 100, y from 0 to 100 (both already round numbers): 50 is the middle of each.
        Chart chart = new Chart("t", "x", "y", Chart.Scale.LINEAR, List.of(new Chart.Series("s", List.of(
                new Chart.Point(100, 100), new Chart.Point(50, 50), new Chart.Point(25, 0)))));

        List<Element> points = byClass(parse(chart.svg()), "circle", "point");

        assertThat(points).hasSize(3);   // drawn in x order
        assertThat(attr(points.get(0), "cx")).isCloseTo(Chart.LEFT + Chart.PLOT_WIDTH * 0.25, within(0.1));
        assertThat(attr(points.get(0), "cy")).isCloseTo(Chart.TOP + Chart.PLOT_HEIGHT, within(0.1));
        assertThat(attr(points.get(1), "cx")).isCloseTo(Chart.LEFT + Chart.PLOT_WIDTH * 0.5, within(0.1));
        assertThat(attr(points.get(1), "cy")).isCloseTo(Chart.TOP + Chart.PLOT_HEIGHT * 0.5, within(0.1));
        assertThat(attr(points.get(2), "cx")).isCloseTo(Chart.LEFT + Chart.PLOT_WIDTH, within(0.1));
        assertThat(attr(points.get(2), "cy")).isCloseTo(Chart.TOP, within(0.1));
    }

    @Test
    void roundsTheLinearTopUpToATick() {
        Chart chart = new Chart("t", "x", "y", Chart.Scale.LINEAR, List.of(new Chart.Series("s", List.of(
                new Chart.Point(19_500, 421_294), new Chart.Point(1000, 54_919)))));

        assertThat(chart.yTicks()).containsExactly(0.0, 100_000.0, 200_000.0, 300_000.0, 400_000.0, 500_000.0);
        assertThat(chart.py(500_000)).isCloseTo(Chart.TOP, within(0.01));
        assertThat(chart.px(20_000)).isCloseTo(Chart.LEFT + Chart.PLOT_WIDTH, within(0.01));
    }

    @Test
    void extendsTheLinearAxisBelowZeroForANegativeFigure() throws Exception {
        // Memory per connection is a difference of two reads and can come out below 0 at small sizes.
        Chart chart = new Chart("t", "x", "B", Chart.Scale.LINEAR, List.of(new Chart.Series("s", List.of(
                new Chart.Point(200, -13_297), new Chart.Point(1000, 7317)))));

        List<Element> points = byClass(parse(chart.svg()), "circle", "point");

        assertThat(chart.yTicks()).containsExactly(-15_000.0, -10_000.0, -5000.0, 0.0, 5000.0, 10_000.0);
        assertThat(chart.py(0)).isCloseTo(Chart.TOP + Chart.PLOT_HEIGHT * 0.4, within(0.01));
        assertThat(attr(points.get(0), "cy")).isBetween((double) Chart.TOP, (double) Chart.TOP + Chart.PLOT_HEIGHT);
        assertThat(attr(points.get(0), "cy")).isCloseTo(Chart.TOP + Chart.PLOT_HEIGHT * (1 - 1703.0 / 25_000), within(0.1));
    }

    @Test
    void placesPointsWhereTheLogScaleSays() throws Exception {
        // 0.5 ms to 2,000 ms: the axis spans the decades 0.1 to 10,000, six ticks apart.
        Chart chart = new Chart("t", "x", "ms", Chart.Scale.LOG, List.of(
                new Chart.Series("fast", List.of(new Chart.Point(1, 0.5), new Chart.Point(2, 10))),
                new Chart.Series("slow", List.of(new Chart.Point(1, 2000), new Chart.Point(2, 0)))));

        List<Element> points = byClass(parse(chart.svg()), "circle", "point");

        assertThat(chart.yTicks()).containsExactly(0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0);
        double decade = Chart.PLOT_HEIGHT / 5.0;
        double bottom = Chart.TOP + Chart.PLOT_HEIGHT;
        assertThat(points).hasSize(3);   // 0 has no place on a log scale
        assertThat(attr(points.get(0), "cy")).isCloseTo(bottom - decade * Math.log10(5), within(0.1));
        assertThat(attr(points.get(1), "cy")).isCloseTo(bottom - decade * 2, within(0.1));
        assertThat(attr(points.get(2), "cy")).isCloseTo(bottom - decade * (4 + Math.log10(2)), within(0.1));
    }

    @Test
    void labelsTicksShortly() {
        assertThat(Chart.number(19_500)).isEqualTo("19.5k");
        assertThat(Chart.number(1_000_000)).isEqualTo("1M");
        assertThat(Chart.number(250_000)).isEqualTo("250k");
        assertThat(Chart.number(0.25)).isEqualTo("0.25");
        assertThat(Chart.number(0.1)).isEqualTo("0.1");
        assertThat(Chart.number(0)).isEqualTo("0");
        assertThat(Chart.number(500)).isEqualTo("500");
    }

    @Test
    void keepsAServersColourWhenTheOneBeforeItHasNoPoints() throws Exception {
        List<Chart.Series> series = List.of(new Chart.Series("Herald", List.of(new Chart.Point(1, 1))),
                new Chart.Series("Socket.IO", List.of(new Chart.Point(1, 2))),
                new Chart.Series("bare Netty", List.of(new Chart.Point(1, 3))));
        List<Chart.Series> withoutSocketIo = List.of(series.get(0), new Chart.Series("Socket.IO", List.of()), series.get(2));

        List<Element> all = byClass(parse(new Chart("t", "x", "y", Chart.Scale.LINEAR, series).svg()), "circle", "point");
        Document partial = parse(new Chart("t", "x", "y", Chart.Scale.LINEAR, withoutSocketIo).svg());
        List<Element> some = byClass(partial, "circle", "point");

        assertThat(some).hasSize(2);
        assertThat(some.get(1).getAttribute("fill")).isEqualTo(all.get(2).getAttribute("fill"));
        assertThat(some.get(1).getAttribute("fill")).isNotEqualTo(all.get(1).getAttribute("fill"));
        assertThat(byClass(partial, "g", "legend").getFirst().getTextContent()).doesNotContain("Socket.IO");
    }

    @Test
    void drawsAnEmptyChartAsValidSvg() throws Exception {
        Document doc = parse(new Chart("t", "x", "y", Chart.Scale.LOG, List.of()).svg());

        assertThat(byClass(doc, "circle", "point")).isEmpty();
        assertThat(doc.getDocumentElement().getTextContent()).contains("no data");
    }
}
