package cascade.einsum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graph;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedAcyclicGraph;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * Checks what a parsed cascade means: names, ranks, shapes, reductions, recurrences, types and
 * the absence of cycles. Reports every problem of a phase, each at its own line and column.
 */
final class Validator {
    private final String file;
    private final Parser.Parsed parsed;
    private final List<Diagnostic> problems = new ArrayList<>();
    private final Map<String, RankDecl> ranks = new LinkedHashMap<>();
    private final Map<String, TensorDecl> tensors = new LinkedHashMap<>();
    private final Map<String, Einsum> producers = new LinkedHashMap<>();

    private Validator(String file, Parser.Parsed parsed) {
        this.file = file;
        this.parsed = parsed;
    }

    static Cascade validate(String file, Parser.Parsed parsed) {
        return new Validator(file, parsed).run();
    }

    private Cascade run() {
        declareRanks();
        declareTensors();
        defineEinsums();
        check();
        List<Einsum> resolved = new ArrayList<>();
        for (Einsum e : parsed.einsums()) {
            if (producers.get(e.output()) == e) {
                resolved.add(resolve(e));
            }
        }
        check();
        Graph<String, DefaultEdge> dag = buildDataflow(resolved);
        check();
        List<Einsum> ordered = topologicalOrder(resolved, dag);
        inferTypes(ordered);
        check();
        return new Cascade(parsed.name(), parsed.description(), parsed.paper(), file, ranks, parsed.partitions(), tensors, ordered, dag,
            null, parsed.reals());
    }

    private void check() {
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
    }

    private void problem(SourcePos pos, String message) {
        problems.add(new Diagnostic(pos, message));
    }

    // ---- declarations ----

    private void declareRanks() {
        for (RankDecl r : parsed.ranks()) {
            RankDecl previous = ranks.putIfAbsent(r.name(), r);
            if (previous != null) {
                problem(r.pos(), (r.isParameter() ? "parameter " : "rank ") + r.name() + " is declared twice (first at "
                    + previous.pos().line() + ":" + previous.pos().col() + ")");
            } else if (!r.isParameter() && Parser.KEYWORDS.contains(r.indexName())) {
                problem(r.pos(), "rank " + r.name() + " would have the index '" + r.indexName() + "', which is a keyword; rename the rank");
            }
        }
        for (RankDecl r : parsed.ranks()) {
            if (r.sizeOf() == null) {
                continue;
            }
            RankDecl of = ranks.get(r.sizeOf());
            if (r.sizeOf().equals(r.name())) {
                problem(r.pos(), "rank " + r.name() + " cannot be a second index over itself");
            } else if (of == null || of.isParameter()) {
                problem(r.pos(), "rank " + r.name() + " = " + r.sizeOf() + ": " + r.sizeOf() + " is not a declared rank");
            } else if (of.sizeOf() != null) {
                problem(r.pos(), "rank " + r.name() + " = " + r.sizeOf() + ": " + r.sizeOf() + " is itself a second index over "
                    + of.sizeOf() + "; write " + r.name() + " = " + of.sizeOf());
            }
        }
        Set<String> partitioned = new HashSet<>();
        for (Partition p : parsed.partitions()) {
            RankDecl whole = ranks.get(p.whole());
            if (whole == null || whole.isParameter()) {
                problem(p.pos(), "cannot partition " + p.whole() + ": it is not a declared rank; declare it first with 'rank " + p.whole() + "'");
                continue;
            }
            if (p.parts().contains(p.whole())) {
                problem(p.pos(), "rank " + p.whole() + " cannot be one of its own parts");
            }
            for (String part : p.parts()) {
                if (!partitioned.add(part)) {
                    problem(p.pos(), "rank " + part + " is already a part of another partition");
                }
            }
            long known = 1;
            boolean allKnown = whole.defaultSize() != null;
            int unknownParts = 0;
            for (String part : p.parts()) {
                Long s = ranks.get(part).defaultSize();
                if (s == null) {
                    unknownParts++;
                } else {
                    known *= s;
                }
            }
            if (allKnown && unknownParts == 0 && known != whole.defaultSize()) {
                problem(p.pos(), "rank " + p.whole() + " = " + whole.defaultSize() + " but its parts multiply to " + known);
            }
            if (unknownParts > 1) {
                problem(p.pos(), "give sizes to all but one part of " + p.whole() + " (the remaining part follows from " + p.whole() + ")");
            }
        }
    }

