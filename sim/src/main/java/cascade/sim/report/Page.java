package cascade.sim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** An HTML page of line charts (inline SVG, log-2 x axis of sequence length) and the table under them. */
public final class Page {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private Page() {
    }

    /** One line of a chart: its name and y per x. */
    public record Series(String name, List<double[]> points) {
    }

    public static String chart(String title, String yLabel, List<Series> series, boolean logY) {
        double w = 520;
        double h = 300;
        double left = 60;
        double bottom = 40;
        double xmin = Double.MAX_VALUE;
        double xmax = -Double.MAX_VALUE;
        double ymin = Double.MAX_VALUE;
        double ymax = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xmin = Math.min(xmin, log2(p[0]));
                xmax = Math.max(xmax, log2(p[0]));
                double y = logY ? Math.log10(p[1]) : p[1];
                ymin = Math.min(ymin, y);
                ymax = Math.max(ymax, y);
            }
        }
        if (!logY) {
            ymin = Math.min(0, ymin);
        }
        if (ymax - ymin < 1e-9) {
            ymax = ymin + 1;
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<figure><svg width=\"%.0f\" height=\"%.0f\" role=\"img\"><title>%s</title>%n",
            w + 140, h + 20, esc(title)));
        double fxmin = xmin;
        double fxmax = xmax;
        double fymin = ymin;
        double fymax = ymax;
        java.util.function.DoubleUnaryOperator px = x -> left + (log2(x) - fxmin) / Math.max(1e-9, fxmax - fxmin) * (w - left - 10);
        java.util.function.DoubleUnaryOperator py = y -> h - bottom - ((logY ? Math.log10(y) : y) - fymin) / (fymax - fymin) * (h - bottom - 20);
        b.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>%n",
            left, h - bottom, w - 10, h - bottom));
        b.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"20\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>%n",
            left, left, h - bottom));
        for (double[] p : series.getFirst().points()) {
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
                px.applyAsDouble(p[0]), h - bottom + 15, lengthLabel((long) p[0])));
        }
        for (int i = 0; i <= 4; i++) {
            double yv = ymin + (ymax - ymin) * i / 4;
            double shown = logY ? Math.pow(10, yv) : yv;
            double y = h - bottom - (yv - ymin) / (ymax - ymin) * (h - bottom - 20);
            b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n",
                left - 4, y + 4, String.format(Locale.ROOT, "%.3g", shown)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">sequence length</text>%n",
            (left + w) / 2, h - 5));
        b.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.0f\" font-size=\"12\" transform=\"rotate(-90 12 %.0f)\" "
            + "text-anchor=\"middle\">%s</text>%n", h / 2, h / 2, esc(yLabel)));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            List<String> pts = new ArrayList<>();
            for (double[] p : s.points()) {
                pts.add(String.format(Locale.ROOT, "%.1f,%.1f", px.applyAsDouble(p[0]), py.applyAsDouble(p[1])));
            }
            b.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", colour,
                String.join(" ", pts)));
            b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>%n",
                w, 30 + 16 * i, colour, esc(s.name())));
        }
        b.append("</svg><figcaption>").append(esc(title)).append("</figcaption></figure>\n");
        return b.toString();
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

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
