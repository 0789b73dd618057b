package cascade.mappings.lowering;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.exec.Session;
import cascade.hw.ComputeArray;
import cascade.hw.TopKEngine;
import cascade.mappings.model.Estimate;
import cascade.mappings.spec.Design;
import cascade.traces.SyntheticAttention;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A top-k Einsum on a top-k engine takes the engine's time on a workload's numbers, not a loop
 * nest's: a quick-select's rounds depend on the scores. The cascade runs in the executor on synthetic
 * attention ({@link SyntheticAttention}: sinks, recency and heavy-tailed key importance, one query
 * per sampled head) up to the top-k's candidates, the engine selects from them, and a run of the
 * Einsum costs the mean cycles per query times its queries. What else the Einsum costs (its reads of
 * the candidates, its comparisons' energy) is the wrapped coster's. A cascade whose inputs are not
 * attention's Q, K and V keeps the wrapped coster's figure.
 */
final class TopKCoster implements Lowering.EinsumCoster {
    /** Queries sampled (one synthetic head each): enough to average the engine's data-dependent rounds. */
    static final int SAMPLES = 4;
    private static final long SEED = 1;

    private final Lowering.EinsumCoster inner;
    private final Map<List<Object>, Double> cyclesPerQuery = new ConcurrentHashMap<>();

    TopKCoster(Lowering.EinsumCoster inner) {
        this.inner = inner;
    }

    @Override
    public Estimate.EinsumEstimate best(Design d, String einsum, Map<String, Long> sizes, Map<String, String> resident) {
        Estimate.EinsumEstimate base = inner.best(d, einsum, sizes, resident);
        Cascade c = d.cascade();
        Einsum e = c.producer(einsum);
        ComputeArray unit = d.architecture().compute(d.units().get(einsum));
        if (!(e.reduction() instanceof Einsum.TopK t) || unit.kind() != ComputeArray.Kind.TOPK || unit.topk() == null
                || !(e.body() instanceof Expr.Access candidates) || !c.tensors().keySet().containsAll(List.of("Q", "K", "V"))
                || c.inputs().size() != 3
                || e.outputRanks().stream().anyMatch(r -> !r.equals(t.selection()) && c.partitionOfPart(r) != null)) {
            return base; // synthetic attention is one query's Q, K, V: a selection per block of queries has no such sample
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
        double perQuery = cyclesPerQuery.computeIfAbsent(List.of(c.name(), unit, Map.copyOf(oneQuery)),
            key -> sampled(c, e, candidates.tensor(), unit.topk(), oneQuery, (int) n, (int) k));
        long compute = Math.round(perQuery * queries);
        long cycles = compute;
        for (long b : base.bandwidthCycles().values()) {
            cycles = Math.max(cycles, b);
        }
        return new Estimate.EinsumEstimate(base.output(), base.unit(), base.points(), compute, base.bandwidthCycles(),
            cycles, base.utilization(), base.accesses(), base.energyPj());
    }

    /** The engine's mean cycles over {@link #SAMPLES} synthetic queries, each against its own keys. */
    private static double sampled(Cascade c, Einsum topk, String candidates, TopKEngine engine, Map<String, Long> sizes,
                                  int n, int k) {
        int headDim = Math.toIntExact(sizes.get("E"));
        int length = Math.toIntExact(sizes.get("M"));
        SyntheticAttention workload = SyntheticAttention.defaults(1, SAMPLES, headDim, length, SEED);
        long total = 0;
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
                total += engine.select(s.tensor(candidates), n, k).cycles();
            }
        }
        return (double) total / SAMPLES;
    }
}