    private void declareTensors() {
        for (TensorDecl t : parsed.tensors()) {
            if (ranks.containsKey(t.name())) {
                problem(t.pos(), t.name() + " is already a rank or parameter; give the tensor another name");
                continue;
            }
            TensorDecl previous = tensors.putIfAbsent(t.name(), t);
            if (previous != null) {
                problem(t.pos(), "tensor " + t.name() + " is declared twice (first at " + previous.pos().line() + ":"
                    + previous.pos().col() + ")");
                continue;
            }
            checkRankList(t.name(), t.ranks(), t.pos());
        }
    }

    private void checkRankList(String tensor, List<String> list, SourcePos pos) {
        Set<String> seen = new HashSet<>();
        for (String r : list) {
            RankDecl d = ranks.get(r);
            if (d == null) {
                problem(pos, "unknown rank index '" + lower(r) + "' in " + tensor + "; declared ranks: " + rankNames());
            } else if (d.isParameter()) {
                problem(pos, lower(r) + " is not a rank index: " + r + " is a parameter");
            } else if (!seen.add(r)) {
                problem(pos, tensor + " lists rank index '" + lower(r) + "' twice");
            }
        }
    }

    private void defineEinsums() {
        for (Einsum e : parsed.einsums()) {
            TensorDecl declared = tensors.get(e.output());
            if (ranks.containsKey(e.output())) {
                problem(e.pos(), e.output() + " is a rank or parameter and cannot be assigned");
                continue;
            }
            if (declared != null && declared.isInput()) {
                problem(e.pos(), e.output() + " is an input and cannot be assigned; declare it as output or tensor");
                continue;
            }
            Einsum previous = producers.putIfAbsent(e.output(), e);
            if (previous != null) {
                problem(e.pos(), e.output() + " is defined twice (first at " + previous.pos().line() + ":"
                    + previous.pos().col() + "); every tensor is defined by one Einsum");
                continue;
            }
            checkRankList(e.output(), e.outputRanks(), e.pos());
            if (declared != null && !declared.ranks().equals(e.outputRanks())) {
                problem(e.pos(), e.output() + " is declared as " + e.output() + indexList(declared.ranks())
                    + " but defined as " + e.output() + indexList(e.outputRanks()));
            }
            if (e.isRecurrence() && e.init() == null) {
                problem(e.pos(), "the recurrence " + e.output() + " over " + lower(e.recurrenceRank())
                    + " needs an initial value: end the line with 'init v'");
            }
            if (!e.isRecurrence() && e.init() != null) {
                problem(e.init().pos(), "'init' is only for recurrences such as RM[m1+1,p] = max(RM[m1,p], LM[m1,p]) init -inf");
            }
            if (e.isRecurrence() && !(e.reduction() instanceof Einsum.NoReduction)) {
                problem(e.pos(), "a recurrence cannot also reduce; compute the reduction in its own Einsum first");
            }
            if (declared == null) {
                tensors.put(e.output(), new TensorDecl(e.output(), e.outputRanks(), null, TensorDecl.Role.INTERMEDIATE,
                    e.recurrenceRank(), e.pos()));
            } else {
                tensors.put(e.output(), new TensorDecl(declared.name(), declared.ranks(), declared.type(), declared.role(),
                    e.recurrenceRank(), declared.pos()));
            }
        }
        for (TensorDecl t : parsed.tensors()) {
            if (!t.isInput() && !producers.containsKey(t.name()) && tensors.get(t.name()) == t) {
                problem(t.pos(), (t.role() == TensorDecl.Role.OUTPUT ? "output " : "tensor ") + t.name()
                    + " is declared but no Einsum computes it");
            }
        }
        if (parsed.tensors().stream().noneMatch(t -> t.role() == TensorDecl.Role.OUTPUT)) {
            problem(parsed.namePos(), "the cascade declares no output; add a line such as 'output AV[f,p] : fp32'");
        }
    }

    // ---- one Einsum: subscripts, ranks, reductions, masks ----

