package cascade.mappings.timeloop;

import cascade.einsum.Einsum;
import cascade.einsum.Index;
import cascade.hw.ActionCounts;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.EnergyAccountant;
import cascade.hw.StorageLevel;
import cascade.mappings.spec.Mapping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One mapped Einsum counted as Timeloop v0.4 counts it (REFERENCE.md, "Timeloop v0.4 — model
 * semantics"), so its figures can be held against Timeloop's {@code stats.txt}:
 * <ul>
 *   <li>A level's tile of a tensor is the box its loops (the level's own and every loop inside
 *       it) cover, per projected dimension {@code 1 + Σ coef·(extent − 1)}. Its partition (what
 *       one instance holds over the run) is the set of points the temporal loops above add, not
 *       a box where a fan-out strides them.</li>
 *   <li>Fills of a level (per instance) are the tile's first copy plus, for every step of a
 *       temporal loop above the level, the points the new tile has that the previous one had
 *       not (the differential working set). A step of loop j (the inner ones wrapping) shifts
 *       the tile by the same amount every time, so the sum is closed form:
 *       {@code |tile| + Σ_j (N_j − 1)·Π_{outer} N · delta_j}.</li>
 *   <li>A level's reads serve its child: the child's fills, once per child holding different
 *       data (children whose offsets project to the same point are multicast one read); the innermost level's
 *       reads are the computes it serves.</li>
 *   <li>Outputs: updates come from the child (its write-backs, counted like fills, once per
 *       child with different outputs: partial sums of children that differ only in a reduced
 *       rank are added in the network) or from the computes; the first update of a point needs
 *       no read (reads = the child's fills, or updates − partition size), and fills leave out
 *       the partition (first-read elision); the outermost level is never filled.</li>
 *   <li>Cycles: computes over the utilised compute instances, or a level's reads over its read
 *       bandwidth, writes (fills and updates) over its write bandwidth, or both over its shared
 *       bandwidth, whichever is largest.</li>
 *   <li>Energy: each tensor's reads, fills and updates at a level in vector accesses of the
 *       level's block (rounded up), priced by the {@link EnergyAccountant} (an update as a
 *       write), plus the table's leakage per instance per cycle.</li>
 * </ul>
 * Not yet: spatial sliding windows (children whose tiles partly overlap count as distinct).
 * Multiple buffering changes no count, only the room a tile has (the reader's capacity). A
 * {@code !Parallel}'s members are read as consecutive levels.
 */
public final class TimeloopModel {
    private TimeloopModel() {
    }

    /** One tensor at one level, per instance, with Timeloop's meanings. */
    public record TensorStats(long partitionSize, long utilizedCapacity, long readsPerInstance, long fillsPerInstance,
                              long updatesPerInstance, double energyPj) {
    }

    public record LevelStats(long utilizedInstances, Map<String, TensorStats> tensors, double energyPj, double leakagePj) {
    }

    public record Stats(String einsum, long computes, long utilizedComputeInstances, long cycles, double utilization,
                        double computeEnergyPj, Map<String, LevelStats> levels, double energyPj) {
    }

    private record Loop(String rank, long factor, boolean spatial, int level) {
    }

    /** A tensor's projection: per data dimension, the (coefficient, rank) terms of its subscript. */
    private record Projection(String tensor, List<List<Index.Term>> dims) {
    }

    public static Stats run(TimeloopReader.Inputs in) {
        Architecture arch = in.architecture();
        Einsum e = in.cascade().producer(in.einsum());
        List<StorageLevel> levels = arch.storage();
        List<Loop> nest = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            Mapping.LevelLoops ll = in.mapping().levels().get(i);
            for (Mapping.Loop l : ll.temporal()) {
                nest.add(new Loop(l.rank().toUpperCase(Locale.ROOT), l.factor(), false, i));
            }
            for (Mapping.Loop l : ll.spatialRows()) {
                nest.add(new Loop(l.rank().toUpperCase(Locale.ROOT), l.factor(), true, i));
            }
            for (Mapping.Loop l : ll.spatialCols()) {
                nest.add(new Loop(l.rank().toUpperCase(Locale.ROOT), l.factor(), true, i));
            }
        }
        List<Projection> tensors = projections(e);
        long computes = 1;
        long computeInstances = 1;
        long temporalProduct = 1;
        for (Loop l : nest) {
            computes *= l.factor;
            if (l.spatial) {
                computeInstances *= l.factor;
            } else {
                temporalProduct *= l.factor;
            }
        }
        ComputeArray unit = arch.compute().getFirst();
        long cycles = temporalProduct;
        Map<String, Map<String, long[]>> counts = new LinkedHashMap<>(); // level -> tensor -> reads, fills, updates
        levels.forEach(l -> counts.put(l.name(), new LinkedHashMap<>()));
        Map<String, Map<String, long[]>> sizes = new LinkedHashMap<>(); // level -> tensor -> partition, capacity
        levels.forEach(l -> sizes.put(l.name(), new LinkedHashMap<>()));
        for (Projection t : tensors) {
            boolean output = t.tensor().equals(e.output());
            List<Integer> chain = new ArrayList<>();
            for (int i = 0; i < levels.size(); i++) {
                var keep = in.mapping().levels().get(i).keep();
                if (keep == null || keep.contains(t.tensor())) {
                    chain.add(i);
                }
            }
            for (int k = 0; k < chain.size(); k++) {
                int i = chain.get(k);
                boolean hasParent = k > 0;
                Integer child = k + 1 < chain.size() ? chain.get(k + 1) : null;
                long partition = covered(t, nest, loopsWhere(nest, l -> l.level >= i || !l.spatial));
                long capacity = box(t, loopsWhere(nest, l -> l.level >= i));
                long servedComputes = temporalProduct * product(nest, l -> l.spatial && l.level >= i);
                // What the child takes from this level (its fills, counted like fills), once per child with other data.
                long fromChild = child == null ? 0 : fillsLike(t, nest, child) * distinctChildren(t, nest, i, child);
                long reads;
                long fills;
                long updates = 0;
                if (!output) {
                    fills = hasParent ? fillsLike(t, nest, i) : 0;
                    reads = child == null ? servedComputes : fromChild;
                } else {
                    updates = child == null ? servedComputes : fromChild;
                    // First-read elision: the child's first copy of each of its points needs no partial sum from here.
                    reads = child == null ? updates - partition
                        : fromChild - covered(t, nest, loopsWhere(nest, l -> l.level >= child || !l.spatial))
                            * distinctChildren(t, nest, i, child);
                    fills = hasParent ? fillsLike(t, nest, i) - partition : 0;
                }
                counts.get(levels.get(i).name()).put(t.tensor(), new long[] {reads, fills, updates});
                sizes.get(levels.get(i).name()).put(t.tensor(), new long[] {partition, capacity});
            }
        }
        for (StorageLevel s : levels) { // a level's traffic over its bandwidths, per instance: read, write and shared
            long reads = counts.get(s.name()).values().stream().mapToLong(c -> c[0]).sum();
            long writes = counts.get(s.name()).values().stream().mapToLong(c -> c[1] + c[2]).sum();
            double[] rw = in.readWriteBandwidth().get(s.name());
            double limited = Math.max((reads + writes) / s.bandwidthWordsPerCycle(), Math.max(reads / rw[0], writes / rw[1]));
            cycles = Math.max(cycles, (long) Math.ceil(limited));
        }
        ActionCounts.Builder actions = new ActionCounts.Builder();
        actions.add(unit.name(), "mac", e.output(), computes);
        long[] instances = new long[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            StorageLevel s = levels.get(i);
            final int level = i;
            instances[i] = product(nest, l -> l.spatial && l.level < level);
            long block = in.blockWords().get(s.name());
            for (var c : counts.get(s.name()).entrySet()) {
                long[] n = c.getValue();
                actions.add(s.name(), ActionCounts.READ, c.getKey(), ceilDiv(n[0], block) * block * instances[i]);
                actions.add(s.name(), ActionCounts.WRITE, c.getKey(),
                    (ceilDiv(n[1], block) + ceilDiv(n[2], block)) * block * instances[i]);
            }
        }
        EnergyAccountant.Priced priced = new EnergyAccountant(arch).price(actions.build());
        Map<String, LevelStats> out = new LinkedHashMap<>();
        double leakage = 0;
        for (int i = 0; i < levels.size(); i++) {
            String name = levels.get(i).name();
            Map<String, TensorStats> ts = new LinkedHashMap<>();
            for (var c : counts.get(name).entrySet()) {
                long[] n = c.getValue();
                long[] z = sizes.get(name).get(c.getKey());
                double pj = priced.linesOf(name).stream().filter(l -> l.action().tensor().equals(c.getKey()))
                    .mapToDouble(EnergyAccountant.Line::pj).sum();
                ts.put(c.getKey(), new TensorStats(z[0], z[1], n[0], n[1], n[2], pj));
            }
            double leak = in.leakPj().getOrDefault(name, 0.0) * cycles * instances[i];
            out.put(name, new LevelStats(instances[i], ts, priced.byComponentPj().getOrDefault(name, 0.0) + leak, leak));
            leakage += leak;
        }
        double utilization = (double) computes / ((double) cycles * unit.pes());
        return new Stats(e.output(), computes, computeInstances, cycles, utilization,
            priced.byComponentPj().get(unit.name()), out, priced.totalPj() + leakage);
    }

    /** A level whose tiles, every tensor it keeps at once, take {@code words} per instance where it has {@code room}. */
    public record Overflow(String level, long words, long room) {
    }

    /** The first level (outermost first) that cannot hold its tiles, or null (Timeloop refuses such a mapping). */
    public static Overflow overflowing(Architecture arch, Stats s) {
        for (StorageLevel l : arch.storage()) {
            long words = s.levels().get(l.name()).tensors().values().stream().mapToLong(TensorStats::utilizedCapacity).sum();
            if (words > l.capacityWords()) {
                return new Overflow(l.name(), words, (long) l.capacityWords());
            }
        }
        return null;
    }

    /** Fills as Timeloop counts them: the tile, then each step's new points, over the temporal loops above the level. */
    private static long fillsLike(Projection t, List<Loop> nest, int level) {
        List<Loop> inside = loopsWhere(nest, l -> l.level >= level);
        List<Loop> above = loopsWhere(nest, l -> l.level < level && !l.spatial);
        long tile = box(t, inside);
        long[] extent = extents(t, inside);
        long total = tile;
        for (int j = 0; j < above.size(); j++) {
            Loop lj = above.get(j);
            if (lj.factor <= 1) {
                continue;
            }
            // The tile's shift when loop j steps and the loops inside it wrap to 0.
            Map<String, Long> shift = new LinkedHashMap<>();
            shift.merge(lj.rank, stride(nest, above.get(j)), Long::sum);
            for (int k = j + 1; k < above.size(); k++) {
                Loop lk = above.get(k);
                shift.merge(lk.rank, -(lk.factor - 1) * stride(nest, above.get(k)), Long::sum);
            }
            long overlap = 1;
            for (int d = 0; d < t.dims().size(); d++) {
                long s = 0;
                for (Index.Term term : t.dims().get(d)) {
                    s += term.coeff() * shift.getOrDefault(term.rank(), 0L);
                }
                overlap *= Math.max(0, extent[d] - Math.abs(s));
            }
            long delta = tile - overlap;
            long steps = lj.factor - 1;
            for (int k = 0; k < j; k++) {
                steps *= above.get(k).factor;
            }
            total += steps * delta;
        }
        return total;
    }

    /** How far one step of {@code loop} moves along its rank: the product of every loop nested inside it on that rank. */
    private static long stride(List<Loop> nest, Loop loop) {
        long s = 1;
        boolean inside = false;
        for (Loop l : nest) {
            if (inside && l.rank.equals(loop.rank)) {
                s *= l.factor;
            }
            inside |= l == loop;
        }
        return s;
    }

    /**
     * Children of one instance of {@code parent} that hold different data of the tensor (the others
     * share a multicast, or their partial sums meet in the network): as many as the distinct
     * points the fan-out's offsets project to ({@code [P+R]} under a fan-out over both P and R
     * has fewer than P·R).
     */
    private static long distinctChildren(Projection t, List<Loop> nest, int parent, int child) {
        return covered(t, nest, loopsWhere(nest, l -> l.spatial && l.level >= parent && l.level < child));
    }

    /**
     * Points of the tensor that {@code loops} reach, the other loops at 0. Not a box where a
     * fan-out sits inside temporal loops of its rank: an instance then sees every other stretch.
     * Dimensions that share no rank are counted apart, so only a sum of ranks is enumerated.
     */
    private static long covered(Projection t, List<Loop> nest, List<Loop> loops) {
        long n = 1;
        for (List<Integer> dims : independentDimensions(t)) {
            List<Index.Term> terms = t.dims().get(dims.getFirst());
            if (dims.size() == 1 && terms.size() == 1) { // one rank: its loops' indices are its mixed-radix digits
                n *= product(loops, l -> l.rank.equals(terms.getFirst().rank()));
                continue;
            }
            java.util.Set<List<Long>> points = java.util.Set.of(java.util.Collections.nCopies(dims.size(), 0L));
            for (Loop l : loops) {
                long stride = stride(nest, l);
                long[] move = new long[dims.size()];
                boolean moves = false;
                for (int d = 0; d < move.length; d++) {
                    for (Index.Term term : t.dims().get(dims.get(d))) {
                        move[d] += term.rank().equals(l.rank) ? term.coeff() * stride : 0;
                    }
                    moves |= move[d] != 0;
                }
                if (!moves || l.factor <= 1) {
                    continue;
                }
                java.util.Set<List<Long>> next = new java.util.HashSet<>();
                for (List<Long> p : points) {
                    for (long i = 0; i < l.factor; i++) {
                        List<Long> q = new ArrayList<>(p);
                        for (int d = 0; d < move.length; d++) {
                            q.set(d, q.get(d) + i * move[d]);
                        }
                        next.add(q);
                    }
                }
                points = next;
            }
            n *= points.size();
        }
        return n;
    }

    /** The tensor's dimensions in groups that share ranks (a group each, as a rule). */
    private static List<List<Integer>> independentDimensions(Projection t) {
        List<List<Integer>> groups = new ArrayList<>();
        List<java.util.Set<String>> ranks = new ArrayList<>();
        for (int d = 0; d < t.dims().size(); d++) {
            java.util.Set<String> mine = new java.util.HashSet<>();
            t.dims().get(d).forEach(term -> mine.add(term.rank()));
            List<Integer> group = new ArrayList<>(List.of(d));
            for (int g = groups.size() - 1; g >= 0; g--) {
                if (!java.util.Collections.disjoint(ranks.get(g), mine)) {
                    group.addAll(groups.remove(g));
                    mine.addAll(ranks.remove(g));
                }
            }
            groups.add(group);
            ranks.add(mine);
        }
        return groups;
    }

    private static long box(Projection t, List<Loop> loops) {
        long n = 1;
        for (long x : extents(t, loops)) {
            n *= x;
        }
        return n;
    }

    private static long[] extents(Projection t, List<Loop> loops) {
        long[] out = new long[t.dims().size()];
        for (int d = 0; d < out.length; d++) {
            long ext = 1;
            for (Index.Term term : t.dims().get(d)) {
                long range = 1;
                for (Loop l : loops) {
                    if (l.rank.equals(term.rank())) {
                        range *= l.factor;
                    }
                }
                ext += Math.abs(term.coeff()) * (range - 1);
            }
            out[d] = ext;
        }
        return out;
    }

    private static List<Loop> loopsWhere(List<Loop> nest, java.util.function.Predicate<Loop> p) {
        return nest.stream().filter(p).toList();
    }

    private static long product(List<Loop> nest, java.util.function.Predicate<Loop> p) {
        long n = 1;
        for (Loop l : nest) {
            if (p.test(l)) {
                n *= l.factor;
            }
        }
        return n;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static List<Projection> projections(Einsum e) {
        List<Projection> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        e.body().accesses(a -> {
            if (seen.contains(a.tensor())) {
                return;
            }
            seen.add(a.tensor());
            List<List<Index.Term>> dims = new ArrayList<>();
            for (Index ix : a.indices()) {
                if (!(ix instanceof Index.Affine af)) {
                    throw new IllegalArgumentException("subscript " + ix + " of " + a.tensor() + " has no Timeloop "
                        + "projection (a gather or a quotient is not affine)");
                }
                dims.add(af.terms());
            }
            out.add(new Projection(a.tensor(), dims));
        });
        List<List<Index.Term>> dims = new ArrayList<>();
        for (String r : e.outputRanks()) {
            dims.add(List.of(new Index.Term(1, r)));
        }
        out.add(new Projection(e.output(), dims));
        return out;
    }
}
