package cascade.einsum.exec;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The executor's kernels, driven one run at a time by someone else: the simulator, in its
 * timing-with-values mode, computes each task's numbers here in the order it places the tasks.
 * A run is one Einsum at one step of the recurrence rank over a range of lane-rank indices (the
 * rank the executor tiles its step loop over, {@link #laneRank()}: the queries). Runs of
 * disjoint lane ranges are independent, so any order that keeps each lane range's own order —
 * producers before consumers, step r before step r+1 — gives the executor's result.
 */
public final class Session implements AutoCloseable {
    private final StepPlan plan;
    private final Map<String, Layout> layouts = new LinkedHashMap<>();
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    private final Cascade cascade;
    private final RankIds ids;
    private final String laneRank;
    private final Parallel serial = new Parallel(1);

    public Session(Cascade cascade, Map<String, Long> sizes, Map<String, float[]> inputs) {
        this.cascade = cascade;
        this.plan = StepPlan.of(cascade);
        this.ids = new RankIds(cascade);
        for (TensorDecl t : cascade.tensors().values()) {
            if (t.isInput()) {
                layouts.put(t.name(), new Layout(t, sizes, Tensors.requireInput(t, sizes, inputs)));
            } else {
                layouts.put(t.name(), new Layout(t, sizes, plan.stepRank(), plan.window(t.name())));
            }
        }
        List<List<Einsum>> phases = List.of(plan.before(), plan.stepped(), plan.after());
        for (List<Einsum> phase : phases) {
            List<Kernel> compiled = Executor.compile(cascade, phase, layouts, sizes, ids,
                phase == plan.stepped() ? plan.stepRank() : null);
            for (int i = 0; i < phase.size(); i++) {
                kernels.put(phase.get(i).output(), compiled.get(i));
            }
        }
        if (plan.hasSteps()) {
            for (Einsum e : plan.stepped()) {
                if (e.isRecurrence()) {
                    Executor.initialise(e, layouts.get(e.output()), sizes, ids, ids.id(plan.stepRank()));
                }
            }
        }
        this.laneRank = plan.hasSteps()
            ? Executor.tileRank(plan, plan.stepped().stream().map(e -> kernels.get(e.output())).toList(), ids) : null;
    }

    /** The rank runs may be split along, or null where every run must cover all of it. */
    public String laneRank() {
        return laneRank;
    }

    /** Whether runs of the Einsum can cover part of the lane rank (else each covers all of it). */
    public boolean splits(String einsum) {
        Kernel k = kernels.get(einsum);
        return k != null && laneRank != null && k.laneRank() == ids.id(laneRank);
    }

    /**
     * Computes Einsum {@code einsum} at {@code step} (ignored unless it is stepped) for lane-rank
     * indices {@code [lane0, lane1)}, or for all of them when {@code lane0 < 0} or its kernel does
     * not run along the lane rank.
     */
    public void run(String einsum, long step, long lane0, long lane1) {
        Kernel k = kernels.get(einsum);
        if (k == null) {
            throw new IllegalArgumentException("no Einsum computes " + einsum + " in " + cascade.name());
        }
        long[] index = new long[ids.count()];
        boolean stepped = plan.stepped().stream().anyMatch(e -> e.output().equals(einsum));
        boolean accumulate = false;
        if (stepped) {
            int stepId = ids.id(plan.stepRank());
            index[stepId] = step;
            k.bindStep(stepId, step);
            accumulate = step > 0 && plan.accumulating().contains(einsum);
        } else {
            k.bindStep(-1, 0);
        }
        if (lane0 >= 0 && splits(einsum)) {
            k.runLanes(index, accumulate, (int) lane0, (int) lane1);
        } else {
            k.run(index, accumulate, serial);
        }
    }

    /**
     * Carries every stepped recurrence's state from {@code step} to {@code step + 1} for lane-rank
     * indices {@code [lane0, lane1)} (all of them when {@code lane0 < 0}): a step whose every point is
     * ineffectual leaves the recurrences as they were, so a run that skips it copies them instead.
     */
    public void passThrough(long step, long lane0, long lane1) {
        for (Einsum e : plan.stepped()) {
            if (!e.isRecurrence()) {
                continue;
            }
            Layout l = layouts.get(e.output());
            List<String> ranks = l.decl.ranks();
            int stepDim = ranks.indexOf(plan.stepRank());
            int laneDim = laneRank == null ? -1 : ranks.indexOf(laneRank);
            long[] lo = new long[ranks.size()];
            long[] hi = l.extent.clone();
            if (laneDim >= 0 && lane0 >= 0) {
                lo[laneDim] = lane0;
                hi[laneDim] = lane1;
            }
            lo[stepDim] = 0;
            hi[stepDim] = 1;
            long from = (l.window > 0 ? step % l.window : step) * l.stride[stepDim];
            long to = (l.window > 0 ? (step + 1) % l.window : step + 1) * l.stride[stepDim];
            boolean empty = false;
            for (int d = 0; d < lo.length; d++) {
                empty |= lo[d] >= hi[d];
            }
            if (empty) {
                continue; // a padded block: no lanes
            }
            long[] at = lo.clone();
            while (true) {
                long base = 0;
                for (int d = 0; d < at.length; d++) {
                    base += d == stepDim ? 0 : at[d] * l.stride[d];
                }
                l.data[(int) (base + to)] = l.data[(int) (base + from)];
                int d = at.length - 1;
                while (d >= 0 && ++at[d] >= hi[d]) {
                    at[d] = lo[d];
                    d--;
                }
                if (d < 0) {
                    break;
                }
            }
        }
    }

    /** Tensor {@code name}'s values as stored (row-major over its ranks; a windowed recurrence keeps its last steps). */
    public float[] tensor(String name) {
        Layout l = layouts.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no tensor " + name + " in " + cascade.name());
        }
        return l.data;
    }

    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (TensorDecl t : cascade.outputs()) {
            out.put(t.name(), layouts.get(t.name()).data);
        }
        return out;
    }

    @Override
    public void close() {
        serial.close();
    }
}
