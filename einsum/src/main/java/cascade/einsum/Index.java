package cascade.einsum;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** One subscript of a tensor access: an affine expression of rank indices, or a gather. */
public sealed interface Index {
    SourcePos pos();

    /** The rank variables this index reads (for a gather, those of the index tensor's access). */
    void ranks(Set<String> into);

    /** {@code coeff * rank}; the rank is named by its upper-case rank name. */
    record Term(long coeff, String rank) {
    }

    /** {@code sum(coeff_i * rank_i) + offset}, e.g. {@code m}, {@code m1+1}, {@code M1}, {@code w + M - W}. */
    record Affine(List<Term> terms, ConstExpr offset, SourcePos pos) implements Index {
        /** A bare rank variable such as {@code m}: the common case, and the only form checked against the slot's rank. */
        public boolean isPlain() {
            return terms.size() == 1 && terms.getFirst().coeff() == 1 && offset == null;
        }

        public String plainRank() {
            return isPlain() ? terms.getFirst().rank() : null;
        }

        public long offsetValue(Map<String, Long> sizes) {
            return offset == null ? 0 : Math.round(offset.eval(sizes));
        }

        @Override
        public void ranks(Set<String> into) {
            for (Term t : terms) {
                into.add(t.rank());
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Term t : terms) {
                if (!sb.isEmpty()) {
                    sb.append(t.coeff() < 0 ? " - " : " + ");
                } else if (t.coeff() < 0) {
                    sb.append('-');
                }
                long c = Math.abs(t.coeff());
                if (c != 1) {
                    sb.append(c).append('*');
                }
                sb.append(t.rank().toLowerCase(java.util.Locale.ROOT));
            }
            if (offset != null) {
                sb.append(sb.isEmpty() ? "" : " + ").append(offset);
            }
            return sb.toString();
        }
    }

    /**
     * {@code K[e, h / G, m]} or {@code X[m % D]}: an affine subscript divided by a whole-number size
     * or parameter, rounded down ({@code /}), or its remainder ({@code %}, from 0 to the divisor - 1).
     * Grouped-query attention without split ranks, dilations, blocks of a sequence.
     */
    record Quotient(Affine numerator, ConstExpr divisor, boolean remainder, SourcePos pos) implements Index {
        public long divisorValue(Map<String, Long> sizes) {
            return Math.round(divisor.eval(sizes));
        }

        /** The subscript's value for a numerator value. */
        public long of(long numeratorValue, Map<String, Long> sizes) {
            long d = divisorValue(sizes);
            return remainder ? Math.floorMod(numeratorValue, d) : Math.floorDiv(numeratorValue, d);
        }

        @Override
        public void ranks(Set<String> into) {
            numerator.ranks(into);
        }

        @Override
        public String toString() {
            String n = numerator.toString();
            return (numerator.terms().size() + (numerator.offset() == null ? 0 : 1) > 1 ? "(" + n + ")" : n)
                + (remainder ? " % " : " / ") + divisor;
        }
    }

    /**
     * {@code V[h, clamp(m + w - PAD)]}: an affine subscript held inside the rank it addresses (below 0
     * reads index 0, past the end the last index) — a pooling window at a sequence's edges.
     */
    record Clamped(Affine inner, SourcePos pos) implements Index {
        /** The subscript's value for the inner value, on a rank of {@code extent} indices. */
        public static long of(long innerValue, long extent) {
            return Math.max(0, Math.min(extent - 1, innerValue));
        }

        @Override
        public void ranks(Set<String> into) {
            inner.ranks(into);
        }

        @Override
        public String toString() {
            return "clamp(" + inner + ")";
        }
    }

    /** {@code K[e, TI[k,p]]}: the subscript is read from an integer tensor. */
    record Gather(Expr.Access source, SourcePos pos) implements Index {
        @Override
        public void ranks(Set<String> into) {
            source.ranks(into);
        }

        @Override
        public String toString() {
            return source.toString();
        }
    }
}
