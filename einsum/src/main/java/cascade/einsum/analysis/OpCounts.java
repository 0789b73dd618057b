package cascade.einsum.analysis;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.Index;
import cascade.einsum.Partition;
import cascade.einsum.Predicate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operation counts per operator. Every point of an Einsum's iteration space that its mask keeps
 * evaluates the body once and, with a reduction, combines once into its accumulator (so a
 * reduction of n terms counts n, as MAC counts do). A {@code sum} of a product counts as MACs.
 * Masks made of index comparisons are counted exactly by interval arithmetic; a tensor mask
 * depends on data, so its Einsum is counted as if every point were kept and {@code exact} is false.
 */
public final class OpCounts {
    /** The operator categories, in report order. */
    public static final List<String> CATEGORIES = List.of("mac", "add", "mul", "div", "max", "min", "exp", "sqrt", "log",
        "neg", "abs", "gather", "topkElements");

    /**
     * Counts for one Einsum; {@code points} is the number of iteration points the mask keeps,
     * {@code effectual} those whose work is not known to be null ({@link Effectual}).
     */
    public record EinsumOps(String output, long points, Map<String, Long> ops, boolean exact, long effectual) {
        /** The operations of the effectual points: every operator's count per point times those points. */
        public Map<String, Long> effectualOps() {
            Map<String, Long> m = new LinkedHashMap<>();
            ops.forEach((k, v) -> m.put(k, points == 0 ? 0 : v / points * effectual));
            return m;
        }
    }

    private OpCounts() {
    }

    public static List<EinsumOps> perEinsum(Cascade c, Map<String, Long> sizes) {
        List<EinsumOps> all = new ArrayList<>();
        Effectual effect = Effectual.of(c);
        for (Einsum e : c.einsums()) {
            all.add(of(c, e, sizes, effect));
        }
        return all;
    }

    public static Map<String, Long> total(List<EinsumOps> perEinsum) {
        Map<String, Long> total = zero();
        for (EinsumOps e : perEinsum) {
            e.ops().forEach((k, v) -> total.merge(k, v, Math::addExact));
        }
        return total;
    }

    private static Map<String, Long> zero() {
        Map<String, Long> m = new LinkedHashMap<>();
        CATEGORIES.forEach(k -> m.put(k, 0L));
        return m;
    }

    /** Sums the effectual counts of every Einsum. */
    public static long totalEffectual(List<EinsumOps> perEinsum) {
        return perEinsum.stream().mapToLong(EinsumOps::effectual).sum();
    }

    static EinsumOps of(Cascade c, Einsum e, Map<String, Long> sizes, Effectual effect) {
        List<String> ranks = Effectual.countedRanks(e); // a top-k scans its candidates once, whatever it keeps
        boolean[] exact = {true};
        long points = MaskCounter.count(c, e.mask(), ranks, sizes, exact);
        long effectual = effect.sparserThanMask(e.output())
            ? effect.count(e.output(), sizes, Map.of(), Map.of(), null, exact) : points;
        Map<String, Long> ops = zero();
        Expr body = e.body();
        boolean mac = e.reduction() instanceof Einsum.Reduce r && r.op() == Einsum.ReduceOp.SUM
            && body instanceof Expr.Binary b && b.op() == Expr.BinaryOp.MUL;
        if (mac) {
            Expr.Binary product = (Expr.Binary) body;
            ops.merge("mac", points, Math::addExact);
            countNodes(product.left(), points, ops);
            countNodes(product.right(), points, ops);
        } else {
            countNodes(body, points, ops);
            switch (e.reduction()) {
                case Einsum.Reduce r -> ops.merge(r.op() == Einsum.ReduceOp.SUM ? "add" : r.op().keyword(), points, Math::addExact);
                case Einsum.TopK t -> ops.merge("topkElements", points, Math::addExact);
                case Einsum.NoReduction n -> { }
            }
        }
        return new EinsumOps(e.output(), points, ops, exact[0], effectual);
    }

