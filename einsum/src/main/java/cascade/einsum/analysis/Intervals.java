package cascade.einsum.analysis;

import cascade.einsum.Predicate;
import java.util.ArrayList;
import java.util.List;

/** A set of integers in [0, n) as sorted disjoint half-open intervals; the algebra of mask counting. */
record Intervals(List<long[]> parts) {
    static Intervals of(long lo, long hi) {
        List<long[]> p = new ArrayList<>();
        if (lo < hi) {
            p.add(new long[] {lo, hi});
        }
        return new Intervals(p);
    }

    /** {x in [0,n) : a + b*x op 0}. */
    static Intervals solve(long a, long b, Predicate.CmpOp op, long n) {
        if (b == 0) {
            return op.test(a, 0) ? of(0, n) : of(0, 0);
        }
        return switch (op) {
            case LT -> below(a, b, n, false);
            case LE -> below(a, b, n, true);
            case GT -> below(-a, -b, n, false);
            case GE -> below(-a, -b, n, true);
            case EQ -> (-a) % b == 0 ? of(Math.max(0, -a / b), Math.min(n, -a / b + 1)).clip(n) : of(0, 0);
            case NE -> solve(a, b, Predicate.CmpOp.EQ, n).complement(n);
        };
    }

    /** {x : a + b*x < 0} or {@code <= 0}. */
    private static Intervals below(long a, long b, long n, boolean orEqual) {
        long limit = orEqual ? -a : -a - 1; // b*x <= limit
        if (b > 0) {
            long hi = Math.floorDiv(limit, b) + 1;
            return of(0, Math.max(0, Math.min(n, hi)));
        }
        long lo = -Math.floorDiv(limit, -b); // x >= ceil(limit / b) with b < 0
        return of(Math.max(0, Math.min(n, lo)), n);
    }

    private Intervals clip(long n) {
        List<long[]> p = new ArrayList<>();
        for (long[] iv : parts) {
            long lo = Math.max(0, iv[0]);
            long hi = Math.min(n, iv[1]);
            if (lo < hi) {
                p.add(new long[] {lo, hi});
            }
        }
        return new Intervals(p);
    }

    long length() {
        long s = 0;
        for (long[] iv : parts) {
            s += iv[1] - iv[0];
        }
        return s;
    }

    Intervals intersect(Intervals o) {
        List<long[]> p = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < parts.size() && j < o.parts.size()) {
            long lo = Math.max(parts.get(i)[0], o.parts.get(j)[0]);
            long hi = Math.min(parts.get(i)[1], o.parts.get(j)[1]);
            if (lo < hi) {
                p.add(new long[] {lo, hi});
            }
            if (parts.get(i)[1] < o.parts.get(j)[1]) {
                i++;
            } else {
                j++;
            }
        }
        return new Intervals(p);
    }

    Intervals complement(long n) {
        List<long[]> p = new ArrayList<>();
        long at = 0;
        for (long[] iv : parts) {
            if (iv[0] > at) {
                p.add(new long[] {at, iv[0]});
            }
            at = Math.max(at, iv[1]);
        }
        if (at < n) {
            p.add(new long[] {at, n});
        }
        return new Intervals(p);
    }

    Intervals union(Intervals o) {
        List<long[]> all = new ArrayList<>(parts);
        all.addAll(o.parts);
        all.sort((x, y) -> Long.compare(x[0], y[0]));
        List<long[]> p = new ArrayList<>();
        for (long[] iv : all) {
            if (!p.isEmpty() && iv[0] <= p.getLast()[1]) {
                p.getLast()[1] = Math.max(p.getLast()[1], iv[1]);
            } else {
                p.add(new long[] {iv[0], iv[1]});
            }
        }
        return new Intervals(p);
    }
}
