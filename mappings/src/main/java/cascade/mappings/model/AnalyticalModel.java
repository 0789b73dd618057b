package cascade.mappings.model;

import cascade.mappings.spec.MappedCascade;
import cascade.mappings.spec.Mapping;
import cascade.mappings.spec.MappingValidator;

import cascade.einsum.Einsum;
import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.StorageLevel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A closed-form model of a mapped Einsum's loop nest, in the manner of Timeloop:
 * <ul>
 *   <li>The nest is flattened outermost level first; at each level its temporal loops (outer to
 *       inner), then its spatial loops (the fan-out to the instances below).</li>
 *   <li>The tile of tensor T at level C is the product of the factors of the loops at C and
 *       inside it over the ranks indexing T.</li>
 *   <li>A child tile is delivered once per iteration of the temporal loops above C, except that
 *       the innermost run of those loops over ranks T does not use reuses it (T stays put).</li>
 *   <li>Spatial loops multiply deliveries only over T's own ranks: the others are multicast, and
 *       partial sums of a spatially reduced rank are added in the network.</li>
 *   <li>An output tile is written back once per delivery, and read back (a partial sum) on every
 *       delivery but the first of each distinct tile.</li>
 *   <li>At the unit's own level each point reads each operand once and reads and writes the
 *       output once.</li>
 *   <li>Cycles: the temporal iterations (one point per PE per cycle), or a level's traffic over
 *       its bandwidth, whichever is larger (transfers fully overlap compute).</li>
 *   <li>Energy: each count times the architecture's per-word or per-operation figure.</li>
 * </ul>
 * A cascade's Einsums run one after another; fusion and pipelining between them are not yet modelled.
 */
public final class AnalyticalModel {

    /** The mapped cascade's Einsums one after another, each by {@link #einsum}. */
    public Estimate estimate(MappedCascade mapped) {
        List<Estimate.EinsumEstimate> per = new ArrayList<>();
        Map<String, Double> energy = new LinkedHashMap<>();
        long cycles = 0;
        long dram = 0;
        String outermost = mapped.architecture().storage().getFirst().name();
        for (Mapping.EinsumMapping em : mapped.mapping().einsums()) {
            Estimate.EinsumEstimate e = einsum(mapped, em);
            per.add(e);
            cycles += e.cycles();
            e.energyPj().forEach((k, v) -> energy.merge(k, v, Double::sum));
            dram += e.wordsAt(outermost);
        }
        double total = energy.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Estimate(cycles, cycles * mapped.architecture().secondsPerCycle(), total, dram, List.copyOf(per),
            energy);
    }

    /** One loop of the flattened nest. */
    private record Flat(int level, String rank, long factor, boolean spatial) {
    }

