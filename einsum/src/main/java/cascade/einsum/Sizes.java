package cascade.einsum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Resolves the size of every rank and parameter, and checks what only sizes can show. */
final class Sizes {
    private Sizes() {
    }

    static Map<String, Long> resolve(Cascade c, Map<String, Long> bindings) {
        List<Diagnostic> problems = new ArrayList<>();
        Map<String, Long> sizes = new HashMap<>();
        for (RankDecl r : c.ranks().values()) {
            Long v = bindings.containsKey(r.name()) ? bindings.get(r.name()) : r.defaultSize();
            if (v != null) {
                sizes.put(r.name(), v);
            }
        }
        // Parts without a size follow from the whole, or the whole from its parts; a second index
        // over a rank takes its size.
        boolean changed = true;
        while (changed) {
            changed = false;
            for (RankDecl r : c.ranks().values()) {
                if (r.sizeOf() != null && !sizes.containsKey(r.name()) && sizes.containsKey(r.sizeOf())) {
                    sizes.put(r.name(), sizes.get(r.sizeOf()));
                    changed = true;
                }
            }
            for (Partition p : c.partitions()) {
                List<String> unknown = p.parts().stream().filter(x -> !sizes.containsKey(x)).toList();
                long known = p.parts().stream().filter(sizes::containsKey).mapToLong(sizes::get).reduce(1, Math::multiplyExact);
                if (sizes.containsKey(p.whole()) && unknown.size() == 1) {
                    long whole = sizes.get(p.whole());
                    List<String> fixed = p.parts().stream().filter(sizes::containsKey).toList();
                    if (whole < known && fixed.size() == 1 && !bindings.containsKey(fixed.getFirst())) {
                        // A tile the text fixes but the rank is smaller than: the rank is one tile.
                        sizes.put(fixed.getFirst(), whole);
                        known = whole;
                    }
                    if (whole % known != 0) {
                        problems.add(new Diagnostic(p.pos(), "rank " + p.whole() + " = " + whole
                            + " is not a multiple of " + known + ", the product of its known parts"));
                        sizes.put(unknown.getFirst(), Math.max(1, whole / known));
                    } else {
                        sizes.put(unknown.getFirst(), whole / known);
                    }
                    changed = true;
                } else if (!sizes.containsKey(p.whole()) && unknown.isEmpty()) {
                    sizes.put(p.whole(), known);
                    changed = true;
                }
            }
        }
        for (RankDecl r : c.ranks().values()) {
            if (!sizes.containsKey(r.name())) {
                problems.add(new Diagnostic(r.pos(), (r.isParameter() ? "parameter " : "rank ") + r.name()
                    + " has no size; bind it with --bind " + r.name() + "=…"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        for (Partition p : c.partitions()) {
            long product = p.parts().stream().mapToLong(sizes::get).reduce(1, Math::multiplyExact);
            if (product != sizes.get(p.whole())) {
                problems.add(new Diagnostic(p.pos(), "rank " + p.whole() + " = " + sizes.get(p.whole())
                    + " but its parts " + String.join(" × ", p.parts()) + " multiply to " + product));
            }
        }
        for (RankDecl r : c.ranks().values()) {
            if (r.sizeOf() != null && !sizes.get(r.name()).equals(sizes.get(r.sizeOf()))) {
                problems.add(new Diagnostic(r.pos(), "rank " + r.name() + " is a second index over " + r.sizeOf()
                    + " and so has its size " + sizes.get(r.sizeOf()) + ", but is bound to " + sizes.get(r.name())));
            }
        }
        for (Einsum e : c.einsums()) {
            if (e.reduction() instanceof Einsum.TopK t && sizes.get(t.selection()) > sizes.get(t.over())) {
                problems.add(new Diagnostic(e.pos(), "topk selects " + t.selection() + " = " + sizes.get(t.selection())
                    + " elements but rank " + t.over() + " has only " + sizes.get(t.over())));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        checkAffineBounds(c, sizes, problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return Map.copyOf(sizes);
    }

    /** A computed subscript such as {@code w + M - W} must stay inside the rank it addresses. */
    private static void checkAffineBounds(Cascade c, Map<String, Long> sizes, List<Diagnostic> problems) {
        for (Einsum e : c.einsums()) {
            List<Expr.Access> accesses = new ArrayList<>();
            e.body().accesses(accesses::add);
            if (e.mask() != null) {
                e.mask().accesses(accesses::add);
            }
            for (Expr.Access a : accesses) {
                TensorDecl t = c.tensor(a.tensor());
                for (int s = 0; s < a.slots().size(); s++) {
                    Expr.Slot slot = a.slots().get(s);
                    List<Index> idx = slot.indices();
                    for (int k = 0; k < idx.size(); k++) {
                        Index.Affine af = switch (idx.get(k)) {
                            case Index.Affine plain when plain.isPlain() -> null;
                            case Index.Affine shifted -> shifted;
                            case Index.Quotient q -> q.numerator();
                            case Index.Clamped cl -> null; // inside its rank by construction
                            case Index.Gather g -> null;
                        };
                        if (af == null) {
                            continue;
                        }
                        String rank = slot.partition() == null ? slot.rank() : slot.partition().parts().get(k);
                        long extent = sizes.get(rank) + (rank.equals(t.recurrenceRank()) ? 1 : 0);
                        long lo = af.offsetValue(sizes);
                        long hi = lo;
                        for (Index.Term term : af.terms()) {
                            long span = term.coeff() * (sizes.get(term.rank()) - 1);
                            lo += Math.min(0, span);
                            hi += Math.max(0, span);
                        }
                        if (idx.get(k) instanceof Index.Quotient q) { // the numerator's range, divided or reduced
                            long d = q.divisorValue(sizes);
                            if (d < 1) {
                                problems.add(new Diagnostic(q.pos(), "subscript " + q + " of " + a.tensor() + " divides by "
                                    + d + "; a divisor must be at least 1"));
                                continue;
                            }
                            boolean wraps = q.remainder() && Math.floorDiv(lo, d) != Math.floorDiv(hi, d);
                            long qlo = wraps ? 0 : q.of(lo, sizes);
                            hi = wraps ? d - 1 : q.of(hi, sizes);
                            lo = qlo;
                        }
                        if (lo < 0 || hi >= extent) {
                            problems.add(new Diagnostic(idx.get(k).pos(), "subscript " + idx.get(k) + " of " + a.tensor()
                                + " ranges over [" + lo + ", " + hi + "] but rank " + rank + " has indices 0.."
                                + (extent - 1)));
                        }
                    }
                }
            }
        }
    }
}
