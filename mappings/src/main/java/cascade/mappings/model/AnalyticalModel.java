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
 *   <li>Spatial loops multiply the parent's reads only over T's own ranks: children that take the
 *       same tile share one read (multicast), and partial sums of a spatially reduced rank are
 *       added in the network; but every child that takes a tile writes it.</li>
 *   <li>An output tile is written back (an update of the parent) once per delivery, and fetched
 *       again (a read of the parent, a write of each child taking it) on every delivery but the
 *       first of each distinct tile.</li>
 *   <li>At the unit's own level each point reads each operand once and updates the output once;
 *       the first update of each output point the level holds reads nothing (first-read
 *       elision).</li>
 *   <li>Draining an output tile to the parent reads it out of each child that holds it (a
 *       {@link Counting#CASCADE} rule; {@link Counting#TIMELOOP} leaves the read out, as Timeloop does).</li>
 *   <li>Cycles: the temporal iterations (one point per PE per issue interval of its slowest
 *       operation: 1 when every operation is pipelined), or a level's traffic over
 *       its bandwidth, whichever is larger (transfers fully overlap compute).</li>
 *   <li>Energy: each count times the architecture's per-word or per-operation figure.</li>
 * </ul>
 * Under {@link Counting#TIMELOOP} these are Timeloop v0.4's counting rules (REFERENCE.md) for the
 * nests Cascade's mappings make (whole-rank subscripts, one fan-out above the unit's level), so an
 * exported mapping counts the same under {@code timeloop model} ({@code TimeloopRoundTripTest}). A cascade's Einsums run one
 * after another; fusion and pipelining between them are the lowering's and the simulator's.
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

    /**
     * Whose counting rules. They differ in one place, on purpose: draining an output tile to the
     * parent reads it out of the child, and Cascade counts that read; Timeloop v0.4 does not (its
     * reads of an output are its updates less its partition, whatever leaves the level).
     */
    public enum Counting { CASCADE, TIMELOOP }

    public static Estimate.EinsumEstimate einsum(MappedCascade mapped, Mapping.EinsumMapping em) {
        return einsum(mapped, em, Counting.CASCADE);
    }

    public static Estimate.EinsumEstimate einsum(MappedCascade mapped, Mapping.EinsumMapping em, Counting counting) {
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
        // A PE takes one point per issue interval of its slowest operation (an unpipelined exp: several cycles).
        long temporal = product(nest, x -> !x.spatial()) * unit.issueCycles(MappingValidator.requiredOps(e));
        long pes = product(nest, Flat::spatial);
        List<Estimate.Accesses> accesses = new ArrayList<>();
        Map<String, Map<String, long[]>> byLevel = new LinkedHashMap<>();
        chain.forEach(l -> byLevel.put(l, new LinkedHashMap<>()));
        long innermostOutputPartition = points; // a one-level chain holds every output point
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
                long receivers = product(nest, x -> x.level() < child && x.spatial());
                long[] parent = byLevel.get(chain.get(c - 1)).computeIfAbsent(t.getKey(), k -> new long[2]);
                long[] below = byLevel.get(chain.get(c)).computeIfAbsent(t.getKey(), k -> new long[2]);
                if (t.getKey().equals(e.output())) {
                    long distinct = product(above, x -> rt.contains(x.rank()));
                    long refetched = deliveries - distinct;
                    parent[1] += deliveries * spread * tile;  // written back, reduced in the network
                    parent[0] += refetched * spread * tile;   // partial sums fetched again
                    below[1] += refetched * receivers * tile; // and written into every child that takes them
                    if (counting == Counting.CASCADE) {
                        below[0] += deliveries * receivers * tile; // each child reads its tile out to drain it
                    }
                    if (c == chain.size() - 1) {
                        innermostOutputPartition = distinct * receivers * tile;
                    }
                } else {
                    parent[0] += deliveries * spread * tile;   // one read per distinct tile (multicast)
                    below[1] += deliveries * receivers * tile; // written into every child that takes it
                }
            }
        }
        Map<String, long[]> own = byLevel.get(chain.getLast());
        for (String t : ranks.keySet()) {
            long[] a = own.computeIfAbsent(t, k -> new long[2]);
            if (t.equals(e.output())) {
                a[0] += points - innermostOutputPartition; // the first update of a point reads no partial sum
                a[1] += points;
            } else {
                a[0] += points;
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

    /**
     * Energy by component of an Einsum's run as this model prices one: every access at every level,
     * and one of each operation the Einsum needs per point on {@code unit}. For estimates derived
     * from one of this model's (a padded mapping's real share, a top-k engine's accesses, narrow
     * tensors packed); {@link #einsum} itself adds its reads and writes level by level, as the
     * mapper's inner loop, for speed.
     */
    public static Map<String, Double> energyPj(Architecture arch, Einsum e, String unit, long points,
                                               List<Estimate.Accesses> accesses) {
        ActionCounts.Builder actions = new ActionCounts.Builder();
        for (Estimate.Accesses a : accesses) {
            actions.add(a.level(), ActionCounts.READ, e.output(), a.reads());
            actions.add(a.level(), ActionCounts.WRITE, e.output(), a.writes());
        }
        for (String op : MappingValidator.requiredOps(e)) {
            actions.add(unit, op, e.output(), points);
        }
        return new EnergyAccountant(arch).price(actions.build()).byComponentPj();
    }

    /** The storage levels on the unit's path, from the outermost the mapping uses down to the unit's own. */
    public static List<String> levelChain(Architecture arch, Mapping.EinsumMapping em, ComputeArray unit) {
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
