package cascade.sim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** An HTML page of grouped bar charts (inline SVG, a group per sequence length) and the tables under them. */
public final class Page {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private Page() {
    }

    /** One line of a chart: its name and y per x. */
    public record Series(String name, List<double[]> points) {
    }

    /** A horizontal line across a chart at {@code y}, labelled (the paper's average, say). */
    public record Mark(String label, double y) {
    }

    /**
     * Grouped bars as papers draw them: a group per sequence length, a bar per series within it (so
     * series with equal values still show side by side), a linear y axis from 0 with round ticks
     * (1, 2 or 5 × 10^k apart), each bar's value above it, and {@code marks} as dashed lines.
     */
    public static String bars(String title, String yLabel, List<Series> series, List<Mark> marks) {
        double w = 640;
        double h = 320;
        double left = 60;
        double bottom = 40;
        double top = 20;
        double ymax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                ymax = Math.max(ymax, p[1]);
            }
        }
        for (Mark m : marks) {
            ymax = Math.max(ymax, m.y());
        }
        double step = niceStep(ymax / 5);
        double axisMax = Math.max(step, Math.ceil(ymax / step) * step);
        int groups = series.getFirst().points().size();
        double groupWidth = (w - left - 10) / groups;
        double barWidth = groupWidth * 0.8 / series.size();
        java.util.function.DoubleUnaryOperator py = y -> h - bottom - y / axisMax * (h - bottom - top);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<figure><svg width=\"%.0f\" height=\"%.0f\" role=\"img\"><title>%s</title>%n",
            w + 120, h + 10, esc(title)));
        for (double t = 0; t <= axisMax + step / 2; t += step) {
            double y = py.applyAsDouble(t);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                left, y, w - 10, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n",
                left - 4, y + 4, tick(t, step)));
        }
        b.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>%n",
            left, h - bottom, w - 10, h - bottom));
        for (int g = 0; g < groups; g++) {
            double gx = left + g * groupWidth + groupWidth * 0.1;
            for (int i = 0; i < series.size(); i++) {
                double[] p = series.get(i).points().get(g);
                double x = gx + i * barWidth;
                double y = py.applyAsDouble(p[1]);
                b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>%s %s: %.3g</title></rect>%n", x, y, barWidth * 0.95, h - bottom - y, COLOURS[i % COLOURS.length],
                    esc(series.get(i).name()), lengthLabel((long) p[0]), p[1]));
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"middle\">%s"
                    + "</text>%n", x + barWidth * 0.475, y - 2, String.format(Locale.ROOT, "%.3g", p[1])));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
                left + (g + 0.5) * groupWidth, h - bottom + 15, lengthLabel((long) series.getFirst().points().get(g)[0])));
        }
        for (Mark m : marks) {
            double y = py.applyAsDouble(m.y());
            b.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"black\" "
                + "stroke-dasharray=\"6 4\"/>%n", left, y, w - 10, y));
            b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\">%s</text>%n", w - 6, y + 4,
                esc(m.label())));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">sequence length</text>%n",
            (left + w) / 2, h - 5));
        b.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.0f\" font-size=\"12\" transform=\"rotate(-90 12 %.0f)\" "
            + "text-anchor=\"middle\">%s</text>%n", h / 2, h / 2, esc(yLabel)));
        for (int i = 0; i < series.size(); i++) {
            b.append(String.format(Locale.ROOT, "<rect x=\"%.0f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%.0f\" y=\"%d\" font-size=\"12\">%s</text>%n", w + 40, 22 + 16 * i, COLOURS[i % COLOURS.length],
                w + 54, 31 + 16 * i, esc(series.get(i).name())));
        }
        b.append("</svg><figcaption>").append(esc(title)).append("</figcaption></figure>\n");
        return b.toString();
    }

    /** A round step near {@code raw}: 1, 2 or 5 times a power of ten. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    private static String tick(double t, double step) {
        return step >= 1 ? String.format(Locale.ROOT, "%.0f", t)
            : String.format(Locale.ROOT, "%." + (int) Math.ceil(-Math.log10(step)) + "f", t);
    }

    public static Series series(String name, List<Long> xs, ToDoubleFunction<Long> y) {
        List<double[]> pts = new ArrayList<>();
        for (long x : xs) {
            pts.add(new double[] {x, y.applyAsDouble(x)});
        }
        return new Series(name, pts);
    }

    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table><tr>");
        header.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
        b.append("</tr>\n");
        for (List<String> r : rows) {
            b.append("<tr>");
            r.forEach(c -> b.append("<td>").append(esc(c)).append("</td>"));
            b.append("</tr>\n");
        }
        return b.append("</table>\n").toString();
    }

    public static String page(String title, String body) {
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title><style>"
            + "body{font-family:sans-serif;margin:2em;max-width:1400px}figure{display:inline-block;margin:1em}"
            + "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
            + "</style></head><body><h1>" + esc(title) + "</h1>\n" + body + "</body></html>\n";
    }

    /** 1K, 64K, 1M: a sequence length as the FuseMax paper writes it. */
    public static String lengthLabel(long n) {
        return n >= 1 << 20 ? (n >> 20) + "M" : n >= 1 << 10 ? (n >> 10) + "K" : Long.toString(n);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
