package cascade.mappings.lowering;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.exec.Session;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.StorageLevel;
import cascade.hw.TopKEngine;
import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.model.Estimate;
import cascade.mappings.spec.Design;
import cascade.traces.SyntheticAttention;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A top-k Einsum on a top-k engine takes the engine's time on a workload's numbers, not a loop
 * nest's: a quick-select's rounds depend on the scores. The cascade runs in the executor on synthetic
 * attention ({@link SyntheticAttention}: sinks, recency and heavy-tailed key importance, one query
 * per sampled head) up to the top-k's candidates, the engine selects from them, and a run of the
 * Einsum costs the mean cycles per query times its queries. Its accesses are the engine's too: the
 * candidates read once from where they lie, one read of the engine's buffer per comparison, the k
 * kept written; its points are the comparisons (one compare operation each). A cascade whose
 * inputs are not attention's Q, K and V keeps the wrapped coster's loop nest.
 */
final class TopKCoster implements Lowering.EinsumCoster {
    /** Queries sampled (one synthetic head each): enough to average the engine's data-dependent rounds. */
    static final int SAMPLES = 4;
    private static final long SEED = 1;

    private final Lowering.EinsumCoster inner;
    private final Map<List<Object>, double[]> cyclesPerQuery = new ConcurrentHashMap<>();

    TopKCoster(Lowering.EinsumCoster inner) {
        this.inner = inner;
    }

    @Override
    public Estimate.EinsumEstimate best(Design d, String einsum, Map<String, Long> sizes, Map<String, String> resident) {
        Cascade c = d.cascade();
        Einsum e = c.producer(einsum);
        ComputeArray unit = d.architecture().compute(d.units().get(einsum));
        if (!(e.reduction() instanceof Einsum.TopK t) || unit.kind() != ComputeArray.Kind.TOPK || unit.topk() == null
                || !(e.body() instanceof Expr.Access candidates) || !c.tensors().keySet().containsAll(List.of("Q", "K", "V"))
                || c.inputs().size() != 3
                || e.outputRanks().stream().anyMatch(r -> !r.equals(t.selection()) && c.partitionOfPart(r) != null)) {
            // Synthetic attention is one query's Q, K, V: a selection per block of queries has no such sample.
            return inner.best(d, einsum, sizes, resident);
        }
        long n = sizes.get(t.over());
        long k = sizes.get(t.selection());
        long queries = 1;
        for (String r : e.outputRanks()) {
            if (!r.equals(t.selection())) {
                queries = Math.multiplyExact(queries, sizes.get(r));
            }
        }
        Map<String, Long> oneQuery = new LinkedHashMap<>(sizes);
        e.outputRanks().stream().filter(r -> !r.equals(t.selection())).forEach(r -> oneQuery.put(r, 1L));
        // The sample is one query's: a selection over what all queries add up (SpAtten's importance) samples it from one.
        c.tensor("Q").ranks().stream().filter(r -> !c.tensor("K").ranks().contains(r)).forEach(r -> oneQuery.put(r, 1L));
        double[] perQuery = cyclesPerQuery.computeIfAbsent(List.of(c.name(), einsum, unit, Map.copyOf(oneQuery)),
            key -> sampled(c, e, candidates.tensor(), unit.topk(), oneQuery, (int) n, (int) k));
        long compute = Math.round(perQuery[0] * queries);
        long comparisons = Math.round(perQuery[1] * queries);
        // The engine streams its candidates in once from where they lie, compares them round after round in its own
        // buffer (one read a comparison) and writes the k it keeps: not the loop nest of k x n points a mapper would see.
        Architecture arch = d.architecture();
        String own = unit.under();
        String dram = arch.storage().getFirst().name();
        String from = resident.getOrDefault(candidates.tensor(), dram);
        String to = resident.getOrDefault(einsum, dram);
        List<Estimate.Accesses> accesses = new ArrayList<>();
        Map<String, long[]> reads = new LinkedHashMap<>(); // level -> {candidate reads, output writes}
        reads.computeIfAbsent(own, x -> new long[2])[0] += comparisons;
        if (!from.equals(own)) {
            reads.computeIfAbsent(from, x -> new long[2])[0] += Math.multiplyExact(n, queries);
        }
        reads.computeIfAbsent(to, x -> new long[2])[1] += Math.multiplyExact(k, queries);
        Map<String, Long> bandwidth = new LinkedHashMap<>();
        long cycles = compute;
        for (var r : reads.entrySet()) {
            StorageLevel level = arch.storage(r.getKey());
            if (r.getValue()[0] > 0) {
                accesses.add(new Estimate.Accesses(r.getKey(), candidates.tensor(), r.getValue()[0], 0));
            }
            if (r.getValue()[1] > 0) {
                accesses.add(new Estimate.Accesses(r.getKey(), einsum, 0, r.getValue()[1]));
            }
            double lanes = r.getKey().equals(own) ? Math.min(level.instances(), unit.pes()) : 1;
            long b = (long) Math.ceil((r.getValue()[0] + r.getValue()[1]) / (level.bandwidthWordsPerCycle() * lanes));
            bandwidth.put(r.getKey(), b);
            cycles = Math.max(cycles, b);
        }
        // Points are the engine's comparisons: one compare operation each (a top-k's one operator), as the lowering counts them.
        return new Estimate.EinsumEstimate(einsum, unit.name(), comparisons, compute, bandwidth, cycles, 1.0,
            List.copyOf(accesses), AnalyticalModel.energyPj(arch, e, unit.name(), comparisons, accesses));
    }

    /** The engine's mean cycles and comparisons over {@link #SAMPLES} synthetic queries, each against its own keys. */
    private static double[] sampled(Cascade c, Einsum topk, String candidates, TopKEngine engine, Map<String, Long> sizes,
                                  int n, int k) {
        int headDim = Math.toIntExact(sizes.get("E"));
        int length = Math.toIntExact(sizes.get("M"));
        SyntheticAttention workload = SyntheticAttention.defaults(1, SAMPLES, headDim, length, SEED);
        long total = 0;
        long compared = 0;
        for (int h = 0; h < SAMPLES; h++) {
            SyntheticAttention.Head head = workload.head(0, h);
            Map<String, float[]> inputs = Map.of("Q", head.q(), "K", head.k(), "V", head.v());
            try (Session s = new Session(c, sizes, inputs)) {
                for (Einsum x : c.einsums()) {
                    if (x == topk) {
                        break;
                    }
                    s.run(x.output(), 0, -1, -1);
                }
                TopKEngine.Selection sel = engine.select(s.tensor(candidates), n, k);
                total += sel.cycles();
                compared += sel.comparisons();
            }
        }
        return new double[] {(double) total / SAMPLES, (double) compared / SAMPLES};
    }
}
