package cascade.einsum.exec;

import cascade.einsum.Einsum;
import cascade.einsum.ElementType;
import cascade.einsum.Expr;
import cascade.einsum.Partition;
import cascade.einsum.Predicate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fast path for contractions: {@code C[…,i,…,j] = sum_k A[…i…k…] * B[…k…j…]} with one
 * free rank on each side, one reduced rank, and any number of batch ranks (heads, batch)
 * looped outside. A mask that only involves output ranks (causal, window) is applied after the
 * product by writing the fill value, since such a mask removes all or none of an element's terms.
 */
final class GemmKernel implements Kernel {
    private final CompiledAccess a;
    private final CompiledAccess b;
    private final CompiledAccess c;
    private final int iRank;
    private final int jRank;
    private final int kRank;
    private final int m;
    private final int n;
    private final int k;
    private final int[] batch;
    private final long[] batchSize;
    private final long batchCount;
    private final CompiledMask mask;
    private final float fill;
    private final ElementType outType;
    private final PerShare<Gemm.Scratch> scratch;

    private GemmKernel(CompiledAccess a, CompiledAccess b, CompiledAccess c, int iRank, int jRank, int kRank,
                       Map<String, Long> sizes, RankIds ids, List<String> batchRanks, CompiledMask mask, float fill,
                       ElementType outType, String iName, String jName, String kName) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.iRank = iRank;
        this.jRank = jRank;
        this.kRank = kRank;
        this.m = Math.toIntExact(sizes.get(iName));
        this.n = Math.toIntExact(sizes.get(jName));
        this.k = Math.toIntExact(sizes.get(kName));
        this.batch = batchRanks.stream().mapToInt(ids::id).toArray();
        this.batchSize = batchRanks.stream().mapToLong(sizes::get).toArray();
        long count = 1;
        for (long s : batchSize) {
            count = Math.multiplyExact(count, s);
        }
        this.batchCount = count;
        this.mask = mask;
        this.fill = fill;
        this.outType = outType;
        this.scratch = new PerShare<>(() -> new Gemm.Scratch(m, n, k));
    }

    /** The GEMM kernel for this Einsum, or null when it is not a plain contraction. */
    static GemmKernel tryCompile(Einsum e, List<Partition> partitions, Map<String, Layout> layouts,
                                 Map<String, Long> sizes, RankIds ids, String stepRank) {
        if (!(e.reduction() instanceof Einsum.Reduce r) || r.op() != Einsum.ReduceOp.SUM
                || !(e.body() instanceof Expr.Binary mul) || mul.op() != Expr.BinaryOp.MUL
                || !(mul.left() instanceof Expr.Access left) || !(mul.right() instanceof Expr.Access right)) {
            return null;
        }
        List<String> reduced = new ArrayList<>(r.ranks());
        reduced.remove(stepRank);
        if (reduced.size() != 1) {
            return null;
        }
        Set<String> outputs = new LinkedHashSet<>(e.outputRanks());
        outputs.remove(stepRank);
        CompiledMask mask = null;
        if (e.mask() != null) {
            if (!maskOnlyOver(e.mask(), e, partitions)) {
                return null;
            }
            mask = CompiledMask.compile(e.mask(), e.iterationRanks(), layouts, sizes, ids);
        }
        CompiledAccess ca = CompiledAccess.compile(left, layouts, sizes, ids);
        CompiledAccess cb = CompiledAccess.compile(right, layouts, sizes, ids);
        if (ca.hasGathers() || cb.hasGathers()) {
            return null;
        }
        CompiledAccess cc = CompiledAccess.output(layouts.get(e.output()), e.outputRanks(), e.recurrenceRank(), sizes, ids);
        String kName = reduced.getFirst();
        int kId = ids.id(kName);
        if (ca.coef[kId] == 0 || cb.coef[kId] == 0) {
            return null;
        }
        List<String> onlyA = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        List<String> batch = new ArrayList<>();
        for (String o : outputs) {
            int id = ids.id(o);
            boolean inA = ca.coef[id] != 0;
            boolean inB = cb.coef[id] != 0;
            if (inA && !inB) {
                onlyA.add(o);
            } else if (inB && !inA) {
                onlyB.add(o);
            } else {
                batch.add(o);
            }
        }
        if (onlyA.size() != 1 || onlyB.size() != 1) {
            return null;
        }
        String iName = onlyA.getFirst();
        String jName = onlyB.getFirst();
        // j runs along the vector lanes: pick the side whose free rank is contiguous in C.
        if (Math.abs(cc.coef[ids.id(iName)]) < Math.abs(cc.coef[ids.id(jName)])) {
            CompiledAccess t = ca;
            ca = cb;
            cb = t;
            String s = iName;
            iName = jName;
            jName = s;
        }
        return new GemmKernel(ca, cb, cc, ids.id(iName), ids.id(jName), kId, sizes, ids, batch, mask,
            (float) e.fillValue(sizes), layouts.get(e.output()).decl.type(), iName, jName, kName);
    }

    /** True when the mask reads no tensor and names only output ranks, or wholes (m) of output parts (m1, m0). */
    private static boolean maskOnlyOver(Predicate p, Einsum e, List<Partition> partitions) {
        boolean[] readsTensor = {false};
        p.accesses(x -> readsTensor[0] = true);
        if (readsTensor[0]) {
            return false;
        }
        Set<String> used = new HashSet<>();
        p.ranks(used);
        for (String r : used) {
            boolean wholeOfOutputs = partitions.stream()
                .anyMatch(q -> q.whole().equals(r) && e.outputRanks().containsAll(q.parts()));
            if (!e.outputRanks().contains(r) && !wholeOfOutputs) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void bindStep(int stepRankId, long step) {
        a.bindStep(stepRankId, step);
        b.bindStep(stepRankId, step);
        c.bindStep(stepRankId, step);
        if (mask != null) {
            mask.bindStep(stepRankId, step);
        }
    }

    @Override
    public void run(long[] baseIndex, boolean accumulate, Parallel parallel) {
        int threads = (long) m * n * k < 1 << 18 ? 1 : parallel.threads();
        if (batchCount >= threads) {
            int tasks = (int) Math.min(threads, batchCount);
            scratch.reserve(tasks);
            parallel.run(tasks, t -> {
                for (long bi = batchCount * t / tasks; bi < batchCount * (t + 1) / tasks; bi++) {
                    one(baseIndex, bi, 0, n, accumulate, scratch.get(t));
                }
            });
        } else {
            int tasks = Math.max(1, Math.min(threads, n / Gemm.NR));
            scratch.reserve(tasks);
            parallel.run(tasks, t -> {
                int j0 = (int) ((long) n * t / tasks) / Gemm.NR * Gemm.NR;
                int j1 = t == tasks - 1 ? n : (int) ((long) n * (t + 1) / tasks) / Gemm.NR * Gemm.NR;
                for (long bi = 0; bi < batchCount; bi++) {
                    one(baseIndex, bi, j0, j1, accumulate, scratch.get(t));
                }
            });
        }
    }

    @Override
    public int laneRank() {
        return jRank;
    }

    @Override
    public void runLanes(long[] baseIndex, boolean accumulate, int j0, int j1) {
        Gemm.Scratch mine = scratch.get(0);
        for (long bi = 0; bi < batchCount; bi++) {
            one(baseIndex, bi, j0, j1, accumulate, mine);
        }
    }

    private void one(long[] baseIndex, long batchIndex, int j0, int j1, boolean accumulate, Gemm.Scratch s) {
        if (j1 <= j0) {
            return;
        }
        long[] idx = baseIndex.clone();
        long rest = batchIndex;
        for (int q = batch.length - 1; q >= 0; q--) {
            idx[batch[q]] = rest % batchSize[q];
            rest /= batchSize[q];
        }
        idx[iRank] = 0;
        idx[kRank] = 0;
        idx[jRank] = j0;
        Gemm.Operand opA = new Gemm.Operand(a.data, (int) a.offset(idx), a.coef[iRank], a.coef[kRank]);
        Gemm.Operand opB = new Gemm.Operand(b.data, (int) b.offset(idx), b.coef[kRank], b.coef[jRank]);
        Gemm.Operand opC = new Gemm.Operand(c.data, (int) c.offset(idx), c.coef[iRank], c.coef[jRank]);
        Gemm.multiply(m, j1 - j0, k, opA, opB, opC, accumulate, s);
        if (mask == null && outType == ElementType.FP32) {
            return;
        }
        boolean[] lanes = new boolean[j1 - j0];
        boolean[] tmp = new boolean[j1 - j0];
        for (int i = 0; i < m; i++) {
            idx[iRank] = i;
            idx[jRank] = j0;
            int start = (int) c.offset(idx);
            long step = c.coef[jRank];
            if (mask != null) {
                mask.eval(idx, jRank, j0, j1 - j0, lanes, tmp);
            }
            for (int j = 0; j < j1 - j0; j++) {
                int at = (int) (start + step * j);
                c.data[at] = mask != null && !lanes[j] ? fill : outType.round(c.data[at]);
            }
        }
    }
}