    private Einsum resolve(Einsum e) {
        Set<String> iteration = new LinkedHashSet<>(e.outputRanks());
        Expr body = resolveExpr(e.body(), e);
        Predicate mask = e.mask() == null ? null : resolvePredicate(e.mask(), e);
        Set<String> bodyRanks = new LinkedHashSet<>();
        body.ranks(bodyRanks);
        Set<String> outputs = new LinkedHashSet<>(e.outputRanks());
        Einsum.Reduction reduction = e.reduction();
        switch (e.reduction()) {
            case Einsum.NoReduction n -> {
                for (String r : bodyRanks) {
                    if (!outputs.contains(r) && ranks.containsKey(r)) {
                        problem(e.body().pos(), "rank index '" + lower(r) + "' appears on the right-hand side but not in "
                            + e.output() + indexList(e.outputRanks()) + "; reduce it (sum_" + lower(r) + ", max_" + lower(r)
                            + " or min_" + lower(r) + ") or add it to the output");
                    }
                }
            }
            case Einsum.Reduce r -> {
                Set<String> seen = new HashSet<>();
                for (String over : r.ranks()) {
                    if (!seen.add(over)) {
                        problem(e.body().pos(), "rank index '" + lower(over) + "' is reduced twice");
                    } else if (!ranks.containsKey(over)) {
                        problem(e.body().pos(), "unknown rank index '" + lower(over) + "' in " + r.op().keyword() + "_"
                            + lower(over) + "; declared ranks: " + rankNames());
                    } else if (outputs.contains(over)) {
                        problem(e.body().pos(), "rank index '" + lower(over) + "' is reduced but is also a rank of "
                            + e.output() + indexList(e.outputRanks()));
                    } else if (!bodyRanks.contains(over)) {
                        problem(e.body().pos(), r.op().keyword() + "_" + lower(over) + " reduces over '" + lower(over)
                            + "', which no operand on the right-hand side has");
                    }
                    iteration.add(over);
                }
                for (String b : bodyRanks) {
                    if (!outputs.contains(b) && !r.ranks().contains(b) && ranks.containsKey(b)) {
                        problem(e.body().pos(), "rank index '" + lower(b) + "' appears on the right-hand side but neither in "
                            + e.output() + indexList(e.outputRanks()) + " nor in the reduction; add it to "
                            + r.op().keyword() + "_{…}");
                    }
                }
            }
            case Einsum.TopK t -> {
                if (!ranks.containsKey(t.over())) {
                    problem(e.body().pos(), "unknown rank index '" + lower(t.over()) + "' in topk_" + lower(t.over()));
                } else if (!bodyRanks.contains(t.over())) {
                    problem(e.body().pos(), "topk_" + lower(t.over()) + " selects over '" + lower(t.over())
                        + "', which the operand does not have");
                }
                List<String> selection = e.outputRanks().stream().filter(r -> !bodyRanks.contains(r)).toList();
                if (selection.size() != 1) {
                    problem(e.pos(), "a topk output needs exactly one rank that its operand lacks (the selected "
                        + "positions), as in TI[k,p] = topk_m S[m,p]; " + e.output() + indexList(e.outputRanks())
                        + " has " + selection.size());
                } else {
                    reduction = new Einsum.TopK(t.over(), selection.getFirst());
                    checkTopkSize(e, t.over(), selection.getFirst());
                }
                for (String b : bodyRanks) {
                    if (!outputs.contains(b) && !b.equals(t.over()) && ranks.containsKey(b)) {
                        problem(e.body().pos(), "rank index '" + lower(b) + "' appears in the topk operand but not in "
                            + e.output() + indexList(e.outputRanks()));
                    }
                }
                iteration.add(t.over());
            }
        }
        if (mask != null) {
            Set<String> maskRanks = new LinkedHashSet<>();
            mask.ranks(maskRanks);
            for (String r : maskRanks) {
                if (!iteration.contains(r) && ranks.containsKey(r) && !partsIterated(r, iteration)) {
                    problem(mask.pos(), "the mask uses rank index '" + lower(r) + "', which the Einsum for " + e.output()
                        + " does not iterate over");
                }
            }
        }
        if (e.fill() != null) {
            checkConstant(e.fill());
        }
        if (e.init() != null) {
            checkConstant(e.init());
        }
        return new Einsum(e.output(), e.outputRanks(), e.recurrenceRank(), reduction, body, mask, e.fill(), e.init(), e.pos());
    }

