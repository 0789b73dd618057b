package cascade.einsum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graphs;

/**
 * How a cascade is executed: the Einsums before a loop over the recurrence rank, those run once
 * per step of it, and those after. Shared by the executor, the oracle and the footprint analysis,
 * so all three agree on what is live.
 *
 * <p>{@link #window(String)} says how much of a stepped tensor must be stored along the step
 * rank: 1 when it is only read at the current step (a chunk of scores), 2 for a recurrence read
 * at r and r+1 (a running max), 0 for the whole extent. This is what keeps the 1-pass cascade
 * from ever holding the P×M score matrix.
 */
public record StepPlan(String stepRank, List<Einsum> before, List<Einsum> stepped, List<Einsum> after,
                       Map<String, Integer> windows, Set<String> accumulating) {

    public boolean hasSteps() {
        return stepRank != null;
    }

    /** 0 (whole extent), 1 or 2 elements stored along the step rank; 0 for tensors without it. */
    public int window(String tensor) {
        return windows.getOrDefault(tensor, 0);
    }

    public static StepPlan of(Cascade c) {
        String rank = null;
        for (Einsum e : c.einsums()) {
            if (e.isRecurrence()) {
                if (rank != null && !rank.equals(e.recurrenceRank())) {
                    throw new InvalidInputException(e.pos(), "recurrences over two ranks ("
                        + rank.toLowerCase(java.util.Locale.ROOT) + " and "
                        + e.recurrenceRank().toLowerCase(java.util.Locale.ROOT) + ") in one cascade are not supported");
                }
                rank = e.recurrenceRank();
            }
        }
        if (rank == null) {
            return new StepPlan(null, c.einsums(), List.of(), List.of(), Map.of(), Set.of());
        }
        String r = rank;
        List<Einsum> before = new ArrayList<>();
        List<Einsum> stepped = new ArrayList<>();
        List<Einsum> after = new ArrayList<>();
        Set<String> steppedOutputs = new HashSet<>();
        Set<String> afterOutputs = new HashSet<>();
        Set<String> accumulating = new LinkedHashSet<>();
        for (Einsum e : c.einsums()) {
            List<String> preds = Graphs.predecessorListOf(c.dataflow(), e.output());
            if (e.iterationRanks().contains(r)) {
                for (String p : preds) {
                    if (afterOutputs.contains(p)) {
                        throw new InvalidInputException(e.pos(), e.output() + " is computed step by step over "
                            + lower(r) + " but needs " + p + ", which needs all of " + lower(r) + " first");
                    }
                    if (accumulating.contains(p)) {
                        throw new InvalidInputException(e.pos(), e.output() + " is computed step by step over "
                            + lower(r) + " but needs " + p + ", a reduction over all of " + lower(r));
                    }
                }
                stepped.add(e);
                steppedOutputs.add(e.output());
                if (e.reducedRanks().contains(r)) {
                    accumulating.add(e.output());
                }
            } else if (preds.stream().anyMatch(p -> steppedOutputs.contains(p) || afterOutputs.contains(p))) {
                after.add(e);
                afterOutputs.add(e.output());
            } else {
                before.add(e);
            }
        }
        for (Einsum e : stepped) {
            if (e.reduction() instanceof Einsum.TopK) {
                throw new InvalidInputException(e.pos(), "a topk cannot run step by step over " + lower(r)
                    + "; compute its input in a cascade without a recurrence over " + lower(r));
            }
        }
        Map<String, Integer> windows = new HashMap<>();
        for (Einsum e : stepped) {
            TensorDecl t = c.tensor(e.output());
            if (!t.ranks().contains(r) || t.role() == TensorDecl.Role.OUTPUT) {
                continue;
            }
            windows.put(t.name(), windowFor(c, t, r, Set.copyOf(steppedOutputs)));
        }
        return new StepPlan(r, before, stepped, after, Map.copyOf(windows), Set.copyOf(accumulating));
    }

    private static int windowFor(Cascade c, TensorDecl t, String r, Set<String> steppedOutputs) {
        boolean recurrence = r.equals(t.recurrenceRank());
        int[] window = {recurrence ? 2 : 1};
        for (Einsum reader : c.einsums()) {
            boolean inLoop = reader.iterationRanks().contains(r);
            java.util.function.Consumer<Expr.Access> check = a -> {
                if (!a.tensor().equals(t.name())) {
                    return;
                }
                for (Expr.Slot slot : a.slots()) {
                    if (!slot.rank().equals(r)) {
                        continue;
                    }
                    if (!(slot.indices().getFirst() instanceof Index.Affine af)) {
                        window[0] = 0;
                        continue;
                    }
                    boolean current = r.equals(af.plainRank());
                    boolean next = recurrence && af.terms().size() == 1 && af.terms().getFirst().rank().equals(r)
                        && af.terms().getFirst().coeff() == 1 && af.offset() instanceof ConstExpr.Num n && n.value() == 1;
                    boolean last = recurrence && af.terms().isEmpty() && af.offset() instanceof ConstExpr.Symbol s
                        && s.name().equals(r);
                    if (!((inLoop && (current || next)) || (!inLoop && last))) {
                        window[0] = 0;
                    }
                }
            };
            reader.body().accesses(check);
            if (reader.mask() != null) {
                reader.mask().accesses(check);
            }
        }
        return window[0];
    }

    private static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
