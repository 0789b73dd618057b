package cascade.einsum.exec;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference executor: runs any valid cascade on real numbers with {@code jdk.incubator.vector}
 * kernels. Contractions go to a blocked GEMM; everything else to a row-vectorised kernel that
 * fuses each Einsum's element-wise chain. A cascade with a recurrence is run step by step over
 * its rank, keeping only the window of each stepped tensor that the {@link StepPlan} allows,
 * so a 1-pass cascade never holds the P×M scores. Where every stepped Einsum runs its lanes
 * along the same free rank (the queries), the step loop is tiled over it as FlashAttention
 * tiles queries: each thread takes whole tiles, whose slices stay in cache.
 *
 * <p>Values are float; reduced-precision tensors are rounded at every store (round-to-nearest-even),
 * integer tensors saturate. Integers are exact up to 2^24 in float.
 */
public final class Executor implements AutoCloseable {
    private final Parallel parallel;

    public Executor(int threads) {
        this.parallel = new Parallel(threads);
    }

    public int threads() {
        return parallel.threads();
    }

    /**
     * What one run produced: every declared output, the elements held by intermediates, and the
     * time spent in each Einsum's kernel (summed over steps; where threads run tiles side by
     * side, their time divided by the number of threads), for profiling.
     */
    public record Result(Map<String, float[]> outputs, long intermediateElements, Map<String, Double> millisByEinsum) {
    }

    /** Runs the cascade. fp32 inputs are read in place, never written; others are rounded into copies. */
    public Result run(Cascade cascade, Map<String, Long> sizes, Map<String, float[]> inputs) {
        StepPlan plan = StepPlan.of(cascade);
        RankIds ids = new RankIds(cascade);
        Map<String, Layout> layouts = new LinkedHashMap<>();
        long intermediates = 0;
        for (TensorDecl t : cascade.tensors().values()) {
            if (t.isInput()) {
                float[] in = Tensors.requireInput(t, sizes, inputs);
                layouts.put(t.name(), new Layout(t, sizes, in));
            } else {
                Layout l = new Layout(t, sizes, plan.stepRank(), plan.window(t.name()));
                layouts.put(t.name(), l);
                intermediates += l.storedElements();
            }
        }
        long[] index = new long[ids.count()];
        Map<String, Double> millis = new LinkedHashMap<>();
        cascade.einsums().forEach(e -> millis.put(e.output(), 0.0));
        runAll(plan.before(), compile(cascade, plan.before(), layouts, sizes, ids, null), index, millis);
        if (plan.hasSteps()) {
            int stepId = ids.id(plan.stepRank());
            List<Kernel> stepped = compile(cascade, plan.stepped(), layouts, sizes, ids, plan.stepRank());
            for (Einsum e : plan.stepped()) {
                if (e.isRecurrence()) {
                    initialise(e, layouts.get(e.output()), sizes, ids, stepId);
                }
            }
            String tileRank = tileRank(plan, stepped, ids);
            if (tileRank != null && sizes.get(tileRank) > TILE) {
                runTiled(cascade, plan, stepped, layouts, sizes, ids, index, stepId, ids.id(tileRank),
                    sizes.get(tileRank), millis);
            } else {
                runSteps(plan, stepped, sizes.get(plan.stepRank()), index, stepId, millis);
            }
            index[stepId] = 0;
        }
        // after the loop, an Einsum over the step rank (a reader of a backward scan) iterates all of it
        runAll(plan.after(), compile(cascade, plan.after(), layouts, sizes, ids, null), index, millis);
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (TensorDecl t : cascade.outputs()) {
            outputs.put(t.name(), layouts.get(t.name()).data);
        }
        return new Result(outputs, intermediates, millis);
    }

    /** Every step of the recurrence rank, each kernel parallel within itself. */
    private void runSteps(StepPlan plan, List<Kernel> stepped, long steps, long[] index, int stepId,
                          Map<String, Double> millis) {
        for (long r = 0; r < steps; r++) {
            index[stepId] = r;
            for (int q = 0; q < stepped.size(); q++) {
                String output = plan.stepped().get(q).output();
                long t0 = System.nanoTime();
                stepped.get(q).bindStep(stepId, r);
                stepped.get(q).run(index, r > 0 && plan.accumulating().contains(output), parallel);
                millis.merge(output, (System.nanoTime() - t0) / 1e6, Double::sum);
            }
        }
    }

    /** Queries per tile: a tile's slices of the stepped tensors stay in the L2 cache. */
    static final int TILE = 512;

