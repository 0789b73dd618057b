package cascade.sim.spatten;

import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.traces.SpattenTrace;
import cascade.mappings.spec.ModelShape;
import cascade.traces.SyntheticAttention;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The SpAtten runs the command line offers, each reported with its dense baseline on the same preset. */
public final class SpattenRun {
    private SpattenRun() {
    }

    /** Heads in flight in the key/value buffer: two, double-buffered (assumed). */
    public static final int IN_FLIGHT = 2;

    public static Architecture architecture() {
        return ArchitectureLoader.preset("spatten");
    }

    /** The longest synthetic sequence (its scores are computed densely, head by head). */
    public static final long MAX_SEQ = 65536;

    /** The workloads the synthetic model has a query rule for: GPT-2 decodes, BERT encodes. */
    public static boolean supports(ModelShape w) {
        return w.equals(ModelShape.GPT2) || w.equals(ModelShape.BERT);
    }

    /** Queries per head the pipeline is charged: one when decoding, the whole sequence for an encoder. */
    public static int queries(ModelShape w, int seq) {
        return w.equals(ModelShape.BERT) ? seq : 1;
    }

    /** The default synthetic workload of {@code w}'s shape, decided and simulated. */
    public static Map<String, Object> synthetic(Architecture arch, ModelShape w, int seq, int layers, SpattenPolicy policy,
                                                long seed) {
        return synthetic(arch, SyntheticAttention.defaults(layers, w.heads(), w.headDim(), seq, seed), queries(w, seq), policy,
            seed);
    }

    /** A synthetic workload: {@code queries} per head (1: decoding; the length: an encoder). */
    public static Map<String, Object> synthetic(Architecture arch, SyntheticAttention w, int queries, SpattenPolicy policy,
                                                long seed) {
        return decided(arch, SpattenPolicy.of(w), queries, policy, seed);
    }

    /** The policy's decisions on any source (a synthetic workload or a score trace), simulated. */
    public static Map<String, Object> decided(Architecture arch, SpattenPolicy.Source source, int queries,
                                              SpattenPolicy policy, long seed) {
        SpattenSimulator sim = new SpattenSimulator(arch, SpattenSimulator.Units.spatten(), IN_FLIGHT, seed);
        SpattenPolicy.Outcome o = policy.decide(source, queries, arch.compute("TOPK").topk());
        SpattenSimulator.Result pruned = sim.run(o.work());
        SpattenSimulator.Result dense = sim.run(o.dense());
        Map<String, Object> m = report(pruned, dense);
        m.put("recomputedHeads", o.recomputedHeads());
        m.put("prunedHeads", o.prunedHeads());
        m.put("outputRelativeError", o.meanRelativeError());
        m.put("outputRelativeErrorMax", o.maxRelativeError());
        m.put("top1Agreement", o.top1Agreement());
        return m;
    }

    /**
     * A released SpAtten trace. The release does not record which heads needed their keys' low
     * bits, so none is recomputed; {@code keyLowBytesIfAllRecompute} bounds what they would add.
     */
    public static Map<String, Object> release(Architecture arch, SpattenTrace trace, long seed) {
        SpattenSimulator sim = new SpattenSimulator(arch, SpattenSimulator.Units.spatten(), IN_FLIGHT, seed);
        SpattenSimulator.Result pruned = sim.run(releaseHeads(trace));
        SpattenSimulator.Result full = sim.run(denseHeads(trace));
        Map<String, Object> m = report(pruned, full);
        long bound = trace.rows().stream().filter(SpattenTrace.Row::requant)
            .mapToLong(r -> (long) r.keys() * r.headDim() * Math.max(0, r.requantExtraBits()) / 8).sum();
        m.put("keyLowBytesIfAllRecompute", bound);
        m.put("rows", trace.rows().size());
        m.put("config", trace.config());
        return m;
    }

    /** A release's heads as it records them, one query each (decoding); none recomputed (the release does not say). */
    static List<HeadWork> releaseHeads(SpattenTrace trace) {
        return trace.rows().stream().map(r -> new HeadWork(r, 1, false, null, null)).toList();
    }

    /** The dense baseline of a release's heads: every head's whole cache at full width, nothing selected. */
    static List<HeadWork> denseHeads(SpattenTrace trace) {
        return trace.rows().stream().map(r -> new HeadWork(new SpattenTrace.Row(r.step(), r.layer(), r.head(), r.headDim(),
            r.length(), r.length(), -1, -1, -1, false, -1, r.length(), -1, false, false, false, -1), 1, false, null, null))
            .toList();
    }

    private static Map<String, Object> report(SpattenSimulator.Result pruned, SpattenSimulator.Result dense) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cycles", pruned.cycles());
        m.put("seconds", pruned.seconds());
        m.put("energyPj", pruned.energyPj());
        m.put("dramBytes", pruned.dramBytes());
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("keyHighBits", pruned.traffic().keyHighBytes());
        byKind.put("keyLowBits", pruned.traffic().keyLowBytes());
        byKind.put("values", pruned.traffic().valueBytes());
        m.put("dramBytesByKind", byKind);
        m.put("topkCycles", pruned.topkCycles());
        m.put("topkRounds", pruned.topkRounds());
        m.put("heads", pruned.heads());
        m.put("multiplierUtilization", pruned.multiplierUtilization());
        m.put("busyCycles", pruned.busyCycles());
        m.put("energyByComponentPj", pruned.energyByComponentPj());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("cycles", dense.cycles());
        d.put("dramBytes", dense.dramBytes());
        d.put("energyPj", dense.energyPj());
        m.put("dense", d);
        m.put("dramReduction", (double) dense.dramBytes() / Math.max(1, pruned.dramBytes()));
        m.put("speedup", (double) dense.cycles() / Math.max(1, pruned.cycles()));
        m.put("energyReduction", dense.energyPj() / Math.max(1e-9, pruned.energyPj()));
        return m;
    }
}
