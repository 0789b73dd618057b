package cascade.mappings.spec;

import cascade.einsum.Cascade;
import cascade.einsum.Diagnostic;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.hw.Architecture;
import cascade.hw.ComputeArray;
import cascade.hw.StorageLevel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a mapping against its cascade and architecture, reporting every problem with the
 * Einsum, rank and level it concerns: an Einsum or unit that does not exist, an operator the
 * unit lacks, levels out of order or below the unit, a rank covered more or less than its
 * size, spatial loops wider than the array, tiles larger than a level's capacity.
 *
 * <p>The tile of tensor T at level L is the product of the factors of every loop at L and the
 * levels inside it over the ranks T is indexed by; a level holds the tiles of the tensors it keeps.
 */
public final class MappingValidator {
    private final Cascade cascade;
    private final Architecture arch;
    private final Map<String, Long> sizes;
    private final List<Diagnostic> problems = new ArrayList<>();

    private MappingValidator(Cascade cascade, Architecture arch, Map<String, Long> sizes) {
        this.cascade = cascade;
        this.arch = arch;
        this.sizes = sizes;
    }

    public static MappedCascade validate(Mapping mapping, Cascade cascade, Map<String, Long> sizes, Architecture arch) {
        MappingValidator v = new MappingValidator(cascade, arch, sizes);
        for (Mapping.EinsumMapping em : mapping.einsums()) {
            v.check(em);
        }
        if (!v.problems.isEmpty()) {
            throw new InvalidInputException(v.problems);
        }
        return new MappedCascade(cascade, arch, sizes, mapping);
    }

    private void problem(SourcePos pos, String message) {
        problems.add(new Diagnostic(pos, message));
    }

    private void check(Mapping.EinsumMapping em) {
        Einsum e = cascade.producer(em.output());
        if (e == null || cascade.tensor(em.output()).isInput()) {
            problem(em.pos(), "no Einsum computes '" + em.output() + "' in cascade " + cascade.name() + "; it computes "
                + String.join(", ", cascade.einsums().stream().map(Einsum::output).toList()));
            return;
        }
        String who = "Einsum " + e.output();
        ComputeArray unit = arch.compute(em.unit());
        if (unit == null) {
            problem(em.unitPos(), "unknown compute unit '" + em.unit() + "' for " + who + "; " + arch.name() + " has "
                + String.join(", ", arch.compute().stream().map(ComputeArray::name).toList()));
            return;
        }
        for (String op : requiredOps(e)) {
            if (!supports(unit, op)) {
                problem(em.unitPos(), who + " needs '" + op + "', which unit " + unit.name() + " lacks (it has "
                    + String.join(", ", unit.ops()) + ")");
            }
        }
        List<String> levelOrder = arch.pathTo(unit.under());
        int under = levelOrder.indexOf(unit.under());
        int previous = -1;
        for (Mapping.LevelLoops l : em.levels()) {
            int at = levelOrder.indexOf(l.level());
            if (arch.storage(l.level()) == null) {
                problem(l.pos(), "unknown storage level '" + l.level() + "' in the mapping of " + who + "; levels: "
                    + String.join(", ", arch.storage().stream().map(StorageLevel::name).toList()));
                continue;
            }
            if (at < 0) {
                problem(l.pos(), "level " + l.level() + " is not on unit " + unit.name() + "'s path ("
                    + String.join(" -> ", levelOrder) + ")");
                continue;
            }
            if (at <= previous) {
                problem(l.pos(), "level " + l.level() + " is listed after " + levelOrder.get(previous) + " but is outside it in "
                    + arch.name() + "; list levels outermost first");
            }
            if (at > under) {
                problem(l.pos(), "level " + l.level() + " is inside unit " + unit.name() + "'s own level " + unit.under()
                    + "; map " + who + " at or above " + unit.under());
            }
            if (at == under && !(l.spatialRows().isEmpty() && l.spatialCols().isEmpty())) {
                problem(l.pos(), "spatial loops at " + l.level() + ", unit " + unit.name()
                    + "'s own level: the fan-out to the PEs is above it");
            }
            previous = Math.max(previous, at);
        }
        checkRanks(e, em, who);
        checkSpatial(em, unit, who);
        checkCapacity(e, em, who, levelOrder);
    }

    private void checkRanks(Einsum e, Mapping.EinsumMapping em, String who) {
        Set<String> iterated = e.iterationRanks();
        Map<String, Long> covered = new LinkedHashMap<>();
        Map<String, SourcePos> firstLoop = new LinkedHashMap<>();
        for (Mapping.LevelLoops l : em.levels()) {
            for (Mapping.Loop loop : allLoops(l)) {
                String rank = loop.rank().toUpperCase(Locale.ROOT);
                if (!iterated.contains(rank)) {
                    problem(loop.pos(), "rank " + loop.rank() + " at level " + l.level() + " is not a rank of " + who
                        + " (it iterates " + String.join(", ", iterated.stream().map(MappingValidator::lower).toList()) + ")");
                    continue;
                }
                covered.merge(rank, loop.factor(), Math::multiplyExact);
                firstLoop.putIfAbsent(rank, loop.pos());
            }
        }
        for (String rank : iterated) {
            long size = sizes.get(rank);
            long product = covered.getOrDefault(rank, 1L);
            if (!covered.containsKey(rank) && size > 1) {
                problem(em.pos(), "rank " + lower(rank) + " of " + who + " is not covered: no loop over it (size " + size + ")");
            } else if (product != size) {
                problem(firstLoop.getOrDefault(rank, em.pos()), "rank " + lower(rank) + " of " + who + " has " + size
                    + " indices but its loops cover " + product + (product > size ? " (covered more than once)" : ""));
            }
        }
    }

