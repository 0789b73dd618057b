package cascade.sim.spatten;

import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.CostModel;
import cascade.mappings.model.Report;
import cascade.mappings.spec.Design;
import cascade.traces.SpattenTrace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A SpAtten release trace on the general simulator: SpAtten as a design (the {@code spatten}
 * preset: its cascade, its architecture, its groups) rather than a pipeline of its own. The
 * release's heads differ in shape (each keeps its own keys and values), so they are grouped by
 * shape, each shape is lowered at its sizes with the trace's widths for K and V
 * ({@link Design#withStoredBits}) and costed for as many heads as have it, and the shapes run one
 * after another ({@link Report#sequence}). The dense baseline is the same design on every head's
 * whole cache at full width with nothing selected.
 *
 * <p>A row binds E = F = its head dimension, one query (decoding), M = the keys fetched, J = the
 * values fetched and T = the top-k's k where one runs (else T = M: the engine has nothing to do).
 * A row with no keys left costs nothing; one that keeps keys but no values or no tokens is refused
 * (a rank of size 0 has no schedule).
 * The release does not say which heads were recomputed with the keys' low bits, so none is, as
 * in {@link SpattenRun#release}.
 */
public final class SpattenDesignRun {
    private SpattenDesignRun() {
    }

    /** The sizes one head binds and the widths its K and V are fetched at. */
    public record Shape(Map<String, Long> sizes, Map<String, Integer> bits) {
    }

    /** The pruned run and its dense baseline, with how many distinct shapes each took. */
    public record Result(Report pruned, Report dense, int shapes, int denseShapes) {
        /** Bytes of K and V read from DRAM: what SpAtten's pruning and quantisation reduce. */
        public static long keyValueBytes(Report r) {
            Map<String, Long> by = r.dramBytesByTensor();
            return by.getOrDefault("K", 0L) + by.getOrDefault("V", 0L);
        }
    }

    /** @throws IllegalArgumentException for a design without SpAtten's ranks, or a row no schedule can hold */
    public static Result release(Design design, SpattenTrace trace, CostModel model) {
        Map<Shape, Long> pruned = new LinkedHashMap<>();
        Map<Shape, Long> dense = new LinkedHashMap<>();
        int word = design.architecture().wordBits();
        if (!design.cascade().ranks().keySet().containsAll(List.of("E", "F", "P", "M", "J", "T"))) {
            throw new IllegalArgumentException("a release trace binds SpAtten's ranks E, F, P, M, J, T; " + design.name()
                + "'s cascade " + design.cascade().name() + " has " + String.join(", ", design.cascade().ranks().keySet()));
        }
        for (SpattenTrace.Row r : trace.rows()) {
            if (r.keys() == 0) {
                continue; // every key pruned: nothing fetched, nothing computed
            }
            if (r.values() == 0 || (r.topk() && r.k() == 0)) {
                throw new IllegalArgumentException("step " + r.step() + " layer " + r.layer() + " head " + r.head()
                    + " keeps no " + (r.values() == 0 ? "values" : "tokens") + " of its " + r.keys() + " keys: a rank of "
                    + "size 0 has no schedule on the design (the dedicated pipeline, --simulator spatten, runs it)");
            }
            Map<String, Integer> bits = new LinkedHashMap<>();
            if (r.keyBits() > 0 && r.keyBits() < word) {
                bits.put("K", r.keyBits());
            }
            if (r.valueBits() > 0 && r.valueBits() < word) {
                bits.put("V", r.valueBits());
            }
            long t = r.topk() && r.k() >= 0 && r.k() < r.keys() ? r.k() : r.keys();
            pruned.merge(new Shape(sizes(r.headDim(), r.keys(), r.values(), t), Map.copyOf(bits)), 1L, Long::sum);
            dense.merge(new Shape(sizes(r.headDim(), r.length(), r.length(), r.length()), Map.of()), 1L, Long::sum);
        }
        if (pruned.isEmpty()) {
            throw new IllegalArgumentException("every head of the trace has all its keys pruned: nothing to run");
        }
        return new Result(run(design, pruned, model), run(design, dense, model), pruned.size(), dense.size());
    }

    private static Map<String, Long> sizes(int headDim, long keys, long values, long tokens) {
        return Map.of("E", (long) headDim, "F", (long) headDim, "P", 1L, "M", keys, "J", values, "T", tokens);
    }

    private static Report run(Design design, Map<Shape, Long> shapes, CostModel model) {
        Lowering lowering = Lowering.standard();
        List<Report> parts = new ArrayList<>();
        shapes.forEach((shape, heads) ->
            parts.add(model.cost(lowering.lower(design.withStoredBits(shape.bits()), shape.sizes(), heads))));
        return Report.sequence(design.architecture(), parts);
    }
}
