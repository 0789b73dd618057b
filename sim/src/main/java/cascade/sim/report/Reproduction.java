package cascade.sim.report;

import cascade.hw.ComputeArray;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.spec.Design;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.spec.ModelShape;
import cascade.sim.engine.Simulator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The FuseMax paper's attention evaluation (REFERENCE.md): the fusemax, flat and unfused designs
 * on BERT, TrXL, T5 and XLM shapes, batch 64, at 1K to 1M tokens, each simulated and estimated.
 */
public final class Reproduction {
    public static final List<String> DESIGNS = List.of("fusemax", "flat", "unfused");
    public static final List<ModelShape> MODELS = List.of(ModelShape.BERT, ModelShape.TRXL, ModelShape.T5, ModelShape.XLM);
    public static final List<Long> LENGTHS = List.of(1L << 10, 1L << 12, 1L << 14, 1L << 16, 1L << 18, 1L << 20);
    public static final long BATCH = 64;

    /** One simulated point, with the analytical model's (the paper's method's) figures beside it. */
    public record Row(String model, long seq, String design, long cycles, double seconds, double energyPj,
                      long dramBytes, double util2d, double util1d, long modelCycles, double modelEnergyPj,
                      double modelUtil2d, double modelUtil1d) {
    }

    private Reproduction() {
    }

