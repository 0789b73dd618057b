package cascade.sim.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code ./cascade report}: a results file (a sweep or demo CSV, a {@code sim --format json}
 * result, optionally a timeline CSV) as one self-contained HTML page of plots drawn with XChart —
 * each plot inline as SVG (the page needs no network) and exported beside it as PNG for papers.
 * Which plots: cycles and energy against sequence length per design (CSVs with {@code seq}); the
 * Pareto front (CSVs with {@code cycles} and {@code energyPj}, area where given); energy by
 * component and by tensor, per-unit busy and stall cycles and a roofline per storage level
 * (simulation JSON); per-unit utilisation over time (a timeline CSV).
 */
public final class Report {
    /** One plot of the page: its title, the inline SVG and the PNG written beside the page. */
    public record Plot(String title, String svg, Path png) {
    }

    private final Path pngDir;
    private final List<Plot> plots = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> tables = new ArrayList<>();

    public Report(Path pngDir) {
        this.pngDir = pngDir;
        System.setProperty("java.awt.headless", "true");
    }

    public List<Plot> plots() {
        return List.copyOf(plots);
    }

    private void add(String id, String title, Chart<?, ?> chart) throws IOException {
        Files.createDirectories(pngDir);
        Path base = pngDir.resolve(id);
        VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        BitmapEncoder.saveBitmapWithDPI(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG, 150);
        Path svgFile = pngDir.resolve(id + ".svg");
        String svg = Files.readString(svgFile, StandardCharsets.UTF_8);
        Files.delete(svgFile);
        svg = svg.substring(svg.indexOf("<svg"));
        plots.add(new Plot(title, svg, pngDir.resolve(id + ".png")));
    }

