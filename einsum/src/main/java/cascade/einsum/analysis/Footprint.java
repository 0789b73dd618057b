package cascade.einsum.analysis;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.StepPlan;
import cascade.einsum.TensorDecl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most intermediate elements alive at once when the cascade runs as the executor runs it:
 * one Einsum at a time, with the stepped Einsums together in one loop keeping only their
 * windows. Outputs count from their producer to the end; inputs do not count.
 */
public final class Footprint {
    private Footprint() {
    }

    public static long peakElements(Cascade c, Map<String, Long> sizes) {
        StepPlan plan = StepPlan.of(c);
        // Each Einsum gets a position; all stepped Einsums share one.
        Map<String, Integer> position = new HashMap<>();
        List<List<Einsum>> schedule = new ArrayList<>();
        plan.before().forEach(e -> schedule.add(List.of(e)));
        if (!plan.stepped().isEmpty()) {
            schedule.add(plan.stepped());
        }
        plan.after().forEach(e -> schedule.add(List.of(e)));
        for (int i = 0; i < schedule.size(); i++) {
            for (Einsum e : schedule.get(i)) {
                position.put(e.output(), i);
            }
        }
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < schedule.size(); i++) {
            for (Einsum e : schedule.get(i)) {
                int at = i;
                e.body().accesses(a -> lastUse.merge(a.tensor(), at, Math::max));
                if (e.mask() != null) {
                    e.mask().accesses(a -> lastUse.merge(a.tensor(), at, Math::max));
                }
            }
        }
        long peak = 0;
        for (int i = 0; i < schedule.size(); i++) {
            long live = 0;
            for (TensorDecl t : c.tensors().values()) {
                if (t.isInput() || !position.containsKey(t.name())) {
                    continue;
                }
                int from = position.get(t.name());
                int to = t.role() == TensorDecl.Role.OUTPUT ? schedule.size() : lastUse.getOrDefault(t.name(), from);
                if (from <= i && i <= to) {
                    live += stored(t, plan, sizes);
                }
            }
            peak = Math.max(peak, live);
        }
        return peak;
    }

    private static long stored(TensorDecl t, StepPlan plan, Map<String, Long> sizes) {
        long n = 1;
        int window = plan.window(t.name());
        for (int i = 0; i < t.ranks().size(); i++) {
            boolean windowed = window > 0 && t.ranks().get(i).equals(plan.stepRank());
            n = Math.multiplyExact(n, windowed ? window : t.extent(i, sizes));
        }
        return n;
    }
}