    private static void countNodes(Expr x, long points, Map<String, Long> ops) {
        switch (x) {
            case Expr.Access a -> {
                for (Index i : a.indices()) {
                    if (i instanceof Index.Gather g) {
                        ops.merge("gather", points, Math::addExact);
                        countNodes(g.source(), 0, ops);
                    }
                }
            }
            case Expr.Unary u -> {
                for (String k : u.op().primitives()) {
                    ops.merge(k, points, Math::addExact);
                }
                countNodes(u.arg(), points, ops);
            }
            case Expr.Constant k -> { }
            case Expr.Cast cast -> countNodes(cast.arg(), points, ops); // a conversion is wiring and rounding, no datapath op
            case Expr.Binary b -> {
                String k = switch (b.op()) {
                    case ADD, SUB -> "add";
                    case MUL -> "mul";
                    case DIV -> "div";
                    case MAX -> "max";
                    case MIN -> "min";
                };
                ops.merge(k, points, Math::addExact);
                countNodes(b.left(), points, ops);
                countNodes(b.right(), points, ops);
            }
        }
    }

    /** Counts the points of a rank box that a comparison mask keeps, without visiting them one by one. */
    static final class MaskCounter {
        private static final long ENUMERATION_LIMIT = 200_000_000L;

        private MaskCounter() {
        }

        static long count(Cascade c, Predicate mask, List<String> ranks, Map<String, Long> sizes, boolean[] exact) {
            return count(c, mask, ranks, sizes, Map.of(), Map.of(), exact);
        }

        /**
         * The points of the box {@code lo} (absent: 0) to {@code lo + extent} (absent: the rank's
         * size) that the mask keeps; {@code sizes} give the partitions' multipliers.
         */
        static long count(Cascade c, Predicate mask, List<String> ranks, Map<String, Long> sizes, Map<String, Long> lo,
                          Map<String, Long> extent, boolean[] exact) {
            Map<String, Long> box = new LinkedHashMap<>(sizes);
            box.putAll(extent);
            long all = 1;
            for (String r : ranks) {
                all = Math.multiplyExact(all, box.get(r));
            }
            if (mask == null) {
                return all;
            }
            boolean[] tensor = {false};
            mask.accesses(a -> tensor[0] = true);
            if (tensor[0]) {
                exact[0] = false;
                return all;
            }
            Set<String> involved = new LinkedHashSet<>();
            collect(c, mask, ranks, involved);
            long free = all;
            for (String r : involved) {
                free /= box.get(r);
            }
            List<String> vars = new ArrayList<>(involved);
            if (vars.isEmpty()) {
                return eval(c, mask, Map.of(), null, 0, sizes, ranks).length() > 0 ? all : 0;
            }
            // Solve the largest rank as intervals and enumerate the rest: the fewest enumerated points.
            String inner = vars.stream().max(java.util.Comparator.comparingLong(box::get)).orElseThrow();
            vars.remove(inner);
            long outerCount = 1;
            for (String r : vars) {
                outerCount = Math.multiplyExact(outerCount, box.get(r));
            }
            if (outerCount > ENUMERATION_LIMIT) {
                exact[0] = false;
                return all;
            }
            long kept = 0;
            Map<String, Long> env = new LinkedHashMap<>();
            long innerSize = box.get(inner);
            env.put(inner, lo.getOrDefault(inner, 0L)); // the inner rank's offset: x = lo + x' for x' in [0, extent)
            for (long o = 0; o < outerCount; o++) {
                long rest = o;
                for (int k = vars.size() - 1; k >= 0; k--) {
                    long s = box.get(vars.get(k));
                    env.put(vars.get(k), lo.getOrDefault(vars.get(k), 0L) + rest % s);
                    rest /= s;
                }
                kept += eval(c, mask, env, inner, innerSize, sizes, ranks).length();
            }
            return Math.multiplyExact(kept, free);
        }

