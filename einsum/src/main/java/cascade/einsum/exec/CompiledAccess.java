package cascade.einsum.exec;

import cascade.einsum.ConstExpr;
import cascade.einsum.Expr;
import cascade.einsum.Index;
import cascade.einsum.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tensor access compiled to {@code base + sum(coef[rank] * index[rank]) + gathers + computed}.
 * Affine and partitioned subscripts are linear in the rank indices, so only gathers and computed
 * subscripts (quotients, clamps) need per-point work;
 * a window slot (indexed by the step rank alone) folds into {@code base} at each step.
 */
final class CompiledAccess {
    /** {@code multiplier * value(source)}, checked against {@code bound}. */
    record GatherTerm(long multiplier, CompiledAccess source, long bound, String where) {
    }

    /**
     * {@code multiplier * f(sum(coef * index) + constant)}: a subscript computed point by point, f a
     * division or remainder by {@code operand}, or a clamp into {@code 0 .. operand - 1}.
     */
    record ComputedTerm(long multiplier, long[] coef, long constant, long operand, Kind kind) {
        enum Kind { DIVIDE, REMAINDER, CLAMP }

        long value(long[] index) {
            long n = constant;
            for (int i = 0; i < coef.length; i++) {
                n += coef[i] * index[i];
            }
            return switch (kind) {
                case DIVIDE -> Math.floorDiv(n, operand);
                case REMAINDER -> Math.floorMod(n, operand);
                case CLAMP -> Index.Clamped.of(n, operand);
            };
        }

        static ComputedTerm of(long multiplier, Index.Affine a, long operand, Kind kind, Map<String, Long> sizes,
                               RankIds ids) {
            long[] n = new long[ids.count()];
            for (Index.Term t : a.terms()) {
                n[ids.id(t.rank())] += t.coeff();
            }
            return new ComputedTerm(multiplier, n, a.offsetValue(sizes), operand, kind);
        }
    }

    final Layout layout;
    final float[] data;
    final long[] coef;
    private final long constant;
    private final List<GatherTerm> gathers;
    private final ComputedTerm[] computed; // an array: offset() runs per row, and most accesses have none
    private final long windowStride;
    private final Index.Affine windowIndex;
    private final Map<String, Long> sizes;
    private final RankIds ids;
    long base;

    private CompiledAccess(Layout layout, long[] coef, long constant, List<GatherTerm> gathers,
                           ComputedTerm[] computed, long windowStride, Index.Affine windowIndex,
                           Map<String, Long> sizes, RankIds ids) {
        this.layout = layout;
        this.data = layout.data;
        this.coef = coef;
        this.constant = constant;
        this.gathers = gathers;
        this.computed = computed;
        this.windowStride = windowStride;
        this.windowIndex = windowIndex;
        this.sizes = sizes;
        this.ids = ids;
        this.base = constant;
    }

    static CompiledAccess compile(Expr.Access a, Map<String, Layout> layouts, Map<String, Long> sizes, RankIds ids) {
        Layout layout = layouts.get(a.tensor());
        long[] coef = new long[ids.count()];
        long constant = 0;
        List<GatherTerm> gathers = new ArrayList<>();
        List<ComputedTerm> computed = new ArrayList<>();
        long windowStride = 0;
        Index.Affine windowIndex = null;
        for (int i = 0; i < a.slots().size(); i++) {
            Expr.Slot slot = a.slots().get(i);
            long stride = layout.stride[i];
            if (i == layout.windowSlot) {
                windowStride = stride;
                windowIndex = (Index.Affine) slot.indices().getFirst();
                continue;
            }
            Partition p = slot.partition();
            int parts = slot.indices().size();
            for (int k = 0; k < parts; k++) {
                long multiplier = stride;
                for (int later = k + 1; later < parts; later++) {
                    multiplier *= sizes.get(p.parts().get(later));
                }
                long bound = p == null ? layout.extent[i] : sizes.get(p.parts().get(k));
                switch (slot.indices().get(k)) {
                    case Index.Affine af -> {
                        constant += multiplier * af.offsetValue(sizes);
                        for (Index.Term t : af.terms()) {
                            coef[ids.id(t.rank())] += t.coeff() * multiplier;
                        }
                    }
                    case Index.Gather g -> gathers.add(new GatherTerm(multiplier,
                        compile(g.source(), layouts, sizes, ids), bound, g.source() + " in " + a));
                    case Index.Quotient q -> computed.add(ComputedTerm.of(multiplier, q.numerator(), q.divisorValue(sizes),
                        q.remainder() ? ComputedTerm.Kind.REMAINDER : ComputedTerm.Kind.DIVIDE, sizes, ids));
                    case Index.Clamped cl -> computed.add(ComputedTerm.of(multiplier, cl.inner(), bound,
                        ComputedTerm.Kind.CLAMP, sizes, ids));
                }
            }
        }
        return new CompiledAccess(layout, coef, constant, List.copyOf(gathers), computed.toArray(new ComputedTerm[0]),
            windowStride, windowIndex, sizes, ids);
    }

