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
 * so a 1-pass cascade never holds the P×M scores.
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
     * wall time spent in each Einsum's kernel (summed over steps), for profiling.
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
        runAll(plan.before(), compile(cascade, plan.before(), layouts, sizes, ids, plan.stepRank()), index, millis);
        if (plan.hasSteps()) {
            int stepId = ids.id(plan.stepRank());
            List<Kernel> stepped = compile(cascade, plan.stepped(), layouts, sizes, ids, plan.stepRank());
            for (Einsum e : plan.stepped()) {
                if (e.isRecurrence()) {
                    initialise(e, layouts.get(e.output()), sizes, ids, stepId);
                }
            }
            long steps = sizes.get(plan.stepRank());
            for (long r = 0; r < steps; r++) {
                index[stepId] = r;
                for (int q = 0; q < stepped.size(); q++) {
                    Kernel kernel = stepped.get(q);
                    kernel.bindStep(stepId, r);
                    String output = plan.stepped().get(q).output();
                    boolean accumulate = r > 0 && plan.accumulating().contains(output);
                    long t0 = System.nanoTime();
                    kernel.run(index, accumulate, parallel);
                    millis.merge(output, (System.nanoTime() - t0) / 1e6, Double::sum);
                }
            }
            index[stepId] = 0;
        }
        runAll(plan.after(), compile(cascade, plan.after(), layouts, sizes, ids, plan.stepRank()), index, millis);
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (TensorDecl t : cascade.outputs()) {
            outputs.put(t.name(), layouts.get(t.name()).data);
        }
        return new Result(outputs, intermediates, millis);
    }

    private void runAll(List<Einsum> einsums, List<Kernel> kernels, long[] index, Map<String, Double> millis) {
        for (int q = 0; q < kernels.size(); q++) {
            long t0 = System.nanoTime();
            kernels.get(q).bindStep(-1, 0);
            kernels.get(q).run(index, false, parallel);
            millis.merge(einsums.get(q).output(), (System.nanoTime() - t0) / 1e6, Double::sum);
        }
    }

    private static List<Kernel> compile(Cascade c, List<Einsum> einsums, Map<String, Layout> layouts,
                                        Map<String, Long> sizes, RankIds ids, String stepRank) {
        List<Kernel> kernels = new ArrayList<>();
        for (Einsum e : einsums) {
            Kernel k = GemmKernel.tryCompile(e, c.partitions(), layouts, sizes, ids, stepRank);
            kernels.add(k != null ? k : new RowKernel(e, layouts, sizes, ids, stepRank));
        }
        return kernels;
    }

    /** Writes a recurrence's initial value at index 0 of its rank (through the r+1 subscript at r = -1). */
    private static void initialise(Einsum e, Layout layout, Map<String, Long> sizes, RankIds ids, int stepId) {
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
