package cascade.mappings;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.TensorDecl;
import cascade.einsum.StepPlan;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Estimates a {@link Design} on a workload. Heads (and batch) run one after another, so a head's
 * cost is multiplied by B·H. A group tiled over a rank runs once per tile at the tile's sizes; its
 * intermediates (every tensor its Einsums produce, but the cascade's outputs) stay at its on-chip
 * level if their footprint under the step plan fits that level, and otherwise spill to DRAM. A
 * pipelined group takes, per tile, the longest of its units' summed Einsum cycles; an unpipelined
 * one the sum. Each Einsum's loop nest is the mapper's best (local search, seeded) for cycles.
 */
public final class DesignEstimator {
    /** Per Einsum, over all tiles and heads. */
    public record EinsumCost(String output, String unit, long cycles, double energyPj, long dramWords, long points) {
    }

    public record Result(String design, Map<String, Long> sizes, long heads, long cycles, double seconds, double energyPj,
                         long dramBytes, Map<String, Double> utilization, Map<String, Double> energyByComponentPj,
                         List<EinsumCost> einsums, Map<Integer, Boolean> groupsOnChip) {
    }

    private final long starts;
    private final long steps;

    public DesignEstimator(long starts, long steps) {
        this.starts = starts;
        this.steps = steps;
    }

    public Result estimate(Design d, Map<String, Long> bindings, long heads) {
        Cascade c = d.cascade();
        Architecture arch = d.architecture();
        Map<String, Long> sizes = c.sizes(bindings);
        List<EinsumCost> costs = new ArrayList<>();
        Map<String, Double> energy = new LinkedHashMap<>();
        Map<Integer, Boolean> onChip = new LinkedHashMap<>();
        long cycles = 0;
        List<String> grouped = new ArrayList<>();
        for (int gi = 0; gi < d.groups().size(); gi++) {
            Design.Group g = d.groups().get(gi);
            grouped.addAll(g.einsums());
            Map<String, Long> tileBindings = new LinkedHashMap<>(bindings);
            long repeats = 1;
            for (var t : g.tile().entrySet()) {
                long size = sizes.get(t.getKey());
                long tile = Math.min(size, t.getValue());
                tileBindings.put(t.getKey(), tile);
                repeats *= (size + tile - 1) / tile;
            }
            Map<String, Long> tileSizes = c.sizes(tileBindings);
            Map<String, String> resident = new LinkedHashMap<>();
            boolean fits = onChipWords(c, g, tileSizes, bindings) <= arch.storage(g.onChip()).capacityWords();
            if (fits) {
                for (String e : g.einsums()) {
                    if (c.tensor(e).role() != TensorDecl.Role.OUTPUT) {
                        resident.put(e, g.onChip());
                    }
                }
            }
            onChip.put(gi, fits);
            Map<String, Long> perUnit = new LinkedHashMap<>();
            long sum = 0;
            for (String e : g.einsums()) {
                EinsumCost one = map(d, e, tileSizes, resident, repeats * heads, energy);
                costs.add(one);
                perUnit.merge(one.unit(), one.cycles() / (repeats * heads), Long::sum);
                sum += one.cycles() / (repeats * heads);
            }
            long perTile = g.pipelined() ? perUnit.values().stream().mapToLong(Long::longValue).max().orElse(0) : sum;
            cycles += perTile * repeats * heads;
        }
        for (Einsum e : c.einsums()) {
            if (!grouped.contains(e.output())) {
                EinsumCost one = map(d, e.output(), sizes, Map.of(), heads, energy);
                costs.add(one);
                cycles += one.cycles();
            }
        }
        Map<String, Double> utilization = new LinkedHashMap<>();
        for (ComputeArray u : arch.compute()) {
            double busy = costs.stream().filter(x -> x.unit().equals(u.name())).mapToDouble(x -> (double) x.points() / u.pes()).sum();
            utilization.put(u.name(), cycles == 0 ? 0 : busy / cycles);
        }
        long dram = costs.stream().mapToLong(EinsumCost::dramWords).sum();
        double total = energy.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Result(d.name(), sizes, heads, cycles, cycles * arch.secondsPerCycle(), total,
            dram * arch.wordBits() / 8, utilization, energy, List.copyOf(costs), onChip);
    }

    /**
     * What a group keeps on chip: tensors produced and read within one step (window 1) at the
     * block's size, everything else the group produces at the tile's. Inputs are not counted.
     */
    static long onChipWords(Cascade c, Design.Group g, Map<String, Long> tileSizes, Map<String, Long> bindings) {
        Map<String, Long> blockBindings = new LinkedHashMap<>(bindings);
        blockBindings.putAll(g.tile());
        for (var b : g.block().entrySet()) {
            blockBindings.put(b.getKey(), Math.min(b.getValue(), tileSizes.get(b.getKey())));
        }
        Map<String, Long> blockSizes = c.sizes(blockBindings);
        StepPlan plan = StepPlan.of(c);
        long words = 0;
        for (String e : g.einsums()) {
            TensorDecl t = c.tensor(e);
            if (t.role() == TensorDecl.Role.OUTPUT) {
                continue;
            }
            boolean streamed = plan.window(e) == 1;
            Map<String, Long> s = streamed ? blockSizes : tileSizes;
            long n = 1;
            for (int i = 0; i < t.ranks().size(); i++) {
                boolean windowed = plan.window(e) > 0 && t.ranks().get(i).equals(plan.stepRank());
                n = Math.multiplyExact(n, windowed ? plan.window(e) : t.extent(i, s));
            }
            words += n;
        }
        return words;
    }

    private final Map<String, Estimate.EinsumEstimate> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private Estimate.EinsumEstimate best(Design d, String e, Map<String, Long> sizes, Map<String, String> resident) {
        String key = d.name() + "|" + e + "|" + sizes + "|" + resident;
        return cache.computeIfAbsent(key, k -> {
            Mapper m = new Mapper(d.cascade(), sizes, d.architecture(), e, d.units().get(e), Mapper.Objective.CYCLES, resident);
            Mapper.Result r = m.search(new Mapper.LocalSearch(starts, steps, 1), 1, 1);
            if (r.best().isEmpty()) {
                throw new IllegalStateException("no mapping of Einsum " + e + " fits unit " + d.units().get(e));
            }
            return r.best().getFirst().estimate();
        });
    }

    /** The Einsum's best mapping, counted {@code times} over; its energy per component goes into {@code energy}. */
    private EinsumCost map(Design d, String e, Map<String, Long> sizes, Map<String, String> resident, long times,
                           Map<String, Double> energy) {
        Estimate.EinsumEstimate est = best(d, e, sizes, resident);
        est.energyPj().forEach((k, v) -> energy.merge(k, v * times, Double::sum));
        long dram = est.wordsAt(d.architecture().storage().getFirst().name());
        return new EinsumCost(e, est.unit(), est.cycles() * times, est.totalEnergyPj() * times, dram * times,
            est.points() * times);
    }
}
