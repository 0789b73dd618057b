package cascade.einsum.analysis;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.Index;
import cascade.einsum.Partition;
import cascade.einsum.Predicate;
import cascade.einsum.SourcePos;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each Einsum's work is effectual: the points whose result is not already known to be the
 * null of what consumes it. Sparsity comes from masks ({@code where … else -inf}, {@code else 0})
 * and travels by the algebra: exp(-inf) = 0, 0 · x = 0, x / y of x = 0 is 0, -inf + x = -inf, a
 * max of -inf and -inf is -inf, and a sum of zeros is zero. A point of a {@code sum} whose term is
 * 0, of a {@code max} whose operand is -inf, or of a map whose result is its null is ineffectual.
 *
 * <p>Each tensor's support is a predicate over its own ranks (as its producer writes them) outside
 * which it holds its null. It travels to a reader only through a read with the producer's own bare
 * indices (the common case: {@code SLN[m1,m0,p] = exp(QK[m1,m0,p] - …)}); a read through another
 * subscript, a gather or a tensor mask carries nothing, so the result is conservative there, and
 * data-dependent sparsity (top-k, tensor masks) is the executor's to measure, not this analysis's.
 * A reduction keeps its body's support only where the support does not mention the ranks it reduces
 * (an existential over them is not a predicate of this language), so a chunk's partial sum counts as
 * dense. The algebra takes the non-null operands to be finite (0 · inf is not 0).
 */
public final class Effectual {
    /** How much of a box a predicate keeps. */
    public enum Coverage { NONE, SOME, ALL }

    /** The value a tensor holds outside its support. */
    public enum Null { ZERO, NEG_INF }

    /** {@code tensor} holds {@code kind} wherever {@code where} (over its producer's output ranks) is false. */
    record Support(Null kind, Predicate where) {
    }

    private final Cascade cascade;
    private final Map<String, Support> supports = new LinkedHashMap<>();
    private final Map<String, Predicate> effectual = new LinkedHashMap<>();

    private Effectual(Cascade cascade) {
        this.cascade = cascade;
        for (Einsum e : cascade.einsums()) {
            visit(e);
        }
    }

    /** The analysis of a whole cascade. */
    public static Effectual of(Cascade c) {
        return new Effectual(c);
    }

    /**
     * The predicate over {@code einsum}'s iteration ranks (whole ranks standing for their parts)
     * that keeps its effectual points, its own mask included; null where every point is effectual.
     */
    public Predicate where(String einsum) {
        return effectual.get(einsum);
    }

    /** Whether the analysis finds points of {@code einsum} ineffectual beyond its own mask. */
    public boolean sparserThanMask(String einsum) {
        Predicate p = effectual.get(einsum);
        return p != null && p != cascade.producer(einsum).mask();
    }

    /**
     * Effectual points of {@code einsum} over a box of its iteration ranks: {@code lo} (absent: 0)
     * to {@code lo + extent} (absent: the rank's size), at these {@code sizes}; {@code exact[0]}
     * turns false where data decides (every point is counted then).
     */
    public long count(String einsum, Map<String, Long> sizes, Map<String, Long> lo, Map<String, Long> extent,
                      Predicate extra, boolean[] exact) {
        Einsum e = cascade.producer(einsum);
        return OpCounts.MaskCounter.count(cascade, and(effectual.get(einsum), extra, e.pos()), countedRanks(e), sizes, lo,
            extent, exact);
    }

    /** The ranks of {@code ranks} that {@code p} depends on (a whole rank stands for its parts among them). */
    public List<String> involved(Predicate p, List<String> ranks) {
        Set<String> into = new LinkedHashSet<>();
        OpCounts.MaskCounter.collect(cascade, p, ranks, into);
        return List.copyOf(into);
    }

    /** The points of the box over {@code ranks} (see {@link #count(String, Map, Map, Map, Predicate, boolean[])}) that {@code p} keeps. */
    public long count(Predicate p, List<String> ranks, Map<String, Long> sizes, Map<String, Long> lo,
                      Map<String, Long> extent, boolean[] exact) {
        return OpCounts.MaskCounter.count(cascade, p, ranks, sizes, lo, extent, exact);
    }