    public static Estimate.EinsumEstimate einsum(MappedCascade mapped, Mapping.EinsumMapping em) {
        Architecture arch = mapped.architecture();
        Einsum e = mapped.cascade().producer(em.output());
        ComputeArray unit = arch.compute(em.unit());
        List<String> chain = levelChain(arch, em, unit);
        List<Flat> nest = new ArrayList<>();
        for (Mapping.LevelLoops l : em.levels()) {
            int at = chain.indexOf(l.level());
            l.temporal().forEach(x -> nest.add(new Flat(at, upper(x.rank()), x.factor(), false)));
            l.spatialRows().forEach(x -> nest.add(new Flat(at, upper(x.rank()), x.factor(), true)));
            l.spatialCols().forEach(x -> nest.add(new Flat(at, upper(x.rank()), x.factor(), true)));
        }
        Map<String, Set<String>> ranks = MappingValidator.tensorRanks(e);
        long points = product(nest, x -> true);
        long temporal = product(nest, x -> !x.spatial());
        long pes = product(nest, Flat::spatial);
        List<Estimate.Accesses> accesses = new ArrayList<>();
        Map<String, Map<String, long[]>> byLevel = new LinkedHashMap<>();
        chain.forEach(l -> byLevel.put(l, new LinkedHashMap<>()));
        for (int c = 1; c < chain.size(); c++) {
            int child = c;
            for (var t : ranks.entrySet()) {
                Set<String> rt = t.getValue();
                String home = mapped.resident().get(t.getKey());
                if (home != null && chain.indexOf(home) >= c) {
                    continue; // resident at or below this boundary's child: it never crosses it
                }
                long tile = product(nest, x -> x.level() >= child && rt.contains(x.rank()));
                List<Flat> above = nest.stream().filter(x -> x.level() < child && !x.spatial()).toList();
                int keep = above.size();
                while (keep > 0 && !rt.contains(above.get(keep - 1).rank())) {
                    keep--;
                }
                long deliveries = product(above.subList(0, keep), x -> true);
                long spread = product(nest, x -> x.level() < child && x.spatial() && rt.contains(x.rank()));
                long words = deliveries * spread * tile;
                long[] parent = byLevel.get(chain.get(c - 1)).computeIfAbsent(t.getKey(), k -> new long[2]);
                long[] below = byLevel.get(chain.get(c)).computeIfAbsent(t.getKey(), k -> new long[2]);
                if (t.getKey().equals(e.output())) {
                    long distinct = product(above, x -> rt.contains(x.rank()));
                    long readBack = (deliveries - distinct) * spread * tile;
                    parent[1] += words;      // written back from the child
                    below[0] += words;       // read out of the child
                    parent[0] += readBack;   // partial sums fetched again
                    below[1] += readBack;
                } else {
                    parent[0] += words;
                    below[1] += words;
                }
            }
        }
        Map<String, long[]> own = byLevel.get(chain.getLast());
        for (String t : ranks.keySet()) {
            long[] a = own.computeIfAbsent(t, k -> new long[2]);
            a[0] += points;                      // operands read, or the output read for its update
            if (t.equals(e.output())) {
                a[1] += points;                  // and written back
            }
        }
        Map<String, Long> bandwidthCycles = new LinkedHashMap<>();
        ActionCounts.Builder actions = new ActionCounts.Builder();
        for (String levelName : chain) {
            StorageLevel level = arch.storage(levelName);
            long reads = 0;
            long writes = 0;
            for (var t : byLevel.get(levelName).entrySet()) {
                accesses.add(new Estimate.Accesses(levelName, t.getKey(), t.getValue()[0], t.getValue()[1]));
                reads += t.getValue()[0];
                writes += t.getValue()[1];
            }
            double instances = levelName.equals(chain.getLast()) ? Math.min(level.instances(), pes) : 1;
            bandwidthCycles.put(levelName, (long) Math.ceil((reads + writes) / (level.bandwidthWordsPerCycle() * instances)));
            actions.add(levelName, ActionCounts.READ, e.output(), reads);
            actions.add(levelName, ActionCounts.WRITE, e.output(), writes);
        }
        for (String op : MappingValidator.requiredOps(e)) {
            actions.add(unit.name(), op, e.output(), points);
        }
        Map<String, Double> energy = new EnergyAccountant(arch).price(actions.build()).byComponentPj();
        long cycles = temporal;
        for (long b : bandwidthCycles.values()) {
            cycles = Math.max(cycles, b);
        }
        return new Estimate.EinsumEstimate(e.output(), unit.name(), points, temporal, bandwidthCycles, cycles,
            (double) pes / unit.pes(), List.copyOf(accesses), energy);
    }

    /** The storage levels on the unit's path, from the outermost the mapping uses down to the unit's own. */
    private static List<String> levelChain(Architecture arch, Mapping.EinsumMapping em, ComputeArray unit) {
        List<String> order = arch.pathTo(unit.under());
        Set<String> used = new LinkedHashSet<>();
        em.levels().forEach(l -> used.add(l.level()));
        used.add(unit.under());
        return order.stream().filter(used::contains).toList();
    }


    private static long product(List<Flat> nest, java.util.function.Predicate<Flat> which) {
        long p = 1;
        for (Flat f : nest) {
            if (which.test(f)) {
                p = Math.multiplyExact(p, f.factor());
            }
        }
        return p;
    }

    private static String upper(String index) {
        return index.toUpperCase(Locale.ROOT);
    }
}
