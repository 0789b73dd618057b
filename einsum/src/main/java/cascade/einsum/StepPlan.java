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
        // A tensor over the step rank that some Einsum reads beyond its step (DB[T-1-t] in a backward scan) is
        // computed whole before the loop when it can be: when it needs nothing the loop computes.
        Set<String> readWhole = new HashSet<>();
        for (Einsum e : c.einsums()) {
            readWhole.addAll(readBeyondTheStep(c, e, r));
        }
        for (Einsum e : c.einsums()) {
            List<String> preds = Graphs.predecessorListOf(c.dataflow(), e.output());
            if (readWhole.contains(e.output()) && !e.isRecurrence()
                    && preds.stream().noneMatch(p -> steppedOutputs.contains(p) || afterOutputs.contains(p))) {
                before.add(e);
                continue;
            }
            boolean needsAllSteps = preds.stream().anyMatch(p -> afterOutputs.contains(p) || accumulating.contains(p))
                || readBeyondTheStep(c, e, r).stream().anyMatch(steppedOutputs::contains);
            if (e.iterationRanks().contains(r) && !needsAllSteps) {
                stepped.add(e);
                steppedOutputs.add(e.output());
                if (e.reducedRanks().contains(r)) {
                    accumulating.add(e.output());
                }
            } else if (preds.stream().anyMatch(p -> steppedOutputs.contains(p) || afterOutputs.contains(p))) {
                // Runs once the loop is done: it reads a stepped tensor whole, or at a step not yet computed.
                after.add(e);
                afterOutputs.add(e.output());
            } else {
                before.add(e);
            }
        }
        for (Einsum e : after) {
            if (e.isRecurrence()) {
                throw new InvalidInputException(e.pos(), "the recurrence " + e.output() + " over " + lower(r)
                    + " reads a tensor of the same loop at a step not yet computed (or a reduction over all of "
                    + lower(r) + "); a step may read another stepped tensor only at " + lower(r) + ", or at "
                    + lower(r) + "+1 of a recurrence");
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
            windows.put(t.name(), windowFor(c, t, r, Set.copyOf(stepped)));
        }
        return new StepPlan(r, before, stepped, after, Map.copyOf(windows), Set.copyOf(accumulating));
    }

    /**
     * The tensors {@code e} reads along the step rank at a step other than its own or, for a
     * recurrence, the one it is about to write ({@code HB[T-1-t]} in a backward scan). If the
     * loop computes one of them, {@code e} must wait for the whole loop, or it would read steps
     * not yet computed.
     */
    private static Set<String> readBeyondTheStep(Cascade c, Einsum e, String r) {
        Set<String> beyond = new HashSet<>();
        java.util.function.Consumer<Expr.Access> check = a -> {
            TensorDecl t = c.tensor(a.tensor());
            boolean recurrence = t != null && r.equals(t.recurrenceRank());
            for (Expr.Slot slot : a.slots()) {
                if (slot.rank().equals(r) && !stepLocal(slot.indices().getFirst(), r, recurrence)) {
                    beyond.add(a.tensor());
                }
            }
        };
        e.body().accesses(check);
        if (e.mask() != null) {
            e.mask().accesses(check);
        }
        return beyond;
    }

    /** {@code r}, or {@code r+1} of a recurrence over r: what one step may read of a stepped tensor. */
    private static boolean stepLocal(Index index, String r, boolean recurrence) {
        if (!(index instanceof Index.Affine af)) {
            return false;
        }
        return r.equals(af.plainRank()) || (recurrence && af.terms().size() == 1 && af.terms().getFirst().rank().equals(r)
            && af.terms().getFirst().coeff() == 1 && af.offset() instanceof ConstExpr.Num n && n.value() == 1);
    }

    private static int windowFor(Cascade c, TensorDecl t, String r, Set<Einsum> stepped) {
        boolean recurrence = r.equals(t.recurrenceRank());
        int[] window = {recurrence ? 2 : 1};
        for (Einsum reader : c.einsums()) {
            boolean inLoop = stepped.contains(reader);
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
                    boolean local = stepLocal(af, r, recurrence);
                    boolean last = recurrence && af.terms().isEmpty() && af.offset() instanceof ConstExpr.Symbol s
                        && s.name().equals(r);
                    if (!((inLoop && local) || (!inLoop && last))) {
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