    /**
     * The count of {@link #count(Predicate, List, Map, Map, Map, boolean[])}, remembered in {@code cache}
     * by what it depends on, so that the many equal runs of a mask (the diagonal blocks of a causal mask,
     * the sinks of every query block) are counted once.
     */
    public long countShared(Predicate p, List<String> ranks, Map<String, Long> sizes, Map<String, Long> lo,
                            Map<String, Long> extent, Map<List<Long>, Long> cache) {
        List<Long> key = new ArrayList<>();
        OpCounts.MaskCounter.signature(cascade, p, ranks, sizes, lo, extent, key);
        for (String r : ranks) {
            key.add(extent.getOrDefault(r, sizes.get(r)));
        }
        Long known = cache.get(key);
        if (known == null) {
            known = count(p, ranks, sizes, lo, extent, new boolean[] {true});
            cache.put(key, known);
        }
        return known;
    }

    /** Whether {@code p} keeps all of the box over {@code ranks}, none, or (as far as bounds tell) some. */
    public Coverage coverage(Predicate p, List<String> ranks, Map<String, Long> sizes, Map<String, Long> lo,
                             Map<String, Long> extent) {
        return OpCounts.MaskCounter.coverage(cascade, p, ranks, sizes, lo, extent);
    }

    /** The ranks a count iterates: all of the Einsum's, but a top-k's selection (it scans its candidates once). */
    public static List<String> countedRanks(Einsum e) {
        List<String> ranks = new ArrayList<>(e.iterationRanks());
        if (e.reduction() instanceof Einsum.TopK t) {
            ranks.remove(t.selection());
        }
        return ranks;
    }

    private void visit(Einsum e) {
        Support body = e.isRecurrence() ? null : support(e.body());
        Predicate mask = e.mask();
        boolean dataMask = mask != null && mentionsTensor(mask);
        Predicate bodyEffect = null;
        if (body != null && absorbs(e.reduction(), body.kind())) {
            bodyEffect = body.where();
        }
        effectual.put(e.output(), and(mask, bodyEffect, e.pos()));
        if (e.isRecurrence()) {
            return;
        }
        Support out = null;
        if (body != null && absorbs(e.reduction(), body.kind()) && !mentionsAny(body.where(), e.reducedRanks())) {
            out = body;
        }
        if (mask != null && !dataMask && !mentionsAny(mask, e.reducedRanks())) {
            Null fill = fillNull(e);
            if (fill != null) {
                out = out != null && out.kind() == fill ? new Support(fill, and(mask, out.where(), e.pos()))
                    : new Support(fill, mask);
            }
        }
        if (out != null) {
            supports.put(e.output(), out);
        }
    }

    /** Whether a term holding {@code kind} leaves the reduction as it was: 0 in a sum, -inf in a max (or no reduction). */
    private static boolean absorbs(Einsum.Reduction reduction, Null kind) {
        return switch (reduction) {
            case Einsum.NoReduction n -> true;
            case Einsum.Reduce r -> r.op() == Einsum.ReduceOp.SUM ? kind == Null.ZERO
                : r.op() == Einsum.ReduceOp.MAX && kind == Null.NEG_INF;
            case Einsum.TopK t -> false;
        };
    }

    /** The null a masked Einsum fills with; a fill that names sizes is taken as no null (it is rarely 0 or -inf). */
    private static Null fillNull(Einsum e) {
        double v;
        try {
            v = e.fillValue(Map.of());
        } catch (RuntimeException unbound) {
            return null;
        }
        return nullOf(v);
    }

    private static Null nullOf(double v) {
        return v == 0 ? Null.ZERO : v == Double.NEGATIVE_INFINITY ? Null.NEG_INF : null;
    }