        /**
         * Whether the mask keeps every point of the box, none or some, from bounds on each
         * comparison over the box (an {@code and} or {@code or} of partly kept comparisons may
         * still keep all or none: the answer is then SOME, and a count settles it).
         */
        static Effectual.Coverage coverage(Cascade c, Predicate p, List<String> ranks, Map<String, Long> sizes,
                                           Map<String, Long> lo, Map<String, Long> extent) {
            return switch (p) {
                case Predicate.Compare cmp -> {
                    long[] minMax = new long[2];
                    bound(c, cmp.left(), 1, ranks, sizes, lo, extent, minMax);
                    bound(c, cmp.right(), -1, ranks, sizes, lo, extent, minMax);
                    long min = minMax[0];
                    long max = minMax[1];
                    yield switch (cmp.op()) {
                        case LT -> max < 0 ? Effectual.Coverage.ALL : min >= 0 ? Effectual.Coverage.NONE : Effectual.Coverage.SOME;
                        case LE -> max <= 0 ? Effectual.Coverage.ALL : min > 0 ? Effectual.Coverage.NONE : Effectual.Coverage.SOME;
                        case GT -> min > 0 ? Effectual.Coverage.ALL : max <= 0 ? Effectual.Coverage.NONE : Effectual.Coverage.SOME;
                        case GE -> min >= 0 ? Effectual.Coverage.ALL : max < 0 ? Effectual.Coverage.NONE : Effectual.Coverage.SOME;
                        case EQ -> min > 0 || max < 0 ? Effectual.Coverage.NONE
                            : min == 0 && max == 0 ? Effectual.Coverage.ALL : Effectual.Coverage.SOME;
                        case NE -> min > 0 || max < 0 ? Effectual.Coverage.ALL
                            : min == 0 && max == 0 ? Effectual.Coverage.NONE : Effectual.Coverage.SOME;
                    };
                }
                case Predicate.And a -> {
                    Effectual.Coverage l = coverage(c, a.left(), ranks, sizes, lo, extent);
                    Effectual.Coverage r = l == Effectual.Coverage.NONE ? l : coverage(c, a.right(), ranks, sizes, lo, extent);
                    yield l == Effectual.Coverage.NONE || r == Effectual.Coverage.NONE ? Effectual.Coverage.NONE
                        : l == Effectual.Coverage.ALL && r == Effectual.Coverage.ALL ? Effectual.Coverage.ALL : Effectual.Coverage.SOME;
                }
                case Predicate.Or o -> {
                    Effectual.Coverage l = coverage(c, o.left(), ranks, sizes, lo, extent);
                    Effectual.Coverage r = l == Effectual.Coverage.ALL ? l : coverage(c, o.right(), ranks, sizes, lo, extent);
                    yield l == Effectual.Coverage.ALL || r == Effectual.Coverage.ALL ? Effectual.Coverage.ALL
                        : l == Effectual.Coverage.NONE && r == Effectual.Coverage.NONE ? Effectual.Coverage.NONE : Effectual.Coverage.SOME;
                }
                case Predicate.Not n -> switch (coverage(c, n.arg(), ranks, sizes, lo, extent)) {
                    case ALL -> Effectual.Coverage.NONE;
                    case NONE -> Effectual.Coverage.ALL;
                    case SOME -> Effectual.Coverage.SOME;
                };
                case Predicate.TensorMask t -> Effectual.Coverage.SOME;
            };
        }

        /**
         * What the count over a box depends on: each comparison's verdict over the box where it keeps
         * all or none, else its value at the box's low corner (in coordinates from that corner every
         * comparison keeps its coefficients), and the box's extents. Boxes of equal signature keep
         * equally many points.
         */
        static void signature(Cascade c, Predicate p, List<String> ranks, Map<String, Long> sizes, Map<String, Long> lo,
                              Map<String, Long> extent, List<Long> into) {
            switch (p) {
                case Predicate.Compare cmp -> {
                    switch (coverage(c, cmp, ranks, sizes, lo, extent)) {
                        case ALL -> into.add(Long.MAX_VALUE);
                        case NONE -> into.add(Long.MIN_VALUE);
                        case SOME -> {
                            Map<String, Long> corner = new LinkedHashMap<>();
                            ranks.forEach(r -> corner.put(r, 1L));
                            long[] minMax = new long[2];
                            bound(c, cmp.left(), 1, ranks, sizes, lo, corner, minMax);
                            bound(c, cmp.right(), -1, ranks, sizes, lo, corner, minMax);
                            into.add(minMax[0]);
                        }
                    }
                }
                case Predicate.And a -> {
                    signature(c, a.left(), ranks, sizes, lo, extent, into);
                    signature(c, a.right(), ranks, sizes, lo, extent, into);
                }
                case Predicate.Or o -> {
                    signature(c, o.left(), ranks, sizes, lo, extent, into);
                    signature(c, o.right(), ranks, sizes, lo, extent, into);
                }
                case Predicate.Not n -> signature(c, n.arg(), ranks, sizes, lo, extent, into);
                case Predicate.TensorMask t -> into.add(0L); // counted as every point: the extents decide
            }
        }

