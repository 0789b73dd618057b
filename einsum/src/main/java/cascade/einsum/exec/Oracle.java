package cascade.einsum.exec;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.Index;
import cascade.einsum.Partition;
import cascade.einsum.Predicate;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deliberately simple golden model: every tensor fully materialised in double precision,
 * every element computed one point at a time straight from the IR, each result rounded to its
 * tensor's element type. It shares nothing with {@link Executor} but the IR and the step plan,
 * so the two check each other.
 */
public final class Oracle {
    private final Cascade cascade;
    private final Map<String, Long> sizes;
    private final Map<String, double[]> store = new HashMap<>();
    private final Map<String, Long> env = new HashMap<>();

    private Oracle(Cascade cascade, Map<String, Long> sizes) {
        this.cascade = cascade;
        this.sizes = sizes;
    }

    /** Runs the cascade; returns every declared output. Inputs are rounded to their declared types first. */
    public static Map<String, double[]> run(Cascade cascade, Map<String, Long> sizes, Map<String, float[]> inputs) {
        return runCounted(cascade, sizes, inputs).outputs();
    }

    /**
     * A run's outputs, and per tensor how many elements the language's 0 / 0 = 0 rule set (a
     * normalisation over nothing: a query row no key survived); tensors it never set are absent.
     */
    public record Counted(Map<String, double[]> outputs, Map<String, Long> emptyNormalisations) {
    }