    public static List<Row> run(List<ModelShape> models, List<Long> lengths, int threads, Consumer<Row> progress)
            throws InterruptedException {
        Lowering lowering = Lowering.standard();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Row>> futures = new ArrayList<>();
            for (ModelShape w : models) {
                for (long n : lengths) {
                    for (String d : DESIGNS) {
                        futures.add(pool.submit(() -> {
                            Row r = point(lowering, Design.preset(d), w, n);
                            progress.accept(r);
                            return r;
                        }));
                    }
                }
            }
            List<Row> rows = new ArrayList<>();
            for (Future<Row> f : futures) {
                try {
                    rows.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
            rows.sort(Comparator.comparing((Row r) -> models.indexOf(ModelShape.of(r.model()))).thenComparing(Row::seq)
                .thenComparing(r -> DESIGNS.indexOf(r.design())));
            return rows;
        } finally {
            pool.shutdownNow();
        }
    }

    static Row point(Lowering lowering, Design d, ModelShape w, long n) {
        Schedule s = lowering.lower(d, w.bindings(n), BATCH * w.heads());
        Report r = Simulator.Model.DEFAULT.cost(s);
        Report m = ClosedForm.INSTANCE.cost(s);
        return new Row(w.name(), n, d.name(), r.cycles(), r.seconds(), r.energyPj(), r.dramBytes(),
            r.utilization(ComputeArray.Kind.ARRAY_2D), r.utilization(ComputeArray.Kind.ARRAY_1D), m.cycles(), m.energyPj(),
            m.utilization(ComputeArray.Kind.ARRAY_2D), m.utilization(ComputeArray.Kind.ARRAY_1D));
    }

    /**
     * What one of the paper's assumptions is worth at one point: the model's ratios with it turned
     * off in every design that makes it, beside the ratios with all of them on.
     */
    public record Attribution(String model, long seq, String assumption, double speedupVsFlat, double energyVsFlat,
                              double speedupVsUnfused, Ratios withAll) {
    }

    /** The assumptions at least one of the paper's designs makes, in declaration order. */
    public static List<cascade.mappings.spec.Assumption> madeByThePaper() {
        java.util.Set<cascade.mappings.spec.Assumption> made = java.util.EnumSet.noneOf(cascade.mappings.spec.Assumption.class);
        DESIGNS.forEach(d -> made.addAll(Design.preset(d).assumptions().keySet()));
        return List.copyOf(made);
    }

    /** Each assumption a paper design makes turned off in turn, by the analytical model, at each of these points. */
    public static List<Attribution> attribution(List<ModelShape> models, List<Long> lengths) {
        Lowering lowering = Lowering.standard();
        List<Attribution> out = new ArrayList<>();
        for (ModelShape w : models) {
            for (long n : lengths) {
                Report[] all = modelled(lowering, w, n, List.of());
                Ratios base = new Ratios((double) all[1].cycles() / all[0].cycles(), (double) all[2].cycles() / all[0].cycles(),
                    all[0].energyPj() / all[1].energyPj(), all[0].energyPj() / all[2].energyPj(),
                    all[0].utilization(ComputeArray.Kind.ARRAY_2D), all[1].utilization(ComputeArray.Kind.ARRAY_2D));
                for (cascade.mappings.spec.Assumption a : madeByThePaper()) {
                    Report[] off = modelled(lowering, w, n, List.of(a));
                    out.add(new Attribution(w.name(), n, a.yamlName(), (double) off[1].cycles() / off[0].cycles(),
                        off[0].energyPj() / off[1].energyPj(), (double) off[2].cycles() / off[0].cycles(), base));
                }
            }
        }
        return out;
    }

    /** fusemax, flat and unfused by the closed form, without {@code off}. */
    private static Report[] modelled(Lowering lowering, ModelShape w, long n, List<cascade.mappings.spec.Assumption> off) {
        Report[] r = new Report[DESIGNS.size()];
        for (int i = 0; i < r.length; i++) {
            Schedule s = lowering.lower(Design.preset(DESIGNS.get(i)).without(off), w.bindings(n), BATCH * w.heads());
            r[i] = ClosedForm.INSTANCE.cost(s);
        }
        return r;
    }

    /** FuseMax against the baselines at one model and length, as the paper compares them. */
    public record Comparison(String model, long seq, double speedupVsFlat, double speedupVsUnfused, double energyVsFlat,
                             double energyVsUnfused, double fusemaxUtil2d, double fusemaxUtil1d, double flatUtil2d,
                             Ratios paperModel) {
    }

    /** The same ratios by the analytical model, which follows the artifact's method. */
    public record Ratios(double speedupVsFlat, double speedupVsUnfused, double energyVsFlat, double energyVsUnfused,
                         double fusemaxUtil2d, double flatUtil2d) {
    }

    /** Every point's comparison and the paper's averages: geometric means of the ratios, FuseMax's utilisation. */
    public record Summary(List<Comparison> points, double geomeanSpeedupVsFlat, double geomeanEnergyVsFlat,
                          double meanFusemaxUtil2d, double fusemaxUtil2dAtLongest, double modelGeomeanSpeedupVsFlat,
                          double modelGeomeanEnergyVsFlat) {
    }

    public static Summary summary(List<Row> rows, List<ModelShape> models, List<Long> lengths) {
        List<Comparison> points = new ArrayList<>();
        for (ModelShape w : models) {
            for (long n : lengths) {
                Row f = find(rows, w.name(), n, "fusemax");
                Row fl = find(rows, w.name(), n, "flat");
                Row u = find(rows, w.name(), n, "unfused");
                points.add(new Comparison(w.name(), n, (double) fl.cycles() / f.cycles(), (double) u.cycles() / f.cycles(),
                    f.energyPj() / fl.energyPj(), f.energyPj() / u.energyPj(), f.util2d(), f.util1d(), fl.util2d(),
                    new Ratios((double) fl.modelCycles() / f.modelCycles(), (double) u.modelCycles() / f.modelCycles(),
                        f.modelEnergyPj() / fl.modelEnergyPj(), f.modelEnergyPj() / u.modelEnergyPj(), f.modelUtil2d(),
                        fl.modelUtil2d())));
            }
        }
        double atLongest = rows.stream().filter(r -> r.design().equals("fusemax") && r.seq() == lengths.getLast())
            .mapToDouble(Row::util2d).average().orElse(0);
        return new Summary(List.copyOf(points), geomean(points.stream().mapToDouble(Comparison::speedupVsFlat).toArray()),
            geomean(points.stream().mapToDouble(Comparison::energyVsFlat).toArray()),
            points.stream().mapToDouble(Comparison::fusemaxUtil2d).average().orElse(0), atLongest,
            geomean(points.stream().mapToDouble(c -> c.paperModel().speedupVsFlat()).toArray()),
            geomean(points.stream().mapToDouble(c -> c.paperModel().energyVsFlat()).toArray()));
    }

    private static double geomean(double[] v) {
        return Math.exp(java.util.Arrays.stream(v).map(Math::log).average().orElse(0));
    }

    /** The row of a design at a model and length. */
    public static Row find(List<Row> rows, String model, long seq, String design) {
        return rows.stream().filter(r -> r.model().equals(model) && r.seq() == seq && r.design().equals(design))
            .findFirst().orElseThrow();
    }
}
