package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.Workload;
import cascade.sim.report.Page;
import cascade.sim.report.Reproduction;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The main job on built-in defaults: the FuseMax paper's attention evaluation on the simulator
 * (see {@link Reproduction}), written as a CSV and a page of charts into an output folder.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Reproduce the FuseMax evaluation: fusemax vs flat vs unfused on BERT, TrXL, T5, XLM attention at "
        + "1K-1M tokens (batch 64), simulated; writes results.csv and report.html.",
    footer = {"", "Example:", "  ./cascade demo --out demo-out"})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "demo-out", paramLabel = "DIR",
        description = "output folder (default ${DEFAULT-VALUE}); its results.csv and report.html are replaced whole")
    Path out;

    @Option(names = "--threads", description = "points simulated at once (default: all processors)")
    Integer threads;

    @Option(names = "--quick", description = "BERT only, at 1K, 16K and 1M tokens")
    boolean quick;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InvalidInputException(new SourcePos("--out", 1, 1), out + " exists and is not a folder");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Workload> models = quick ? List.of(Workload.BERT) : Reproduction.MODELS;
        List<Long> lengths = quick ? List.of(1L << 10, 1L << 14, 1L << 20) : Reproduction.LENGTHS;
        int total = models.size() * lengths.size() * Reproduction.DESIGNS.size();
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Reproduction.Row> rows = Reproduction.run(models, lengths,
            threads == null ? Runtime.getRuntime().availableProcessors() : threads, r -> {
                int n = done.incrementAndGet();
                if (CascadeCommand.quiet()) {
                    return;
                }
                double s = (System.nanoTime() - t0) / 1e9;
                synchronized (err) {
                    err.printf(Locale.ROOT, "demo: [%d/%d] %s %s %s  (%.0f s, about %.0f s left)%n", n, total, r.design(),
                        r.model(), Page.lengthLabel(r.seq()), s, s / n * (total - n));
                    err.flush();
                }
            });
        Files.createDirectories(out);
        cascade.traces.AtomicFiles.writeString(out.resolve("results.csv"), csv(rows));
        cascade.traces.AtomicFiles.writeString(out.resolve("report.html"), page(rows, models, lengths));
        List<List<String>> table = new ArrayList<>();
        List<Double> speedFlat = new ArrayList<>();
        List<Double> speedUnfused = new ArrayList<>();
        List<Double> energyFlat = new ArrayList<>();
        List<Double> util = new ArrayList<>();
        for (Workload w : models) {
            for (long n : lengths) {
                Reproduction.Row f = Reproduction.find(rows, w.userName(), n, "fusemax");
                Reproduction.Row fl = Reproduction.find(rows, w.userName(), n, "flat");
                Reproduction.Row u = Reproduction.find(rows, w.userName(), n, "unfused");
                speedFlat.add((double) fl.cycles() / f.cycles());
                speedUnfused.add((double) u.cycles() / f.cycles());
                energyFlat.add(f.energyPj() / fl.energyPj());
                util.add(f.util2d());
                table.add(List.of(w.userName(), Page.lengthLabel(n), fmt(speedFlat.getLast()) + "x", fmt(speedUnfused.getLast()) + "x",
                    pct(energyFlat.getLast()), pct(f.energyPj() / u.energyPj()), pct(f.util2d()), pct(f.util1d()), pct(fl.util2d())));
            }
        }
        stdout.printf("FuseMax reproduction (simulated; batch %d; %s): FuseMax relative to FLAT and unfused%n",
            Reproduction.BATCH, quick ? "quick subset" : "all models and lengths");
        Output.table(stdout, List.of("model", "seq", "speedup vs FLAT", "vs unfused", "energy vs FLAT", "vs unfused",
            "FuseMax util 2D", "util 1D", "FLAT util 2D"), table);
        stdout.printf(Locale.ROOT, "%nAverages over %d points (geometric mean): speedup vs FLAT %.2fx (paper: 6.7x), energy vs FLAT"
                + " %.0f%% (paper: 79%%), FuseMax 2D utilisation %.0f%% arithmetic mean, %.0f%% at 1M (paper: close to 100%%)%n",
            speedFlat.size(), geomean(speedFlat), 100 * geomean(energyFlat),
            100 * util.stream().mapToDouble(Double::doubleValue).average().orElse(0),
            100 * rows.stream().filter(r -> r.design().equals("fusemax") && r.seq() == lengths.getLast())
                .mapToDouble(Reproduction.Row::util2d).average().orElse(0));
        stdout.printf("Wrote %s and %s%n", out.resolve("results.csv"), out.resolve("report.html"));
        return 0;
    }

    static String csv(List<Reproduction.Row> rows) throws IOException {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            p.printRecord("model", "seq", "design", "cycles", "seconds", "energyPj", "dramBytes", "util2d", "util1d",
                "modelCycles");
            for (Reproduction.Row r : rows) {
                p.printRecord(r.model(), r.seq(), r.design(), r.cycles(), r.seconds(), r.energyPj(), r.dramBytes(),
                    r.util2d(), r.util1d(), r.modelCycles());
            }
        }
        return w.toString();
    }

    static String page(List<Reproduction.Row> rows, List<Workload> models, List<Long> lengths) {
        StringBuilder body = new StringBuilder("<p>FuseMax (MICRO 2024) attention evaluation reproduced on Cascade's "
            + "cycle-level simulator: designs <code>fusemax</code>, <code>flat</code>, <code>unfused</code>, batch 64. "
            + "The paper reports 6.7&times; speedup over FLAT at 79% of its energy on average, and close to 100% 2D "
            + "utilisation for FuseMax at long sequences.</p>\n");
        chartPerModel(body, rows, models, lengths, "Speedup of FuseMax over FLAT", "speedup (x)", "flat",
            (f, o) -> (double) o.cycles() / f.cycles(), true);
        chartPerModel(body, rows, models, lengths, "Speedup of FuseMax over unfused", "speedup (x)", "unfused",
            (f, o) -> (double) o.cycles() / f.cycles(), true);
        chartPerModel(body, rows, models, lengths, "FuseMax energy relative to FLAT", "energy ratio", "flat",
            (f, o) -> f.energyPj() / o.energyPj(), false);
        for (String d : Reproduction.DESIGNS) {
            List<Page.Series> s = new ArrayList<>();
            for (Workload w : models) {
                s.add(Page.series(w.userName() + " 2D", lengths, n -> Reproduction.find(rows, w.userName(), n, d).util2d()));
            }
            s.add(Page.series(models.getFirst().userName() + " 1D", lengths,
                n -> Reproduction.find(rows, models.getFirst().userName(), n, d).util1d()));
            body.append(Page.chart(d + ": array utilisation", "utilisation", s, false));
        }
        List<List<String>> table = new ArrayList<>();
        for (Reproduction.Row r : rows) {
            table.add(List.of(r.model(), Page.lengthLabel(r.seq()), r.design(), Long.toString(r.cycles()),
                String.format(Locale.ROOT, "%.4g", r.seconds()), String.format(Locale.ROOT, "%.4g", r.energyPj() * 1e-12),
                String.format(Locale.ROOT, "%.4g", r.dramBytes() / 1e9), pct(r.util2d()), pct(r.util1d()),
                String.format(Locale.ROOT, "%.4f", (double) r.cycles() / r.modelCycles())));
        }
        body.append("<h2>All points</h2>\n").append(Page.table(List.of("model", "seq", "design", "cycles", "seconds",
            "energy J", "DRAM GB", "util 2D", "util 1D", "sim / model cycles"), table));
        return Page.page("Cascade: FuseMax reproduction", body.toString());
    }

    private interface Ratio {
        double of(Reproduction.Row fusemax, Reproduction.Row other);
    }

    private static void chartPerModel(StringBuilder body, List<Reproduction.Row> rows, List<Workload> models,
                                      List<Long> lengths, String title, String y, String other, Ratio ratio, boolean logY) {
        List<Page.Series> s = new ArrayList<>();
        for (Workload w : models) {
            ToDoubleFunction<Long> f = n -> ratio.of(Reproduction.find(rows, w.userName(), n, "fusemax"),
                Reproduction.find(rows, w.userName(), n, other));
            s.add(Page.series(w.userName(), lengths, f));
        }
        body.append(Page.chart(title, y, s, logY));
    }

    private static double geomean(List<Double> v) {
        return Math.exp(v.stream().mapToDouble(Math::log).average().orElse(0));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }
}