    /** A CSV of rows: sweep, design sweep, demo results or SpAtten sweep. */
    public void csv(String text) throws IOException {
        List<CSVRecord> rows;
        List<String> header;
        try (var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(text))) {
            header = parser.getHeaderNames();
            rows = parser.getRecords();
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the CSV has no rows");
        }
        if (header.contains("seq") && header.contains("design") && header.contains("cycles")) {
            String series = header.contains("workload") ? "workload" : header.contains("model") ? "model" : null;
            for (String metric : List.of("cycles", "energyPj")) {
                if (!header.contains(metric)) {
                    continue;
                }
                XYChart c = new XYChartBuilder().width(760).height(440).title(metric + " against sequence length")
                    .xAxisTitle("sequence length").yAxisTitle(metric).build();
                c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendPosition(
                    org.knowm.xchart.style.Styler.LegendPosition.InsideNW).setMarkerSize(6);
                Map<String, TreeMap<Double, Double>> lines = new LinkedHashMap<>();
                for (CSVRecord r : rows) {
                    if (r.get(metric).isEmpty()) {
                        continue;
                    }
                    String name = r.get("design") + (series == null ? "" : " " + r.get(series));
                    lines.computeIfAbsent(name, k -> new TreeMap<>()).merge(Double.parseDouble(r.get("seq")),
                        Double.parseDouble(r.get(metric)), Math::min);
                }
                for (var l : lines.entrySet()) {
                    c.addSeries(l.getKey(), new ArrayList<>(l.getValue().keySet()), new ArrayList<>(l.getValue().values()));
                }
                add(metric + "-by-seq", metric + " against sequence length, per design", c);
            }
        }
        if (header.contains("cycles") && header.contains("energyPj")) {
            XYChart c = new XYChartBuilder().width(760).height(440).title("Pareto front: cycles and energy")
                .xAxisTitle("cycles").yAxisTitle("energy (pJ)").build();
            c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setXAxisLogarithmic(true)
                .setYAxisLogarithmic(true).setMarkerSize(7);
            List<Double> fx = new ArrayList<>();
            List<Double> fy = new ArrayList<>();
            List<Double> ox = new ArrayList<>();
            List<Double> oy = new ArrayList<>();
            for (CSVRecord r : rows) {
                if (r.get("cycles").isEmpty()) {
                    continue;
                }
                boolean front = header.contains("pareto") && Boolean.parseBoolean(r.get("pareto"));
                (front ? fx : ox).add(Double.parseDouble(r.get("cycles")));
                (front ? fy : oy).add(Double.parseDouble(r.get("energyPj")));
            }
            if (!ox.isEmpty()) {
                c.addSeries("dominated", ox, oy).setMarker(SeriesMarkers.CIRCLE);
            }
            if (!fx.isEmpty()) {
                c.addSeries("on the front", fx, fy).setMarker(SeriesMarkers.DIAMOND);
            }
            add("pareto", "Pareto front (cycles, energy)" + (header.contains("pareto") ? "" : ": no pareto column, all points"),
                c);
            if (header.contains("areaMm2")) {
                XYChart a = new XYChartBuilder().width(760).height(440).title("area against cycles").xAxisTitle("cycles")
                    .yAxisTitle("area (mm²)").build();
                a.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setXAxisLogarithmic(true);
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (CSVRecord r : rows) {
                    x.add(Double.parseDouble(r.get("cycles")));
                    y.add(Double.parseDouble(r.get("areaMm2")));
                }
                a.addSeries("points", x, y);
                add("area", "area against cycles", a);
            }
        }
        if (plots.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: the CSV needs cycles and energyPj columns (and seq, design for "
                + "the length plots); it has " + String.join(", ", header));
        }
    }

    /** A {@code sim --format json} result (or the {@code sim} half of {@code compare}). */
    public void simulation(String text, Map<String, Double> peakOpsPerSecondAndBandwidths) throws IOException {
        JsonNode root = new ObjectMapper().readTree(text);
        if (root.has("sim")) {
            root = root.get("sim");
        }
        if (!root.has("energyByComponentPj") || !root.has("cycles")) {
            throw new IllegalArgumentException("not a simulation result: it needs cycles and energyByComponentPj");
        }
        bars("energy-by-component", "energy by component (pJ)", root.get("energyByComponentPj"));
        if (root.has("energyByTensorPj")) {
            bars("energy-by-tensor", "energy by tensor (pJ)", root.get("energyByTensorPj"));
        }
        if (root.has("units")) {
            CategoryChart c = new CategoryChartBuilder().width(760).height(440).title("cycles per unit").xAxisTitle("unit")
                .yAxisTitle("cycles").build();
            c.getStyler().setStacked(true);
            List<String> names = new ArrayList<>();
            root.get("units").fieldNames().forEachRemaining(names::add);
            for (String part : List.of("busy", "stalledOnInput", "stalledOnOutput", "idle")) {
                List<Double> v = new ArrayList<>();
                for (String n : names) {
                    v.add(root.get("units").get(n).get(part).asDouble());
                }
                c.addSeries(part, names, v);
            }
            add("units", "busy, stalled and idle cycles per unit", c);
        }
        if (root.has("operations") && root.has("wordsByLevel") && peakOpsPerSecondAndBandwidths != null) {
            double seconds = root.get("seconds").asDouble();
            double ops = root.get("operations").asDouble();
            double peak = peakOpsPerSecondAndBandwidths.get("peak");
            XYChart c = new XYChartBuilder().width(760).height(440).title("roofline per storage level")
                .xAxisTitle("operations per word").yAxisTitle("operations per second").build();
            c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setMarkerSize(8);
            var levels = root.get("wordsByLevel");
            List<String> names = new ArrayList<>();
            levels.fieldNames().forEachRemaining(names::add);
            for (String level : names) {
                Double bw = peakOpsPerSecondAndBandwidths.get(level);
                double words = levels.get(level).asDouble();
                if (bw == null || words == 0) {
                    continue;
                }
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (double i = 1e-3; i <= 1e6; i *= 10) {
                    x.add(i);
                    y.add(Math.min(peak, bw * i));
                }
                c.addSeries(level + " roof", x, y).setMarker(SeriesMarkers.NONE);
                c.addSeries(level, List.of(ops / words), List.of(ops / seconds)).setXYSeriesRenderStyle(
                    XYSeries.XYSeriesRenderStyle.Scatter);
            }
            if (!c.getSeriesMap().isEmpty()) {
                add("roofline", "roofline per storage level (the design's point against each level's roof)", c);
            }
        }
    }

    private void bars(String id, String title, JsonNode map) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        map.fields().forEachRemaining(e -> {
            if (e.getValue().asDouble() > 0) {
                names.add(e.getKey());
                values.add(e.getValue().asDouble());
            }
        });
        if (names.isEmpty()) {
            return;
        }
        CategoryChart c = new CategoryChartBuilder().width(760).height(440).title(title).yAxisTitle("pJ").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(45);
        c.addSeries("energy", names, values);
        add(id, title, c);
    }

    /** A timeline CSV ({@code sim --trace FILE.csv}): each track's busy fraction in {@code buckets} slices of time. */
    public void timeline(String text, int buckets) throws IOException {
        List<CSVRecord> rows;
        try (var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(text))) {
            if (!parser.getHeaderNames().equals(List.of("track", "name", "startCycle", "cycles"))) {
                throw new IllegalArgumentException("a timeline CSV has the header track,name,startCycle,cycles");
            }
            rows = parser.getRecords();
        }
        long end = 1;
        for (CSVRecord r : rows) {
            end = Math.max(end, Long.parseLong(r.get("startCycle")) + Long.parseLong(r.get("cycles")));
        }
        double width = (double) end / buckets;
        Map<String, double[]> busy = new LinkedHashMap<>();
        for (CSVRecord r : rows) {
            double[] b = busy.computeIfAbsent(r.get("track"), k -> new double[buckets]);
            double s = Long.parseLong(r.get("startCycle"));
            double e = s + Long.parseLong(r.get("cycles"));
            for (int i = (int) (s / width); i < buckets && i * width < e; i++) {
                double lo = Math.max(s, i * width);
                double hi = Math.min(e, (i + 1) * width);
                b[i] += Math.max(0, hi - lo) / width;
            }
        }
        XYChart c = new XYChartBuilder().width(760).height(440).title("utilisation over time").xAxisTitle("cycle")
            .yAxisTitle("busy fraction").build();
        c.getStyler().setYAxisMax(1.05).setYAxisMin(0.0);
        for (var e : busy.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < buckets; i++) {
                x.add((i + 0.5) * width);
                y.add(Math.min(1, e.getValue()[i]));
            }
            c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
        }
        add("utilisation-over-time", "per-unit and per-level utilisation over time", c);
    }

    public void note(String text) {
        notes.add(text);
    }

    /** A line chart, log-log: a series per name of (x, y) points. */
    public void lines(String id, String title, String xLabel, String yLabel, Map<String, List<double[]>> series) throws IOException {
        XYChart c = new XYChartBuilder().width(760).height(440).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
            .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW).setMarkerSize(6);
        addSeries(c, series);
        add(id, title, c);
    }

    /** A scatter chart, x logarithmic: a series per name of (x, y) points. */
    public void scatter(String id, String title, String xLabel, String yLabel, Map<String, List<double[]>> series) throws IOException {
        XYChart c = new XYChartBuilder().width(760).height(440).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setXAxisLogarithmic(true)
            .setMarkerSize(8).setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        addSeries(c, series);
        add(id, title, c);
    }

    private static void addSeries(XYChart c, Map<String, List<double[]>> series) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("a chart needs at least one series");
        }
        series.forEach((name, points) -> c.addSeries(name, points.stream().map(p -> p[0]).toList(),
            points.stream().map(p -> p[1]).toList()));
    }

    /** A table under the plots, with a caption. */
    public void table(String caption, List<String> header, List<List<String>> rows) {
        tables.add("<h2>" + Page.esc(caption) + "</h2>\n" + Page.table(header, rows));
    }

    public String html(String title) {
        StringBuilder body = new StringBuilder();
        for (String n : notes) {
            body.append("<p>").append(Page.esc(n)).append("</p>\n");
        }
        for (Plot p : plots) {
            body.append("<figure class=\"plot\">").append(p.svg()).append("<figcaption>").append(Page.esc(p.title()))
                .append(" — <a href=\"").append(Page.esc(p.png().getParent().getFileName() + "/" + p.png().getFileName()))
                .append("\">PNG</a></figcaption></figure>\n");
        }
        tables.forEach(body::append);
        return Page.page(title, body.toString());
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
