package cascade.einsum.exec;

import cascade.einsum.Index;
import cascade.einsum.Predicate;
import java.util.Map;
import java.util.Set;

/**
 * A mask compiled for row evaluation: each comparison is a linear form in the rank indices
 * ({@code left - right}), so along a row it is {@code a + b*j} and costs no interpretation per lane.
 */
sealed interface CompiledMask {
    /** Fills {@code dst[0..len)} with the mask at row positions {@code j0..j0+len) of {@code rowRank}. */
    void eval(long[] idx, int rowRank, int j0, int len, boolean[] dst, boolean[] tmp);

    static CompiledMask compile(Predicate p, Set<String> iterated, Map<String, Layout> layouts,
                                Map<String, Long> sizes, RankIds ids) {
        return switch (p) {
            case Predicate.Compare c -> {
                long[] coef = new long[ids.count()];
                long constant = linear(c.left(), 1, coef, iterated, sizes, ids) + linear(c.right(), -1, coef, iterated, sizes, ids);
                yield new Compare(coef, constant, c.op());
            }
            case Predicate.TensorMask m -> new Tensor(CompiledAccess.compile(m.access(), layouts, sizes, ids));
            case Predicate.And a -> new And(compile(a.left(), iterated, layouts, sizes, ids),
                compile(a.right(), iterated, layouts, sizes, ids));
            case Predicate.Or o -> new Or(compile(o.left(), iterated, layouts, sizes, ids),
                compile(o.right(), iterated, layouts, sizes, ids));
            case Predicate.Not n -> new Not(compile(n.arg(), iterated, layouts, sizes, ids));
        };
    }

    private static long linear(Index.Affine a, long sign, long[] coef, Set<String> iterated, Map<String, Long> sizes,
                               RankIds ids) {
        for (Index.Term t : a.terms()) {
            if (iterated.contains(t.rank())) {
                coef[ids.id(t.rank())] += sign * t.coeff();
            } else {
                ids.addWholeAsParts(t.rank(), sign * t.coeff(), coef, sizes);
            }
        }
        return sign * a.offsetValue(sizes);
    }

    void bindStep(int stepRankId, long step);

    record Compare(long[] coef, long constant, Predicate.CmpOp op) implements CompiledMask {
        @Override
        public void eval(long[] idx, int rowRank, int j0, int len, boolean[] dst, boolean[] tmp) {
            long v = constant;
            for (int i = 0; i < coef.length; i++) {
                v += coef[i] * idx[i];
            }
            long step = 0;
            if (rowRank >= 0) {
                v += coef[rowRank] * (j0 - idx[rowRank]);
                step = coef[rowRank];
            }
            for (int j = 0; j < len; j++) {
                dst[j] = op.test(v + step * j, 0);
            }
        }

        @Override
        public void bindStep(int stepRankId, long step) {
        }
    }

    record Tensor(CompiledAccess access) implements CompiledMask {
        @Override
        public void eval(long[] idx, int rowRank, int j0, int len, boolean[] dst, boolean[] tmp) {
            long saved = rowRank >= 0 ? idx[rowRank] : 0;
            for (int j = 0; j < len; j++) {
                if (rowRank >= 0) {
                    idx[rowRank] = j0 + j;
                }
                dst[j] = access.data[(int) access.offset(idx)] != 0;
            }
            if (rowRank >= 0) {
                idx[rowRank] = saved;
            }
        }

        @Override
        public void bindStep(int stepRankId, long step) {
            access.bindStep(stepRankId, step);
        }
    }

    record And(CompiledMask left, CompiledMask right) implements CompiledMask {
        @Override
        public void eval(long[] idx, int rowRank, int j0, int len, boolean[] dst, boolean[] tmp) {
            left.eval(idx, rowRank, j0, len, dst, tmp);
            boolean[] r = new boolean[len];
            right.eval(idx, rowRank, j0, len, r, tmp);
            for (int j = 0; j < len; j++) {
                dst[j] &= r[j];
            }
        }

        @Override
        public void bindStep(int stepRankId, long step) {
            left.bindStep(stepRankId, step);
            right.bindStep(stepRankId, step);
        }
    }

    record Or(CompiledMask left, CompiledMask right) implements CompiledMask {
        @Override
        public void eval(long[] idx, int rowRank, int j0, int len, boolean[] dst, boolean[] tmp) {
            left.eval(idx, rowRank, j0, len, dst, tmp);
            boolean[] r = new boolean[len];
            right.eval(idx, rowRank, j0, len, r, tmp);
            for (int j = 0; j < len; j++) {
                dst[j] |= r[j];
            }
        }

        @Override
        public void bindStep(int stepRankId, long step) {
            left.bindStep(stepRankId, step);
            right.bindStep(stepRankId, step);
        }
    }

    record Not(CompiledMask arg) implements CompiledMask {
        @Override
        public void eval(long[] idx, int rowRank, int j0, int len, boolean[] dst, boolean[] tmp) {
            arg.eval(idx, rowRank, j0, len, dst, tmp);
            for (int j = 0; j < len; j++) {
                dst[j] = !dst[j];
            }
        }

        @Override
        public void bindStep(int stepRankId, long step) {
            arg.bindStep(stepRankId, step);
        }
    }
}