    /** A mask may name a partitioned rank's whole index (m) where the Einsum iterates all its parts (m1, m0). */
    private boolean partsIterated(String whole, Set<String> iteration) {
        return parsed.partitions().stream().anyMatch(p -> p.whole().equals(whole) && iteration.containsAll(p.parts()));
    }

    private void checkTopkSize(Einsum e, String over, String selection) {
        Long k = ranks.get(selection) == null ? null : ranks.get(selection).defaultSize();
        Long n = ranks.get(over) == null ? null : ranks.get(over).defaultSize();
        if (k != null && n != null && k > n) {
            problem(e.pos(), "topk selects " + selection + " = " + k + " elements but rank " + over + " has only " + n);
        }
    }

    private Expr resolveExpr(Expr x, Einsum owner) {
        return switch (x) {
            case Expr.Access a -> resolveAccess(a, owner);
            case Expr.Unary u -> {
                if (u.constant() != null) {
                    checkConstant(u.constant());
                }
                yield new Expr.Unary(u.op(), resolveExpr(u.arg(), owner), u.constant(), u.pos());
            }
            case Expr.Binary b -> new Expr.Binary(b.op(), resolveExpr(b.left(), owner), resolveExpr(b.right(), owner), b.pos());
            case Expr.Cast cast -> new Expr.Cast(cast.type(), resolveExpr(cast.arg(), owner), cast.pos());
            case Expr.Constant k -> {
                if (k.value() instanceof ConstExpr.Symbol s && tensors.containsKey(s.name())) {
                    problem(s.pos(), s.name() + " is a tensor: read it with its subscripts, " + s.name()
                        + indexList(tensors.get(s.name()).ranks()));
                } else {
                    checkConstant(k.value());
                }
                yield k;
            }
        };
    }

    private Predicate resolvePredicate(Predicate p, Einsum owner) {
        return switch (p) {
            case Predicate.Compare c -> {
                checkAffine(c.left());
                checkAffine(c.right());
                yield c;
            }
            case Predicate.TensorMask m -> new Predicate.TensorMask(resolveAccess(m.access(), owner), m.pos());
            case Predicate.And a -> new Predicate.And(resolvePredicate(a.left(), owner), resolvePredicate(a.right(), owner), a.pos());
            case Predicate.Or o -> new Predicate.Or(resolvePredicate(o.left(), owner), resolvePredicate(o.right(), owner), o.pos());
            case Predicate.Not n -> new Predicate.Not(resolvePredicate(n.arg(), owner), n.pos());
        };
    }

    private Expr.Access resolveAccess(Expr.Access a, Einsum owner) {
        TensorDecl t = tensors.get(a.tensor());
        if (t == null) {
            String hint = ranks.containsKey(a.tensor()) ? " (" + a.tensor() + " is a rank or parameter)" : "";
            problem(a.pos(), "unknown tensor '" + a.tensor() + "'" + hint + "; declare it as an input or compute it with an Einsum");
            return a;
        }
        List<Index> indices = new ArrayList<>();
        for (Index i : a.indices()) {
            switch (i) {
                case Index.Gather g -> indices.add(new Index.Gather(resolveAccess(g.source(), owner), g.pos()));
                case Index.Affine af -> {
                    checkAffine(af);
                    indices.add(i);
                }
                case Index.Clamped cl -> {
                    checkAffine(cl.inner());
                    indices.add(i);
                }
                case Index.Quotient q -> {
                    checkAffine(q.numerator());
                    checkConstant(q.divisor());
                    indices.add(i);
                }
            }
        }
        if (a.tensor().equals(owner.output())) {
            checkSelfRead(a, owner);
        }
        List<Expr.Slot> slots = matchSlots(t, indices, 0, 0);
        if (slots == null) {
            problem(a.pos(), "cannot match " + a + " to " + t.name() + indexList(t.ranks()) + ": "
                + slotMismatch(t, indices));
            return new Expr.Access(a.tensor(), indices, a.pos(), null);
        }
        return new Expr.Access(a.tensor(), indices, a.pos(), slots);
    }