        /** Adds sign · the affine's least and greatest value over the box to {@code minMax}. */
        private static void bound(Cascade c, Index.Affine a, long sign, List<String> ranks, Map<String, Long> sizes,
                                  Map<String, Long> lo, Map<String, Long> extent, long[] minMax) {
            long offset = sign * a.offsetValue(sizes);
            minMax[0] += offset;
            minMax[1] += offset;
            for (Index.Term t : a.terms()) {
                expand(c, t.rank(), sign * t.coeff(), ranks, sizes, (r, k) -> {
                    long from = lo.getOrDefault(r, 0L);
                    long to = from + extent.getOrDefault(r, sizes.get(r)) - 1;
                    minMax[0] += Math.min(k * from, k * to);
                    minMax[1] += Math.max(k * from, k * to);
                });
            }
        }

        /**
         * Calls {@code onIterated} with every iterated rank of {@code coeff · rank} and its coefficient:
         * a whole rank (m) is its parts, row-major (m = m1 · M0 + m0).
         */
        private static void expand(Cascade c, String rank, long coeff, List<String> ranks, Map<String, Long> sizes,
                                   java.util.function.ObjLongConsumer<String> onIterated) {
            if (ranks.contains(rank)) {
                onIterated.accept(rank, coeff);
                return;
            }
            for (Partition p : c.partitions()) {
                if (p.whole().equals(rank)) {
                    long multiplier = coeff;
                    for (int k = p.parts().size() - 1; k >= 0; k--) {
                        expand(c, p.parts().get(k), multiplier, ranks, sizes, onIterated);
                        multiplier *= sizes.get(p.parts().get(k));
                    }
                    return;
                }
            }
            throw new IllegalStateException("rank " + rank + " is not iterated");
        }

        /** The iteration ranks the mask depends on; a whole rank (m) stands for its iterated parts. */
        static void collect(Cascade c, Predicate mask, List<String> ranks, Set<String> into) {
            Set<String> named = new LinkedHashSet<>();
            mask.ranks(named);
            for (String r : named) {
                if (ranks.contains(r)) {
                    into.add(r);
                } else {
                    for (Partition p : c.partitions()) {
                        if (p.whole().equals(r)) {
                            into.addAll(p.parts());
                        }
                    }
                }
            }
        }

        private static Intervals eval(Cascade c, Predicate p, Map<String, Long> env, String inner, long innerSize,
                                      Map<String, Long> sizes, List<String> ranks) {
            return switch (p) {
                case Predicate.Compare cmp -> {
                    // left - right = a + b * inner
                    long[] ab = new long[2];
                    linear(c, cmp.left(), 1, env, inner, sizes, ranks, ab);
                    linear(c, cmp.right(), -1, env, inner, sizes, ranks, ab);
                    yield Intervals.solve(ab[0], ab[1], cmp.op(), inner == null ? 1 : innerSize);
                }
                case Predicate.And a -> eval(c, a.left(), env, inner, innerSize, sizes, ranks)
                    .intersect(eval(c, a.right(), env, inner, innerSize, sizes, ranks));
                case Predicate.Or o -> eval(c, o.left(), env, inner, innerSize, sizes, ranks)
                    .union(eval(c, o.right(), env, inner, innerSize, sizes, ranks));
                case Predicate.Not n -> eval(c, n.arg(), env, inner, innerSize, sizes, ranks)
                    .complement(inner == null ? 1 : innerSize);
                case Predicate.TensorMask t -> throw new IllegalStateException("tensor masks are not counted exactly");
            };
        }

        private static void linear(Cascade c, Index.Affine a, long sign, Map<String, Long> env, String inner,
                                   Map<String, Long> sizes, List<String> ranks, long[] ab) {
            ab[0] += sign * a.offsetValue(sizes);
            for (Index.Term t : a.terms()) {
                expand(c, t.rank(), sign * t.coeff(), ranks, sizes, (r, k) -> {
                    ab[0] += k * env.get(r); // the inner rank's offset: env holds its low end
                    if (r.equals(inner)) {
                        ab[1] += k;
                    }
                });
            }
        }
    }
}