    private void checkSpatial(Mapping.EinsumMapping em, ComputeArray unit, String who) {
        for (Mapping.LevelLoops l : em.levels()) {
            long rows = l.spatialRows().stream().mapToLong(Mapping.Loop::factor).reduce(1, Math::multiplyExact);
            long cols = l.spatialCols().stream().mapToLong(Mapping.Loop::factor).reduce(1, Math::multiplyExact);
            if (rows > unit.rows()) {
                problem(l.spatialRows().getFirst().pos(), who + " spreads " + rows + " over the rows at " + l.level()
                    + ", but unit " + unit.name() + " has " + unit.rows() + (unit.kind() == ComputeArray.Kind.ARRAY_2D ? ""
                    : " (a 1D unit spreads over cols only)"));
            }
            if (cols > unit.cols()) {
                problem(l.spatialCols().getFirst().pos(), who + " spreads " + cols + " over the columns at " + l.level()
                    + ", but unit " + unit.name() + " has " + unit.cols());
            }
        }
    }

    private void checkCapacity(Einsum e, Mapping.EinsumMapping em, String who, List<String> levelOrder) {
        Map<String, Set<String>> ranksOf = tensorRanks(e);
        for (int i = 0; i < em.levels().size(); i++) {
            Mapping.LevelLoops l = em.levels().get(i);
            StorageLevel level = arch.storage(l.level());
            if (level == null) {
                continue;
            }
            Set<String> kept = l.keep() == null ? ranksOf.keySet() : l.keep();
            for (String t : kept) {
                if (!ranksOf.containsKey(t)) {
                    problem(l.pos(), "level " + l.level() + " keeps " + t + ", which " + who + " neither reads nor writes");
                }
            }
            if (level.unbounded()) {
                continue;
            }
            long words = 0;
            List<String> parts = new ArrayList<>();
            for (String t : kept) {
                if (!ranksOf.containsKey(t)) {
                    continue;
                }
                long tile = 1;
                for (Mapping.LevelLoops inner : em.levels().subList(i, em.levels().size())) {
                    for (Mapping.Loop loop : allLoops(inner)) {
                        if (ranksOf.get(t).contains(loop.rank().toUpperCase(Locale.ROOT))) {
                            tile = Math.multiplyExact(tile, loop.factor());
                        }
                    }
                }
                words += tile;
                parts.add(t + " " + tile);
            }
            if (words > level.capacityWords()) {
                problem(l.pos(), who + " does not fit in " + l.level() + ": its tiles (" + String.join(" + ", parts)
                    + " = " + words + " words) exceed the " + (long) level.capacityWords() + " words it holds"
                    + (level.instances() > 1 ? " per instance" : ""));
            }
        }
    }

    /** Each tensor the Einsum reads (a mask's too) or writes, with the ranks that index it there. */
    public static Map<String, Set<String>> tensorRanks(Einsum e) {
        Map<String, Set<String>> ranks = new LinkedHashMap<>();
        e.body().accesses(a -> a.ranks(ranks.computeIfAbsent(a.tensor(), k -> new LinkedHashSet<>())));
        if (e.mask() != null) {
            e.mask().accesses(a -> a.ranks(ranks.computeIfAbsent(a.tensor(), k -> new LinkedHashSet<>())));
        }
        ranks.put(e.output(), new LinkedHashSet<>(e.outputRanks()));
        return ranks;
    }

    private static List<Mapping.Loop> allLoops(Mapping.LevelLoops l) {
        List<Mapping.Loop> all = new ArrayList<>(l.temporal());
        all.addAll(l.spatialRows());
        all.addAll(l.spatialCols());
        return all;
    }

    /** The unit operations an Einsum needs; a sum of products needs {@code mac}. */
    /** Whether the unit can do the operator (a MAC unit multiplies). */
    public static boolean supports(ComputeArray unit, String op) {
        return unit.supports(op) || (op.equals("mul") && unit.supports("mac"));
    }

    /** The operators a unit must have to run the Einsum (a multiply-accumulate counts as one). */
    public static Set<String> requiredOps(Einsum e) {
        Set<String> ops = new LinkedHashSet<>();
        Expr body = e.body();
        if (e.reduction() instanceof Einsum.Reduce r && r.op() == Einsum.ReduceOp.SUM && body instanceof Expr.Binary b
                && b.op() == Expr.BinaryOp.MUL) {
            ops.add("mac");
            collect(b.left(), ops);
            collect(b.right(), ops);
            return ops;
        }
        collect(body, ops);
        switch (e.reduction()) {
            case Einsum.Reduce r -> ops.add(r.op() == Einsum.ReduceOp.SUM ? "add" : r.op().keyword());
            case Einsum.TopK t -> ops.add("compare");
            case Einsum.NoReduction n -> { }
        }
        return ops;
    }

    private static void collect(Expr x, Set<String> ops) {
        switch (x) {
            case Expr.Access a -> { }
            case Expr.Unary u -> {
                // a sign change or magnitude is wiring, not an operation a unit must offer
                u.op().primitives().stream().filter(op -> !op.equals("neg") && !op.equals("abs")).forEach(ops::add);
                collect(u.arg(), ops);
            }
            case Expr.Constant k -> { }
            case Expr.Cast cast -> collect(cast.arg(), ops);
            case Expr.Binary b -> {
                ops.add(switch (b.op()) {
                    case ADD, SUB -> "add";
                    case MUL -> "mul";
                    case DIV -> "div";
                    case MAX -> "max";
                    case MIN -> "min";
                });
                collect(b.left(), ops);
                collect(b.right(), ops);
            }
        }
    }

    private static String lower(String rank) {
        return rank.toLowerCase(Locale.ROOT);
    }
}