    private void checkSelfRead(Expr.Access a, Einsum owner) {
        if (!owner.isRecurrence()) {
            return; // reported as a cycle when the dataflow graph is built
        }
        int pos = owner.outputRanks().indexOf(owner.recurrenceRank());
        if (a.indices().size() != owner.outputRanks().size()
                || !(a.indices().get(pos) instanceof Index.Affine af) || !owner.recurrenceRank().equals(af.plainRank())) {
            problem(a.pos(), "a recurrence reads its previous value as " + owner.output()
                + "[…" + lower(owner.recurrenceRank()) + "…], at the same subscripts as its output but "
                + lower(owner.recurrenceRank()) + " for " + lower(owner.recurrenceRank()) + "+1");
        }
    }

    /**
     * Assigns subscripts to the tensor's declared ranks: a plain index names its rank directly, or
     * a run of subscripts fills the parts of a partition of the declared rank. Backtracks over
     * the (few) partitions; null when nothing fits.
     */
    private List<Expr.Slot> matchSlots(TensorDecl t, List<Index> indices, int rankAt, int indexAt) {
        if (rankAt == t.ranks().size()) {
            return indexAt == indices.size() ? new ArrayList<>() : null;
        }
        if (indexAt >= indices.size()) {
            return null;
        }
        String rank = t.ranks().get(rankAt);
        if (fits(indices.get(indexAt), rank)) {
            List<Expr.Slot> rest = matchSlots(t, indices, rankAt + 1, indexAt + 1);
            if (rest != null) {
                rest.addFirst(new Expr.Slot(rank, null, List.of(indices.get(indexAt))));
                return rest;
            }
        }
        for (Partition p : parsed.partitions()) {
            if (!p.whole().equals(rank) || indexAt + p.parts().size() > indices.size()) {
                continue;
            }
            boolean ok = true;
            for (int k = 0; k < p.parts().size() && ok; k++) {
                ok = fits(indices.get(indexAt + k), p.parts().get(k));
            }
            if (ok) {
                List<Expr.Slot> rest = matchSlots(t, indices, rankAt + 1, indexAt + p.parts().size());
                if (rest != null) {
                    rest.addFirst(new Expr.Slot(rank, p, List.copyOf(indices.subList(indexAt, indexAt + p.parts().size()))));
                    return rest;
                }
            }
        }
        return null;
    }

    /**
     * A bare index must be the rank it addresses, or a second index over it ({@code rank D = C});
     * computed and gathered subscripts fit anywhere (bounds checked once sized).
     */
    private boolean fits(Index index, String rank) {
        if (!(index instanceof Index.Affine a) || !a.isPlain() || a.plainRank().equals(rank)) {
            return true;
        }
        RankDecl r = ranks.get(a.plainRank());
        return r != null && rank.equals(r.sizeOf());
    }

    private String slotMismatch(TensorDecl t, List<Index> indices) {
        if (indices.size() < t.ranks().size()) {
            return t.name() + " has " + t.ranks().size() + " ranks but " + indices.size() + " subscripts are given";
        }
        for (int i = 0; i < Math.min(indices.size(), t.ranks().size()); i++) {
            String rank = t.ranks().get(i);
            if (!fits(indices.get(i), rank) && parsed.partitions().stream().noneMatch(p -> p.whole().equals(rank))) {
                return "subscript " + (i + 1) + " ('" + indices.get(i) + "') must range over rank " + t.ranks().get(i)
                    + " ('" + lower(t.ranks().get(i)) + "')";
            }
        }
        return "the subscripts neither name its ranks in order nor fill the parts of a partitioned rank";
    }

    private void checkAffine(Index.Affine a) {
        for (Index.Term term : a.terms()) {
            RankDecl d = ranks.get(term.rank());
            if (d == null) {
                problem(a.pos(), "unknown rank index '" + lower(term.rank()) + "'; declared ranks: " + rankNames());
            } else if (d.isParameter()) {
                problem(a.pos(), lower(term.rank()) + " is not a rank index: " + term.rank()
                    + " is a parameter (write it in upper case to use its value)");
            }
        }
        if (a.offset() != null) {
            checkConstant(a.offset());
        }
    }

