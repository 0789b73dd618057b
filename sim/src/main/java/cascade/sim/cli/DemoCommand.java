package cascade.sim.cli;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.mappings.spec.ModelShape;
import cascade.sim.report.Page;
import cascade.sim.report.Reproduction;
import cascade.sim.report.ReproductionPage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
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
        List<ModelShape> models = quick ? List.of(ModelShape.BERT) : Reproduction.MODELS;
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
        // What each assumption is worth, by the model, at the shortest and longest lengths of the first model.
        List<Reproduction.Attribution> attribution = Reproduction.attribution(List.of(models.getFirst()),
            List.of(lengths.getFirst(), lengths.getLast()));
        Files.createDirectories(out);
        cascade.traces.AtomicFiles.writeString(out.resolve("results.csv"), ReproductionPage.csv(rows));
        cascade.traces.AtomicFiles.writeString(out.resolve("report.html"), ReproductionPage.page(rows, models, lengths,
            attribution));
        Reproduction.Summary summary = Reproduction.summary(rows, models, lengths);
        List<List<String>> table = new ArrayList<>();
        for (Reproduction.Comparison c : summary.points()) {
            Reproduction.Ratios m = c.paperModel();
            table.add(List.of(c.model(), Page.lengthLabel(c.seq()), fmt(c.speedupVsFlat()) + "x / " + fmt(m.speedupVsFlat())
                + "x", fmt(c.speedupVsUnfused()) + "x / " + fmt(m.speedupVsUnfused()) + "x", pct(c.energyVsFlat()) + " / "
                + pct(m.energyVsFlat()), pct(c.energyVsUnfused()) + " / " + pct(m.energyVsUnfused()),
                pct(c.fusemaxUtil2d()) + " / " + pct(m.fusemaxUtil2d()), pct(c.flatUtil2d()) + " / " + pct(m.flatUtil2d())));
        }
        stdout.printf("FuseMax reproduction (batch %d; %s): FuseMax relative to FLAT and unfused, simulated / by the "
            + "paper's model%n", Reproduction.BATCH, quick ? "quick subset" : "all models and lengths");
        Output.table(stdout, List.of("model", "seq", "speedup vs FLAT", "vs unfused", "energy vs FLAT", "vs unfused",
            "FuseMax util 2D", "FLAT util 2D"), table);
        stdout.printf(Locale.ROOT, "%nAverages over %d points (geometric mean), simulated / paper's model: speedup vs FLAT "
                + "%.2fx / %.2fx (paper: 6.7x), energy vs FLAT %.0f%% / %.0f%% (paper: 79%%); FuseMax 2D utilisation (simulated)"
                + " %.0f%% arithmetic mean, %.0f%% at 1M (paper: close to 100%%)%n",
            summary.points().size(), summary.geomeanSpeedupVsFlat(), summary.modelGeomeanSpeedupVsFlat(),
            100 * summary.geomeanEnergyVsFlat(), 100 * summary.modelGeomeanEnergyVsFlat(),
            100 * summary.meanFusemaxUtil2d(), 100 * summary.fusemaxUtil2dAtLongest());
        stdout.printf("%nWhat each of the paper's assumptions is worth (the model, with it turned off):%n");
        Output.table(stdout, ReproductionPage.ATTRIBUTION_HEADER, ReproductionPage.attributionRows(attribution, "->"));
        stdout.printf("Wrote %s and %s%n", out.resolve("results.csv"), out.resolve("report.html"));
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }
}