    /**
     * The rank to tile the step loop over, as FlashAttention tiles queries: one that every
     * stepped kernel runs along its lanes, that every stepped Einsum keeps in its output, and
     * that every read of a stepped tensor addresses at the same index. Then each tile's steps
     * are independent of every other tile's, and a thread can run a tile from start to end.
     */
    static String tileRank(StepPlan plan, List<Kernel> kernels, RankIds ids) {
        int lane = kernels.isEmpty() ? -1 : kernels.getFirst().laneRank();
        for (Kernel k : kernels) {
            if (k.laneRank() < 0 || k.laneRank() != lane) {
                return null;
            }
        }
        String rank = null;
        for (Einsum e : plan.stepped()) {
            for (String r : e.outputRanks()) {
                if (ids.id(r) == lane) {
                    rank = r;
                }
            }
        }
        if (rank == null || rank.equals(plan.stepRank())) {
            return null;
        }
        java.util.Set<String> steppedTensors = new java.util.HashSet<>();
        plan.stepped().forEach(e -> steppedTensors.add(e.output()));
        for (Einsum e : plan.stepped()) {
            if (!e.outputRanks().contains(rank) || e.reducedRanks().contains(rank)) {
                return null;
            }
            boolean[] aligned = {true};
            String t = rank;
            java.util.function.Consumer<cascade.einsum.Expr.Access> check = a -> {
                if (!steppedTensors.contains(a.tensor())) {
                    return;
                }
                for (cascade.einsum.Expr.Slot slot : a.slots()) {
                    if (slot.rank().equals(t) && !(slot.indices().getFirst() instanceof cascade.einsum.Index.Affine af
                            && t.equals(af.plainRank()))) {
                        aligned[0] = false;
                    }
                }
            };
            e.body().accesses(check);
            if (e.mask() != null) {
                e.mask().accesses(check);
            }
            if (!aligned[0]) {
                return null;
            }
        }
        return rank;
    }

    /** The step loop inside a loop over tiles of {@code tileRankId}; each thread runs whole tiles with its own kernels. */
    private void runTiled(Cascade c, StepPlan plan, List<Kernel> first, Map<String, Layout> layouts,
                          Map<String, Long> sizes, RankIds ids, long[] index, int stepId, int tileRankId, long extent,
                          Map<String, Double> millis) {
        int tiles = (int) ((extent + TILE - 1) / TILE);
        int workers = Math.min(parallel.threads(), tiles);
        List<List<Kernel>> kernels = new ArrayList<>();
        kernels.add(first);
        for (int w = 1; w < workers; w++) {
            kernels.add(compile(c, plan.stepped(), layouts, sizes, ids, plan.stepRank())); // binding a step mutates a kernel
        }
        long steps = sizes.get(plan.stepRank());
        double[][] spent = new double[workers][plan.stepped().size()];
        parallel.run(workers, w -> {
            long[] idx = index.clone();
            List<Kernel> mine = kernels.get(w);
            for (int tile = w; tile < tiles; tile += workers) {
                int j0 = tile * TILE;
                int j1 = (int) Math.min(extent, j0 + TILE);
                for (long r = 0; r < steps; r++) {
                    idx[stepId] = r;
                    for (int q = 0; q < mine.size(); q++) {
                        long t0 = System.nanoTime();
                        mine.get(q).bindStep(stepId, r);
                        boolean accumulate = r > 0 && plan.accumulating().contains(plan.stepped().get(q).output());
                        mine.get(q).runLanes(idx, accumulate, j0, j1);
                        spent[w][q] += (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
        });
        for (int q = 0; q < plan.stepped().size(); q++) {
            double total = 0;
            for (double[] s : spent) {
                total += s[q];
            }
            millis.merge(plan.stepped().get(q).output(), total / workers, Double::sum);
        }
    }

    private void runAll(List<Einsum> einsums, List<Kernel> kernels, long[] index, Map<String, Double> millis) {
        for (int q = 0; q < kernels.size(); q++) {
            long t0 = System.nanoTime();
            kernels.get(q).bindStep(-1, 0);
            kernels.get(q).run(index, false, parallel);
            millis.merge(einsums.get(q).output(), (System.nanoTime() - t0) / 1e6, Double::sum);
        }
    }

    static List<Kernel> compile(Cascade c, List<Einsum> einsums, Map<String, Layout> layouts,
                                        Map<String, Long> sizes, RankIds ids, String stepRank) {
        List<Kernel> kernels = new ArrayList<>();
        for (Einsum e : einsums) {
            Kernel k = GemmKernel.tryCompile(e, c.partitions(), layouts, sizes, ids, stepRank);
            kernels.add(k != null ? k : new RowKernel(e, layouts, sizes, ids, stepRank));
        }
        return kernels;
    }

    /** Writes a recurrence's initial value at index 0 of its rank (through the r+1 subscript at r = -1). */
    static void initialise(Einsum e, Layout layout, Map<String, Long> sizes, RankIds ids, int stepId) {
        CompiledAccess out = CompiledAccess.output(layout, e.outputRanks(), e.recurrenceRank(), sizes, ids);
        out.bindStep(stepId, -1);
        float init = layout.decl.type().round((float) e.init().eval(sizes));
        List<String> others = new ArrayList<>(e.outputRanks());
        others.remove(e.recurrenceRank());
        int n = others.size();
        long[] extent = new long[n];
        long[] stride = new long[n];
        long count = 1;
        for (int q = 0; q < n; q++) {
            extent[q] = sizes.get(others.get(q));
            stride[q] = out.coef[ids.id(others.get(q))];
            count *= extent[q];
        }
        long[] at = new long[n];
        long offset = out.base;
        for (long p = 0; p < count; p++) {
            layout.data[(int) offset] = init;
            for (int q = n - 1; q >= 0; q--) { // odometer with an incrementally kept offset
                offset += stride[q];
                if (++at[q] < extent[q]) {
                    break;
                }
                offset -= stride[q] * extent[q];
                at[q] = 0;
            }
        }
    }

    @Override
    public void close() {
        parallel.close();
    }
}