    public static Counted runCounted(Cascade cascade, Map<String, Long> sizes, Map<String, float[]> inputs) {
        Oracle o = new Oracle(cascade, sizes);
        for (TensorDecl t : cascade.inputs()) {
            float[] in = Tensors.requireInput(t, sizes, inputs);
            double[] d = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                d[i] = t.type().round((double) in[i]);
            }
            o.store.put(t.name(), d);
        }
        for (TensorDecl t : cascade.tensors().values()) {
            if (!t.isInput()) {
                o.store.put(t.name(), new double[Math.toIntExact(t.elements(sizes))]);
            }
        }
        StepPlan plan = StepPlan.of(cascade);
        plan.before().forEach(e -> o.evaluate(e, -1, null));
        if (plan.hasSteps()) {
            // Initial values first: a loop-carried read (FuseMax's SPD of RD) may precede its producer.
            plan.stepped().stream().filter(Einsum::isRecurrence).forEach(o::initialise);
            long steps = sizes.get(plan.stepRank());
            for (long r = 0; r < steps; r++) {
                for (Einsum e : plan.stepped()) {
                    o.evaluate(e, r, plan.stepRank());
                }
            }
        }
        plan.after().forEach(e -> o.evaluate(e, -1, null));
        Map<String, double[]> outputs = new HashMap<>();
        for (TensorDecl t : cascade.outputs()) {
            outputs.put(t.name(), o.store.get(t.name()));
        }
        return new Counted(outputs, java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(o.emptyDivisions)));
    }

    /** 0 / 0 divisions per tensor written, and the tensor the Einsum being evaluated writes. */
    private final Map<String, Long> emptyDivisions = new HashMap<>();
    private String writing;

    private void evaluate(Einsum e, long step, String stepRank) {
        writing = e.output();
        TensorDecl out = cascade.tensor(e.output());
        double[] data = store.get(out.name());
        List<String> outer = new ArrayList<>(e.outputRanks());
        List<String> reduced = new ArrayList<>(e.reducedRanks());
        if (stepRank != null) {
            env.put(stepRank, step);
            outer.remove(stepRank);
            reduced.remove(stepRank);
        }
        boolean accumulate = stepRank != null && e.reducedRanks().contains(stepRank);
        double[] target = data;
        switch (e.reduction()) {
            case Einsum.NoReduction n -> forEachPoint(outer, () -> {
                double v = passes(e) ? value(e.body()) : e.fillValue(sizes);
                target[outputOffset(e, out)] = out.type().round(v);
            });
            case Einsum.Reduce red -> forEachPoint(outer, () -> {
                int at = outputOffset(e, out);
                double[] acc = {accumulate && step > 0 ? target[at] : red.op().identity()};
                boolean[] any = {accumulate && step > 0};
                forEachPoint(reduced, () -> {
                    if (passes(e)) {
                        acc[0] = combine(red.op(), acc[0], value(e.body()));
                        any[0] = true;
                    }
                });
                target[at] = out.type().round(any[0] ? acc[0] : e.fillValue(sizes));
            });
            case Einsum.TopK t -> topk(e, t, out, without(outer, List.of(t.selection())), target);
        }
    }

    private void initialise(Einsum e) {
        TensorDecl out = cascade.tensor(e.output());
        double init = out.type().round(e.init().eval(sizes));
        double[] data = store.get(out.name());
        env.put(e.recurrenceRank(), -1L); // so the r+1 subscript writes index 0
        forEachPoint(without(out.ranks(), List.of(e.recurrenceRank())), () -> data[outputOffset(e, out)] = init);
        env.remove(e.recurrenceRank());
    }

    private void topk(Einsum e, Einsum.TopK t, TensorDecl out, List<String> outer, double[] target) {
        long k = sizes.get(t.selection());
        forEachPoint(outer, () -> {
            List<double[]> candidates = new ArrayList<>(); // {value, index}
            forEachPoint(List.of(t.over()), () -> {
                if (passes(e)) {
                    candidates.add(new double[] {value(e.body()), env.get(t.over())});
                }
            });
            candidates.sort(Comparator.<double[]>comparingDouble(c -> -c[0]).thenComparingDouble(c -> c[1]));
            if (candidates.size() < k) {
                throw new IllegalStateException("topk over " + t.over() + " for " + e.output() + " has only "
                    + candidates.size() + " unmasked candidates but selects " + k);
            }
            for (long j = 0; j < k; j++) {
                env.put(t.selection(), j);
                target[outputOffset(e, out)] = candidates.get((int) j)[1];
            }
        });
    }

    private boolean passes(Einsum e) {
        return e.mask() == null || test(e.mask());
    }

    private boolean test(Predicate p) {
        return switch (p) {
            case Predicate.Compare c -> c.op().test(affine(c.left()), affine(c.right()));
            case Predicate.TensorMask m -> value(m.access()) != 0;
            case Predicate.And a -> test(a.left()) && test(a.right());
            case Predicate.Or o -> test(o.left()) || test(o.right());
            case Predicate.Not n -> !test(n.arg());
        };
    }

    private double value(Expr x) {
        return switch (x) {
            case Expr.Access a -> store.get(a.tensor())[offset(a)];
            case Expr.Unary u -> {
                double v = value(u.arg());
                yield u.op() == Expr.UnaryOp.SCALE ? v * u.constant().eval(sizes) : Functions.apply(u.op(), v);
            }
            case Expr.Binary b -> {
                double l = value(b.left());
                double r = value(b.right());
                yield switch (b.op()) {
                    case ADD -> l + r;
                    case SUB -> Functions.sub(l, r);
                    case MUL -> l * r;
                    case DIV -> {
                        if (l == 0 && r == 0) {
                            emptyDivisions.merge(writing, 1L, Long::sum);
                        }
                        yield Functions.div(l, r);
                    }
                    case MAX -> Math.max(l, r);
                    case MIN -> Math.min(l, r);
                };
            }
            case Expr.Constant k -> k.value().eval(sizes);
            case Expr.Cast cast -> cast.type().round(value(cast.arg()));
        };
    }

    private static double combine(Einsum.ReduceOp op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
        };
    }

    /** Row-major offset of an access; every subscript is bounds-checked. */
    private int offset(Expr.Access a) {
        TensorDecl t = cascade.tensor(a.tensor());
        long offset = 0;
        for (int i = 0; i < a.slots().size(); i++) {
            Expr.Slot slot = a.slots().get(i);
            long extent = t.extent(i, sizes);
            long v;
            if (slot.partition() == null) {
                v = subscript(slot.indices().getFirst(), a, extent);
            } else {
                Partition p = slot.partition();
                v = 0;
                for (int k = 0; k < p.parts().size(); k++) {
                    long partSize = sizes.get(p.parts().get(k));
                    v = v * partSize + subscript(slot.indices().get(k), a, partSize);
                }
            }
            offset = offset * extent + v;
        }
        return Math.toIntExact(offset);
    }

    private long subscript(Index index, Expr.Access a, long extent) {
        long v = switch (index) {
            case Index.Affine af -> affine(af);
            case Index.Quotient q -> q.of(affine(q.numerator()), sizes);
            case Index.Clamped cl -> Index.Clamped.of(affine(cl.inner()), extent);
            case Index.Gather g -> Math.round(value(g.source()));
        };
        if (v < 0 || v >= extent) {
            throw new IllegalStateException("subscript " + index + " of " + a + " is " + v + ", outside 0.." + (extent - 1)
                + " (at " + a.pos() + ")");
        }
        return v;
    }

    private long affine(Index.Affine af) {
        long v = af.offsetValue(sizes);
        for (Index.Term term : af.terms()) {
            v += term.coeff() * rankValue(term.rank());
        }
        return v;
    }

    /** A partitioned rank's whole index (m) is derived from its parts (m1 * M0 + m0) where only they are iterated. */
    private long rankValue(String rank) {
        Long v = env.get(rank);
        if (v != null) {
            return v;
        }
        for (Partition p : cascade.partitions()) {
            if (p.whole().equals(rank)) {
                long whole = 0;
                for (String part : p.parts()) {
                    whole = whole * sizes.get(part) + rankValue(part);
                }
                return whole;
            }
        }
        throw new IllegalStateException("rank " + rank + " has no value here");
    }

    private int outputOffset(Einsum e, TensorDecl out) {
        long offset = 0;
        for (int i = 0; i < out.ranks().size(); i++) {
            String r = out.ranks().get(i);
            long v = env.get(r) + (r.equals(e.recurrenceRank()) ? 1 : 0);
            offset = offset * out.extent(i, sizes) + v;
        }
        return Math.toIntExact(offset);
    }

    private void forEachPoint(List<String> ranks, Runnable body) {
        forEachPoint(ranks, 0, body);
    }

    private void forEachPoint(List<String> ranks, int depth, Runnable body) {
        if (depth == ranks.size()) {
            body.run();
            return;
        }
        String r = ranks.get(depth);
        long n = sizes.get(r);
        for (long i = 0; i < n; i++) {
            env.put(r, i);
            forEachPoint(ranks, depth + 1, body);
        }
        env.remove(r);
    }

    private static List<String> without(List<String> ranks, List<String> removed) {
        List<String> rest = new ArrayList<>(ranks);
        rest.removeAll(removed);
        return rest;
    }
}
