package cascade.sim.report;

import cascade.mappings.spec.ModelShape;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The FuseMax reproduction written out: its CSV and its page of charts ({@link Page}). */
public final class ReproductionPage {
    private ReproductionPage() {
    }

    public static final List<String> ATTRIBUTION_HEADER = List.of("model", "seq", "assumption off", "speedup vs FLAT",
        "energy vs FLAT", "speedup vs unfused");

    /** The attribution's rows: each figure with all assumptions on, {@code arrow}, the figure with one off. */
    public static List<List<String>> attributionRows(List<Reproduction.Attribution> attribution, String arrow) {
        List<List<String>> rows = new ArrayList<>();
        for (Reproduction.Attribution a : attribution) {
            rows.add(List.of(a.model(), Page.lengthLabel(a.seq()), a.assumption(),
                String.format(Locale.ROOT, "%.2fx %s %.2fx", a.withAll().speedupVsFlat(), arrow, a.speedupVsFlat()),
                pct(a.withAll().energyVsFlat()) + " " + arrow + " " + pct(a.energyVsFlat()),
                String.format(Locale.ROOT, "%.2fx %s %.2fx", a.withAll().speedupVsUnfused(), arrow, a.speedupVsUnfused())));
        }
        return rows;
    }

    public static String csv(List<Reproduction.Row> rows) {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            p.printRecord("model", "seq", "design", "cycles", "seconds", "energyPj", "dramBytes", "util2d", "util1d",
                "modelCycles", "modelEnergyPj", "modelUtil2d", "modelUtil1d");
            for (Reproduction.Row r : rows) {
                p.printRecord(r.model(), r.seq(), r.design(), r.cycles(), r.seconds(), r.energyPj(), r.dramBytes(),
                    r.util2d(), r.util1d(), r.modelCycles(), r.modelEnergyPj(), r.modelUtil2d(), r.modelUtil1d());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    public static String page(List<Reproduction.Row> rows, List<ModelShape> models, List<Long> lengths,
                              List<Reproduction.Attribution> attribution) {
        StringBuilder body = new StringBuilder("<p>FuseMax (MICRO 2024) attention evaluation reproduced on Cascade's "
            + "cycle-level simulator: designs <code>fusemax</code>, <code>flat</code>, <code>unfused</code>, batch 64. "
            + "The paper reports 6.7&times; speedup over FLAT at 79% of its energy on average, and close to 100% 2D "
            + "utilisation for FuseMax at long sequences.</p>\n");
        Reproduction.Summary summary = Reproduction.summary(rows, models, lengths);
        barsPerModel(body, rows, models, lengths, String.format(Locale.ROOT, "Speedup of FuseMax over FLAT, simulated "
            + "(geometric mean %.2fx; the model %.2fx)", summary.geomeanSpeedupVsFlat(), summary.modelGeomeanSpeedupVsFlat()),
            "speedup (x)", "flat", (f, o) -> (double) o.cycles() / f.cycles(), List.of(new Page.Mark("paper 6.7x", 6.7)));
        barsPerModel(body, rows, models, lengths, "Speedup of FuseMax over unfused, simulated", "speedup (x)", "unfused",
            (f, o) -> (double) o.cycles() / f.cycles(), List.of());
        barsPerModel(body, rows, models, lengths, String.format(Locale.ROOT, "FuseMax energy relative to FLAT, simulated "
            + "(geometric mean %.0f%%; the model %.0f%%)", 100 * summary.geomeanEnergyVsFlat(),
            100 * summary.modelGeomeanEnergyVsFlat()), "energy ratio", "flat", (f, o) -> f.energyPj() / o.energyPj(),
            List.of(new Page.Mark("paper 0.79", 0.79)));
        for (String d : Reproduction.DESIGNS) {
            List<Page.Series> s = new ArrayList<>();
            for (ModelShape w : models) {
                s.add(Page.series(w.name() + " 2D", lengths, n -> Reproduction.find(rows, w.name(), n, d).util2d()));
            }
            s.add(Page.series(models.getFirst().name() + " 1D", lengths,
                n -> Reproduction.find(rows, models.getFirst().name(), n, d).util1d()));
            body.append(Page.bars(d + ": array utilisation, simulated", "utilisation", s, List.of()));
        }
        List<List<String>> table = new ArrayList<>();
        for (Reproduction.Row r : rows) {
            table.add(List.of(r.model(), Page.lengthLabel(r.seq()), r.design(), Long.toString(r.cycles()),
                String.format(Locale.ROOT, "%.4g", r.seconds()), String.format(Locale.ROOT, "%.4g", r.energyPj() * 1e-12),
                String.format(Locale.ROOT, "%.4g", r.dramBytes() / 1e9), pct(r.util2d()), pct(r.util1d()),
                String.format(Locale.ROOT, "%.4f", (double) r.cycles() / r.modelCycles())));
        }
        if (!attribution.isEmpty()) {
            body.append("<h2>What each of the paper's assumptions is worth</h2>\n<p>The analytical model with every "
                + "assumption on, then with one turned off in every design that makes it (<code>--without NAME</code>).</p>\n")
                .append(Page.table(ATTRIBUTION_HEADER, attributionRows(attribution, "→")));
        }
        body.append("<h2>All points</h2>\n").append(Page.table(List.of("model", "seq", "design", "cycles", "seconds",
            "energy J", "DRAM GB", "util 2D", "util 1D", "sim / model cycles"), table));
        return Page.page("Cascade: FuseMax reproduction", body.toString());
    }

    private interface Ratio {
        double of(Reproduction.Row fusemax, Reproduction.Row other);
    }

    private static void barsPerModel(StringBuilder body, List<Reproduction.Row> rows, List<ModelShape> models,
                                     List<Long> lengths, String title, String y, String other, Ratio ratio,
                                     List<Page.Mark> marks) {
        List<Page.Series> s = new ArrayList<>();
        for (ModelShape w : models) {
            s.add(Page.series(w.name(), lengths, n -> ratio.of(Reproduction.find(rows, w.name(), n, "fusemax"),
                Reproduction.find(rows, w.name(), n, other))));
        }
        body.append(Page.bars(title, y, s, marks));
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }
}