    /** Reports each unknown name at its own position in the constant. */
    private void checkConstant(ConstExpr c) {
        switch (c) {
            case ConstExpr.Symbol s when !ranks.containsKey(s.name()) -> problem(s.pos(), "unknown size or parameter '"
                + s.name() + "'" + (tensors.containsKey(s.name()) ? " (" + s.name() + " is a tensor, not a constant)" : "")
                + "; declare it with 'param " + s.name() + " = …' or as a rank");
            case ConstExpr.Neg n -> checkConstant(n.arg());
            case ConstExpr.Call q -> checkConstant(q.arg());
            case ConstExpr.Arith a -> {
                checkConstant(a.left());
                checkConstant(a.right());
            }
            default -> { }
        }
    }

    // ---- the dataflow graph ----

    private Graph<String, DefaultEdge> buildDataflow(List<Einsum> einsums) {
        Graph<String, DefaultEdge> g = new DefaultDirectedGraph<>(DefaultEdge.class);
        tensors.keySet().forEach(g::addVertex);
        Map<String, Einsum> byOutput = new HashMap<>();
        for (Einsum e : einsums) {
            byOutput.put(e.output(), e);
            for (String read : reads(e)) {
                if (isLoopCarried(read, e)) {
                    continue;
                }
                if (read.equals(e.output())) {
                    if (!e.isRecurrence()) {
                        problem(e.pos(), e.output() + " reads itself; a value that depends on itself must be a recurrence, "
                            + "written as " + e.output() + "[r+1,…] = f(" + e.output() + "[r,…], …) init v");
                    }
                    continue;
                }
                g.addEdge(read, e.output());
            }
        }
        CycleDetector<String, DefaultEdge> cycles = new CycleDetector<>(g);
        if (problems.isEmpty() && cycles.detectCycles()) {
            Set<String> reported = new HashSet<>();
            for (Einsum e : einsums) {
                if (reported.contains(e.output()) || !cycles.detectCyclesContainingVertex(e.output())) {
                    continue;
                }
                Set<String> members = cycles.findCyclesContainingVertex(e.output());
                reported.addAll(members);
                List<String> cycle = new ArrayList<>();
                for (Einsum c : einsums) {
                    if (members.contains(c.output())) {
                        cycle.add(c.output());
                    }
                }
                problem(e.pos(), "cycle: " + String.join(" -> ", cycle) + " -> " + cycle.getFirst()
                    + "; only a recurrence (X[r+1,…] = f(X[r,…]) init v) may feed itself");
            }
        }
        if (!problems.isEmpty()) {
            return g;
        }
        DirectedAcyclicGraph<String, DefaultEdge> dag = new DirectedAcyclicGraph<>(DefaultEdge.class);
        g.vertexSet().forEach(dag::addVertex);
        g.edgeSet().forEach(edge -> dag.addEdge(g.getEdgeSource(edge), g.getEdgeTarget(edge)));
        return dag;
    }

    /**
     * Reads of a recurrence tensor X over r at subscript r, by an Einsum that iterates r, see the
     * value of the previous step: they order steps, not Einsums, so they are no dataflow edge.
     * This is what lets FuseMax's RD -> SPD -> RD close across steps.
     */
    private boolean isLoopCarried(String read, Einsum e) {
        String r = tensors.get(read) == null ? null : tensors.get(read).recurrenceRank();
        if (r == null || !e.iterationRanks().contains(r)) {
            return false;
        }
        boolean[] allPrevious = {true};
        java.util.function.Consumer<Expr.Access> check = a -> {
            if (a.tensor().equals(read)) {
                allPrevious[0] &= a.readsBareIndexOf(r);
            }
        };
        e.body().accesses(check);
        if (e.mask() != null) {
            e.mask().accesses(check);
        }
        return allPrevious[0];
    }

    static Set<String> reads(Einsum e) {
        Set<String> reads = new LinkedHashSet<>();
        e.body().accesses(a -> reads.add(a.tensor()));
        if (e.mask() != null) {
            e.mask().accesses(a -> reads.add(a.tensor()));
        }
        return reads;
    }