    /** Access for writing an Einsum's output at its own ranks (r+1 along a recurrence rank). */
    static CompiledAccess output(Layout layout, List<String> ranks, String recurrenceRank, Map<String, Long> sizes,
                                 RankIds ids) {
        long[] coef = new long[ids.count()];
        long constant = 0;
        long windowStride = 0;
        Index.Affine windowIndex = null;
        for (int i = 0; i < ranks.size(); i++) {
            String r = ranks.get(i);
            long plusOne = r.equals(recurrenceRank) ? 1 : 0;
            Index.Affine idx = new Index.Affine(List.of(new Index.Term(1, r)),
                plusOne == 0 ? null : new ConstExpr.Num(1, null), null);
            if (i == layout.windowSlot) {
                windowStride = layout.stride[i];
                windowIndex = idx;
                continue;
            }
            coef[ids.id(r)] += layout.stride[i];
            constant += plusOne * layout.stride[i];
        }
        return new CompiledAccess(layout, coef, constant, List.of(), new ComputedTerm[0], windowStride, windowIndex, sizes,
            ids);
    }

    /** Folds the step index into {@code base}, here and in every gather source. */
    void bindStep(int stepRankId, long step) {
        long b = constant;
        if (windowIndex != null) {
            long v = windowIndex.offsetValue(sizes);
            for (Index.Term t : windowIndex.terms()) {
                v += t.coeff() * (ids.id(t.rank()) == stepRankId ? step : 0);
            }
            b += windowStride * Math.floorMod(v, (long) layout.window);
        }
        base = b;
        for (GatherTerm g : gathers) {
            g.source().bindStep(stepRankId, step);
        }
    }

    /** Gathers and computed subscripts (quotients, clamps): not linear in the rank indices, so computed point by point. */
    boolean hasGathers() {
        return !gathers.isEmpty() || computed.length > 0;
    }

    /** Whether a gather's subscript changes along the given rank (then a row needs per-lane offsets). */
    boolean gatherDependsOn(int rankId) {
        for (GatherTerm g : gathers) {
            if (g.source().coef[rankId] != 0 || g.source().gatherDependsOn(rankId)) {
                return true;
            }
        }
        for (ComputedTerm q : computed) {
            if (q.coef()[rankId] != 0) {
                return true;
            }
        }
        return false;
    }

    long offset(long[] index) {
        long off = base;
        for (int i = 0; i < coef.length; i++) {
            off += coef[i] * index[i];
        }
        for (GatherTerm g : gathers) {
            long v = Math.round(g.source().data[(int) g.source().offset(index)]);
            if (v < 0 || v >= g.bound()) {
                throw new IllegalStateException("gather subscript " + g.where() + " is " + v + ", outside 0.."
                    + (g.bound() - 1));
            }
            off += g.multiplier() * v;
        }
        for (ComputedTerm q : computed) {
            off += q.multiplier() * q.value(index);
        }
        return off;
    }
}
