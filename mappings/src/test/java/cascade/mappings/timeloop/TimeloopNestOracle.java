package cascade.mappings.timeloop;

import cascade.einsum.Einsum;
import cascade.einsum.Index;
import cascade.mappings.spec.Mapping;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Timeloop's counting rules (REFERENCE.md, "Timeloop v0.4 — model semantics") applied by playing
 * the loop nest iteration by iteration, as the test oracle for {@link TimeloopModel}'s closed form.
 * Nothing here is a closed form: a level's tile at a step is the set of a tensor's points that
 * the loops at and inside the level touch with the loops above it fixed, fills are the points
 * each step's tile has that the previous step's had not, a parent serves each child's new points
 * per step once per distinct set (children needing the same points share a multicast; partial
 * sums differing only in a reduced rank meet in the network), and an output's first update of a
 * point needs no read. One instance is played per level: the one at index 0 of every spatial
 * loop above it (Timeloop's per-instance figures; perfect factors make the instances alike).
 */
final class TimeloopNestOracle {
    private TimeloopNestOracle() {
    }

    /** One tensor at one level, per instance, with Timeloop's meanings. */
    record Counts(long partitionSize, long utilizedCapacity, long reads, long fills, long updates) {
    }

    /** One loop of the nest, outermost first; {@code stride}: how far one of its steps moves along its rank. */
    private record Loop(String rank, long factor, boolean spatial, int level, long stride) {
    }

    /** A tensor's subscript: per data dimension, its (coefficient, rank) terms; points numbered in mixed radix. */
    private record Tensor(String name, List<List<Index.Term>> dims, long[] radix, long size) {
    }

    static Map<String, Map<String, Counts>> count(TimeloopReader.Inputs in) {
        Einsum e = in.cascade().producer(in.einsum());
        List<Mapping.LevelLoops> levels = in.mapping().levels();
        List<Loop> nest = nest(levels);
        Map<String, Map<String, Counts>> out = new LinkedHashMap<>();
        levels.forEach(l -> out.put(l.level(), new LinkedHashMap<>()));
        for (Tensor t : tensors(e, in.sizes())) {
            boolean output = t.name().equals(e.output());
            List<Integer> chain = new ArrayList<>();
            for (int i = 0; i < levels.size(); i++) {
                if (levels.get(i).keep() == null || levels.get(i).keep().contains(t.name())) {
                    chain.add(i);
                }
            }
            for (int k = 0; k < chain.size(); k++) {
                int level = chain.get(k);
                Integer child = k + 1 < chain.size() ? chain.get(k + 1) : null;
                Played own = play(t, nest, level, level);
                long reads;
                long updates;
                if (child == null) {
                    long served = own.steps * product(nest, level);
                    updates = output ? served : 0;
                    reads = output ? served - own.partition : served;
                } else {
                    Played served = play(t, nest, level, child);
                    updates = output ? served.newPoints : 0;
                    reads = output ? served.refetched : served.newPoints;
                }
                long fills = k == 0 ? 0 : own.newPoints - (output ? own.partition : 0);
                out.get(levels.get(level).level()).put(t.name(),
                    new Counts(own.partition, own.capacity, reads, fills, updates));
            }
        }
        return out;
    }

    /**
     * What one instance of {@code parent} sees of the tensor's tiles at {@code child} (the same
     * level: its own tiles): the steps played, the points new to a child at a step summed over the
     * distinct sets of its children, those of them the child held before (an output's re-read
     * partial sums), the union of the tiles and the largest tile.
     */
    private record Played(long steps, long newPoints, long refetched, long partition, long capacity) {
    }

    private static Played play(Tensor t, List<Loop> nest, int parent, int child) {
        List<Loop> steps = nest.stream().filter(l -> !l.spatial && l.level < child).toList();
        List<Loop> children = nest.stream().filter(l -> l.spatial && l.level >= parent && l.level < child).toList();
        List<Loop> inside = nest.stream().filter(l -> l.level >= child).toList();
        int fanOut = (int) product(children);
        BitSet[] previous = new BitSet[fanOut];
        BitSet[] seen = new BitSet[fanOut];
        for (int c = 0; c < fanOut; c++) {
            previous[c] = new BitSet();
            seen[c] = new BitSet();
        }
        long played = 0;
        long newPoints = 0;
        long refetched = 0;
        long capacity = 0;
        long[] stepIndex = new long[steps.size()];
        do {
            Set<BitSet> distinct = new HashSet<>(); // this step's new points, one per set the children need
            long[] childIndex = new long[children.size()];
            int c = 0;
            do {
                Map<String, Long> base = new HashMap<>();
                place(steps, stepIndex, base);
                place(children, childIndex, base);
                BitSet tile = tile(t, inside, base);
                capacity = Math.max(capacity, tile.cardinality());
                BitSet fresh = (BitSet) tile.clone();
                fresh.andNot(previous[c]);
                if (!fresh.isEmpty() && distinct.add(fresh)) {
                    BitSet again = (BitSet) fresh.clone();
                    again.and(seen[c]);
                    newPoints += fresh.cardinality();
                    refetched += again.cardinality();
                }
                seen[c].or(tile);
                previous[c] = tile;
                c++;
            } while (advance(children, childIndex));
            played++;
        } while (advance(steps, stepIndex));
        return new Played(played, newPoints, refetched, seen[0].cardinality(), capacity);
    }

    /** The tensor's points the {@code inside} loops touch with the others at {@code base}. */
    private static BitSet tile(Tensor t, List<Loop> inside, Map<String, Long> base) {
        int dims = t.dims().size();
        long[] point = new long[dims];
        long[][] step = new long[inside.size()][dims]; // how far a step of each loop moves each coordinate
        for (int d = 0; d < dims; d++) {
            for (Index.Term term : t.dims().get(d)) {
                point[d] += term.coeff() * base.getOrDefault(term.rank(), 0L);
                for (int i = 0; i < inside.size(); i++) {
                    step[i][d] += inside.get(i).rank.equals(term.rank()) ? term.coeff() * inside.get(i).stride : 0;
                }
            }
        }
        BitSet tile = new BitSet((int) t.size());
        long[] index = new long[inside.size()];
        while (true) {
            long flat = 0;
            for (int d = 0; d < dims; d++) {
                flat = flat * t.radix()[d] + point[d];
            }
            tile.set(Math.toIntExact(flat));
            int i = inside.size() - 1;
            for (; i >= 0; i--) { // the odometer, moving the point with it
                if (++index[i] < inside.get(i).factor) {
                    for (int d = 0; d < dims; d++) {
                        point[d] += step[i][d];
                    }
                    break;
                }
                for (int d = 0; d < dims; d++) {
                    point[d] -= step[i][d] * (index[i] - 1);
                }
                index[i] = 0;
            }
            if (i < 0) {
                return tile;
            }
        }
    }

    private static void place(List<Loop> loops, long[] index, Map<String, Long> at) {
        for (int i = 0; i < loops.size(); i++) {
            at.merge(loops.get(i).rank, index[i] * loops.get(i).stride, Long::sum);
        }
    }

    /** The next assignment of the loops, the innermost fastest; false after the last. */
    private static boolean advance(List<Loop> loops, long[] index) {
        for (int i = loops.size() - 1; i >= 0; i--) {
            if (++index[i] < loops.get(i).factor) {
                return true;
            }
            index[i] = 0;
        }
        return false;
    }

    private static List<Loop> nest(List<Mapping.LevelLoops> levels) {
        record Raw(String rank, long factor, boolean spatial, int level) {
        }
        List<Raw> raw = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            Mapping.LevelLoops ll = levels.get(i);
            for (Mapping.Loop l : ll.temporal()) {
                raw.add(new Raw(l.rank().toUpperCase(Locale.ROOT), l.factor(), false, i));
            }
            for (Mapping.Loop l : ll.spatialRows()) {
                raw.add(new Raw(l.rank().toUpperCase(Locale.ROOT), l.factor(), true, i));
            }
            for (Mapping.Loop l : ll.spatialCols()) {
                raw.add(new Raw(l.rank().toUpperCase(Locale.ROOT), l.factor(), true, i));
            }
        }
        List<Loop> nest = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            long stride = 1;
            for (int j = i + 1; j < raw.size(); j++) {
                stride *= raw.get(j).rank().equals(raw.get(i).rank()) ? raw.get(j).factor() : 1;
            }
            Raw r = raw.get(i);
            nest.add(new Loop(r.rank(), r.factor(), r.spatial(), r.level(), stride));
        }
        return nest;
    }

    private static List<Tensor> tensors(Einsum e, Map<String, Long> sizes) {
        Map<String, List<List<Index.Term>>> subscripts = new LinkedHashMap<>();
        e.body().accesses(a -> subscripts.computeIfAbsent(a.tensor(), name -> a.indices().stream().map(ix -> {
            if (!(ix instanceof Index.Affine af) || af.offset() != null
                    || af.terms().stream().anyMatch(term -> term.coeff() < 0)) {
                throw new IllegalArgumentException("the oracle plays affine subscripts of positive terms, not " + ix);
            }
            return af.terms();
        }).toList()));
        subscripts.put(e.output(), e.outputRanks().stream().map(r -> List.of(new Index.Term(1, r))).toList());
        List<Tensor> out = new ArrayList<>();
        subscripts.forEach((name, dims) -> {
            long[] radix = new long[dims.size()];
            long size = 1;
            for (int d = 0; d < radix.length; d++) {
                long r = 1;
                for (Index.Term term : dims.get(d)) {
                    r += Math.abs(term.coeff()) * (sizes.get(term.rank()) - 1);
                }
                radix[d] = r;
                size *= r;
            }
            out.add(new Tensor(name, dims, radix, size));
        });
        return out;
    }

    private static long product(List<Loop> loops) {
        long n = 1;
        for (Loop l : loops) {
            n *= l.factor;
        }
        return n;
    }

    /** Iterations of the loops at and inside {@code level}. */
    private static long product(List<Loop> nest, int level) {
        return product(nest.stream().filter(l -> l.level >= level).toList());
    }
}
