package cascade.einsum.analysis;

import cascade.einsum.Cascade;
import cascade.einsum.Einsum;
import cascade.einsum.Expr;
import cascade.einsum.Index;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * FuseMax's classification: how many times a fused implementation must walk the key rank.
 *
 * <p>The key ranks are the named rank (M), its partition parts, and every rank derived from
 * them: a rank selected by a top-k over a key rank ({@code j} in {@code TI[j] = topk_m …}), or
 * a rank in a computed subscript of an M position ({@code w} in {@code K[e, w + M - W]}). An Einsum that iterates a key rank runs in some pass;
 * its output is <em>streamed</em> if it keeps a key rank (consumers can follow in the same pass)
 * and <em>complete</em> at the end of the pass if it reduces every key rank away or is a top-k
 * (consumers that iterate a key rank need the next pass). Reads of a recurrence's previous step
 * stay within the pass: that is what makes online softmax 1-pass.
 */
public final class Passes {
    private Passes() {
    }

    /** The key ranks for {@code rank}: itself, its parts and the ranks derived from them. */
    public static Set<String> keyRanks(Cascade c, String rank) {
        Set<String> keys = new LinkedHashSet<>(c.rankFamily(rank));
        boolean grew = true;
        while (grew) {
            int before = keys.size();
            for (Einsum e : c.einsums()) {
                e.body().accesses(a -> deriveFrom(c, a, keys));
                if (e.reduction() instanceof Einsum.TopK t && keys.contains(t.over())) {
                    keys.add(t.selection());
                }
            }
            grew = keys.size() > before;
        }
        return keys;
    }

    private static void deriveFrom(Cascade c, Expr.Access a, Set<String> keys) {
        for (Expr.Slot slot : a.slots()) {
            for (int k = 0; k < slot.indices().size(); k++) {
                String addressed = slot.partition() == null ? slot.rank() : slot.partition().parts().get(k);
                // A computed subscript (w + M - W) makes its ranks key ranks. A gather's (TI[j]) do
                // not: its selection rank is derived by the top-k rule, and its other ranks (a
                // query's p in TP[j,p]) are not keys.
                Index ix = slot.indices().get(k);
                if ((ix instanceof Index.Affine af && !af.isPlain() || ix instanceof Index.Quotient
                        || ix instanceof Index.Clamped)
                        && (keys.contains(addressed) || keys.contains(slot.rank()))) {
                    Set<String> used = new LinkedHashSet<>();
                    ix.ranks(used);
                    used.removeIf(r -> c.ranks().get(r) == null || c.ranks().get(r).isParameter());
                    keys.addAll(used);
                }
            }
        }
    }

    /** The number of passes over {@code rank}, or 0 when no Einsum iterates it. */
    public static int count(Cascade c, String rank) {
        if (!c.ranks().containsKey(rank)) {
            return 0;
        }
        Set<String> keys = keyRanks(c, rank);
        Map<String, Integer> pass = new HashMap<>();
        Map<String, Boolean> streamed = new HashMap<>();
        c.inputs().forEach(t -> {
            pass.put(t.name(), 0);
            streamed.put(t.name(), false);
        });
        int passes = 0;
        for (Einsum e : c.einsums()) {
            boolean iterates = e.iterationRanks().stream().anyMatch(keys::contains);
            int p = iterates ? 1 : 0;
            for (String read : readsWithinStep(c, e)) {
                int rp = pass.getOrDefault(read, 0);
                p = Math.max(p, iterates && !streamed.getOrDefault(read, false) ? rp + 1 : rp);
            }
            boolean keepsKey = e.outputRanks().stream().anyMatch(keys::contains);
            boolean closes = iterates && (!keepsKey || e.reduction() instanceof Einsum.TopK) && !e.isRecurrence();
            pass.put(e.output(), p);
            streamed.put(e.output(), iterates && !closes);
            if (iterates) {
                passes = Math.max(passes, p);
            }
        }
        return passes;
    }

    /** Tensors an Einsum reads, less its own previous values and other recurrences' previous steps. */
    private static Set<String> readsWithinStep(Cascade c, Einsum e) {
        Set<String> reads = new LinkedHashSet<>();
        java.util.function.Consumer<Expr.Access> add = a -> {
            String r = c.tensor(a.tensor()).recurrenceRank();
            boolean previousStep = r != null && e.iterationRanks().contains(r) && a.readsBareIndexOf(r);
            if (!previousStep && !a.tensor().equals(e.output())) {
                reads.add(a.tensor());
            }
        };
        e.body().accesses(add);
        if (e.mask() != null) {
            e.mask().accesses(add);
        }
        return reads;
    }
}
