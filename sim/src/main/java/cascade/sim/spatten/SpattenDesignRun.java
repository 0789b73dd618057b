package cascade.sim.spatten;

import cascade.einsum.Cascade;
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
 * SpAtten's heads — a release trace, or a policy's decisions on a synthetic workload or a score
 * trace — on the general simulator: SpAtten as a design (the {@code spatten} preset: its cascade,
 * its architecture, its groups) rather than a pipeline of its own. The heads differ in shape (each keeps its own keys and values), so they are grouped by
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
 * in {@link SpattenRun#release}; a policy's decisions ({@link #decided}) do say, and a recomputed
 * head adds a rescoring pass ({@link #RESCORE}) with the keys' low bits.
 */
public final class SpattenDesignRun {
    private SpattenDesignRun() {
    }

    /**
     * The sizes one head binds and the widths its K and V are fetched at; {@code rescore}: the
     * progressive-quantisation recompute of a head ({@link #RESCORE}) rather than the head itself.
     */
    public record Shape(boolean rescore, Map<String, Long> sizes, Map<String, Integer> bits) {
    }

    /** The pruned run and its dense baseline, with how many distinct shapes each took. */
    public record Result(Report pruned, Report dense, int shapes, int denseShapes) {
        /** Bytes of K and V read from DRAM: what SpAtten's pruning and quantisation reduce. */
        public static long keyValueBytes(Report r) {
            Map<String, Long> by = r.dramBytesByTensor();
            return by.getOrDefault("K", 0L) + by.getOrDefault("V", 0L);
        }
    }

    /**
     * A head whose scores at the keys' high bits were not confident is recomputed: its keys' low
     * bits fetched and its scores and softmax computed again (the max probability is what the
     * threshold reads; the rest of the head is the head's own run).
     */
    static final Cascade RESCORE = Cascade.parse("<spatten-rescore>", """
        cascade spatten-rescore "SpAtten's recompute: the keys' low bits fetched, the scores and their softmax again"
        rank E, P, M
        input  Q[e,p]    : fp32
        input  K[e,m]    : fp32
        output PMAX[p]   : fp32
        QS[e,p]   = scale(Q[e,p], 1 / sqrt(E))
        QK[m,p]   = sum_e QS[e,p] * K[e,m]
        GM[p]     = max_m QK[m,p]
        SN[m,p]   = exp(QK[m,p] - GM[p])
        SA[p]     = sum_m SN[m,p]
        A[m,p]    = SN[m,p] / SA[p]
        PMAX[p]   = max_m A[m,p]
        """);

    /** @throws IllegalArgumentException for a design without SpAtten's ranks, or a row no schedule can hold */
    public static Result release(Design design, SpattenTrace trace, CostModel model) {
        return run(design, SpattenRun.releaseHeads(trace), SpattenRun.denseHeads(trace), model);
    }

    /**
     * A policy's decisions (on a synthetic workload or a score trace) on the design: each head as
     * it was decided, a recomputed head with its rescoring pass, against the outcome's dense heads.
     * With one query a head (decoding) the K and V bytes are the dedicated pipeline's; with many (an
     * encoder) the design gathers each query's values from DRAM, where the pipeline fetches one
     * selection per head into its buffer (the command line refuses encoders on the design).
     */
    public static Result decided(Design design, SpattenPolicy.Outcome outcome, CostModel model) {
        return run(design, outcome.work(), outcome.dense(), model);
    }

    private static Result run(Design design, List<HeadWork> work, List<HeadWork> dense, CostModel model) {
        if (!design.cascade().ranks().keySet().containsAll(List.of("E", "F", "P", "M", "J", "T"))) {
            throw new IllegalArgumentException("SpAtten's heads bind the ranks E, F, P, M, J, T; " + design.name()
                + "'s cascade " + design.cascade().name() + " has " + String.join(", ", design.cascade().ranks().keySet()));
        }
        Map<Shape, Long> pruned = shapes(design, work);
        if (pruned.isEmpty()) {
            throw new IllegalArgumentException("every head has all its keys pruned: nothing to run");
        }
        Map<Shape, Long> full = shapes(design, dense);
        return new Result(cost(design, pruned, model), cost(design, full, model), pruned.size(), full.size());
    }

    private static Map<Shape, Long> shapes(Design design, List<HeadWork> heads) {
        Map<Shape, Long> shapes = new LinkedHashMap<>();
        int word = design.architecture().wordBits();
        for (HeadWork h : heads) {
            SpattenTrace.Row r = h.row();
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
            shapes.merge(new Shape(false, sizes(r.headDim(), h.queries(), r.keys(), r.values(), t), Map.copyOf(bits)), 1L,
                Long::sum);
            if (h.recompute() && r.requantExtraBits() > 0) {
                Map<String, Long> rescore = Map.of("E", (long) r.headDim(), "P", (long) h.queries(), "M", (long) r.keys());
                Map<String, Integer> low = r.requantExtraBits() < word ? Map.of("K", r.requantExtraBits()) : Map.of();
                shapes.merge(new Shape(true, rescore, low), 1L, Long::sum);
            }
        }
        return shapes;
    }

    private static Map<String, Long> sizes(int headDim, long queries, long keys, long values, long tokens) {
        return Map.of("E", (long) headDim, "F", (long) headDim, "P", queries, "M", keys, "J", values, "T", tokens);
    }

    /** Each shape lowered at its sizes and widths and costed for its heads, the shapes one after another. */
    private static Report cost(Design design, Map<Shape, Long> shapes, CostModel model) {
        Lowering lowering = Lowering.standard();
        Design rescoring = design.withCascade(RESCORE);
        List<Report> parts = new ArrayList<>();
        shapes.forEach((shape, heads) -> parts.add(model.cost(lowering.lower(
            (shape.rescore() ? rescoring : design).withStoredBits(shape.bits()), shape.sizes(), heads))));
        return Report.sequence(design.architecture(), parts);
    }
}