    private List<Einsum> topologicalOrder(List<Einsum> einsums, Graph<String, DefaultEdge> dag) {
        Map<String, Einsum> byOutput = new HashMap<>();
        einsums.forEach(e -> byOutput.put(e.output(), e));
        List<Einsum> ordered = new ArrayList<>();
        // Ties broken by file order, so the order is stable and reads like the source.
        Map<String, Integer> fileOrder = new HashMap<>();
        for (int i = 0; i < einsums.size(); i++) {
            fileOrder.put(einsums.get(i).output(), i);
        }
        var iterator = new TopologicalOrderIterator<>(dag, java.util.Comparator.comparingInt(
            (String v) -> fileOrder.getOrDefault(v, -1)));
        iterator.forEachRemaining(v -> {
            if (byOutput.containsKey(v)) {
                ordered.add(byOutput.get(v));
            }
        });
        return ordered;
    }

    // ---- types ----

    private void inferTypes(List<Einsum> ordered) {
        for (Einsum e : ordered) {
            ElementType typed = typeOf(e.body());
            ElementType computed = typed != null ? typed : ElementType.FP32; // X[r+1] = f(X[r]) alone
            if (e.mask() != null) {
                e.mask().accesses(this::checkGathers);
            }
            ElementType result = switch (e.reduction()) {
                case Einsum.Reduce r when r.op() == Einsum.ReduceOp.SUM && !computed.isFloating() -> ElementType.INT32;
                case Einsum.TopK t -> ElementType.INT32;
                default -> computed;
            };
            TensorDecl t = tensors.get(e.output());
            ElementType stored = t.type() == null ? result : t.type();
            if (e.reduction() instanceof Einsum.TopK && stored.isFloating()) {
                problem(t.pos(), "topk produces indices: declare " + t.name() + " as int32, not " + stored.keyword());
            } else if (result.isFloating() && !stored.isFloating()) {
                problem(e.pos(), e.output() + " is " + stored.keyword() + " but its Einsum computes " + result.keyword()
                    + "; store it in a floating-point type");
            }
            tensors.put(e.output(), new TensorDecl(t.name(), t.ranks(), stored, t.role(), t.recurrenceRank(), t.pos()));
        }
    }

    private ElementType typeOf(Expr x) {
        return switch (x) {
            case Expr.Access a -> {
                checkGathers(a);
                yield tensors.get(a.tensor()).type();
            }
            case Expr.Unary u -> {
                ElementType arg = typeOf(u.arg());
                if (arg != null && !arg.isFloating() && u.op().needsFloating()) {
                    problem(u.pos(), u.op().keyword() + " needs a floating-point operand, but " + u.arg() + " is "
                        + arg.keyword());
                }
                yield arg;
            }
            case Expr.Binary b -> {
                ElementType l = typeOf(b.left());
                ElementType r = typeOf(b.right());
                if (l == null || r == null) {
                    yield l == null ? r : l; // a recurrence's own or loop-carried value is typed by the rest
                }
                if (b.op() == Expr.BinaryOp.DIV && !l.isFloating() && !r.isFloating()) {
                    problem(b.pos(), "division of integer operands (" + l.keyword() + " / " + r.keyword()
                        + ") is not defined; store one operand in a floating-point type");
                }
                yield ElementType.join(l, r);
            }
            case Expr.Constant k -> null; // takes the type of what it meets
            case Expr.Cast cast -> {
                typeOf(cast.arg());
                yield cast.type();
            }
        };
    }

    private void checkGathers(Expr.Access a) {
        for (Index i : a.indices()) {
            if (i instanceof Index.Gather g) {
                ElementType it = tensors.get(g.source().tensor()) == null ? null : tensors.get(g.source().tensor()).type();
                if (it != null && it.isFloating()) {
                    problem(g.pos(), "the subscript " + g.source() + " must be an integer tensor, but "
                        + g.source().tensor() + " is " + it.keyword());
                }
                checkGathers(g.source());
            }
        }
    }

    // ---- helpers ----

    private String rankNames() {
        return String.join(", ", ranks.values().stream().filter(r -> !r.isParameter()).map(RankDecl::indexName).toList());
    }

    private static String lower(String rank) {
        return rank.toLowerCase(Locale.ROOT);
    }

    private static String indexList(List<String> rankNames) {
        return "[" + String.join(",", rankNames.stream().map(Validator::lower).toList()) + "]";
    }
}