    private Support support(Expr x) {
        return switch (x) {
            case Expr.Access a -> read(a);
            case Expr.Unary u -> {
                Support s = support(u.arg());
                if (s == null) {
                    yield null;
                }
                yield switch (u.op()) {
                    // f(-inf) = 0
                    case EXP, SIGMOID, SOFTPLUS -> s.kind() == Null.NEG_INF ? new Support(Null.ZERO, s.where()) : null;
                    // f(-inf) = 0 and f(0) = 0
                    case RELU, SILU -> new Support(Null.ZERO, s.where());
                    case SCALE -> s;
                    // f(0) = 0 only
                    case NEG, ABS, SQRT, ELU, TANH -> s.kind() == Null.ZERO ? s : null;
                    // log(0) = -inf
                    case LOG -> s.kind() == Null.ZERO ? new Support(Null.NEG_INF, s.where()) : null;
                    case RECIP -> null;
                };
            }
            case Expr.Binary b -> binary(b);
            case Expr.Constant k -> null;
            case Expr.Cast cast -> {
                Support s = support(cast.arg());
                yield s != null && s.kind() == Null.ZERO ? s : null; // 0 converts to 0; -inf saturates
            }
        };
    }

    private Support binary(Expr.Binary b) {
        Support l = support(b.left());
        Support r = support(b.right());
        SourcePos pos = b.pos();
        return switch (b.op()) {
            case ADD -> {
                if (l != null && r != null && l.kind() == r.kind()) {
                    yield new Support(l.kind(), l.kind() == Null.ZERO ? or(l.where(), r.where(), pos)
                        : and(l.where(), r.where(), pos));
                }
                Support one = l != null ? l : r;
                yield one != null && (l == null || r == null) && one.kind() == Null.NEG_INF ? one : null;
            }
            case SUB -> {
                if (l != null && r != null) {
                    yield l.kind() == Null.ZERO && r.kind() == Null.ZERO ? new Support(Null.ZERO, or(l.where(), r.where(), pos))
                        : null;
                }
                yield l != null && l.kind() == Null.NEG_INF ? l : null;
            }
            case MUL -> {
                if (l != null && l.kind() == Null.ZERO && r != null && r.kind() == Null.ZERO) {
                    yield new Support(Null.ZERO, and(l.where(), r.where(), pos));
                }
                yield l != null && l.kind() == Null.ZERO ? l : r != null && r.kind() == Null.ZERO ? r : null;
            }
            case DIV -> l != null && l.kind() == Null.ZERO ? l : null;
            case MAX -> l != null && r != null && l.kind() == Null.NEG_INF && r.kind() == Null.NEG_INF
                ? new Support(Null.NEG_INF, or(l.where(), r.where(), pos)) : null;
            case MIN -> {
                if (l != null && r != null && l.kind() == Null.NEG_INF && r.kind() == Null.NEG_INF) {
                    yield new Support(Null.NEG_INF, and(l.where(), r.where(), pos));
                }
                Support one = l != null ? l : r;
                yield one != null && (l == null || r == null) && one.kind() == Null.NEG_INF ? one : null;
            }
        };
    }

    /** A read carries its tensor's support when it subscripts every rank by the producer's own bare index. */
    private Support read(Expr.Access a) {
        Support s = supports.get(a.tensor());
        Einsum producer = cascade.producer(a.tensor());
        if (s == null || producer == null || a.indices().size() != producer.outputRanks().size()) {
            return null;
        }
        for (int i = 0; i < a.indices().size(); i++) {
            if (!(a.indices().get(i) instanceof Index.Affine af) || !producer.outputRanks().get(i).equals(af.plainRank())) {
                return null;
            }
        }
        return s;
    }

    private boolean mentionsAny(Predicate p, List<String> ranks) {
        if (p == null || ranks.isEmpty()) {
            return false;
        }
        Set<String> named = new LinkedHashSet<>();
        p.ranks(named);
        for (String r : ranks) {
            if (named.contains(r)) {
                return true;
            }
            for (Partition part : cascade.partitions()) {
                if (part.parts().contains(r) && named.contains(part.whole())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mentionsTensor(Predicate p) {
        boolean[] any = {false};
        p.accesses(a -> any[0] = true);
        return any[0];
    }

    static Predicate and(Predicate a, Predicate b, SourcePos pos) {
        if (a == null || a.equals(b)) {
            return b == null ? a : b;
        }
        return b == null ? a : new Predicate.And(a, b, pos);
    }

    private static Predicate or(Predicate a, Predicate b, SourcePos pos) {
        return a == null || b == null ? null : a.equals(b) ? a : new Predicate.Or(a, b, pos);
    }
}
