package cascade.einsum.exec;

import cascade.einsum.Einsum;
import cascade.einsum.ElementType;
import cascade.einsum.Expr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The general kernel: any Einsum, evaluated a row at a time along its innermost output rank.
 * The expression tree is interpreted once per row, each node a tight Vector-API loop over the
 * row, so an element-wise chain such as {@code exp(QK - RM)} is fused in cache without a per-element
 * interpreter. Reductions accumulate whole rows; masks are linear forms along the row.
 */
final class RowKernel implements Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final int BLOCK = 2048;

    private enum Kind { MAP, REDUCE, TOPK }

    private final Einsum einsum;
    private final Kind kind;
    private final Einsum.ReduceOp op;
    private final CompiledAccess out;
    private final Node body;
    private final CompiledMask mask;
    private final int rowRank;
    private final int rowLength;
    private final int blockLength;
    private final int[] outer;
    private final long[] outerSize;
    private final long outerCount;
    private final int[] reduced;
    private final long[] reducedSize;
    private final int selectionRank;
    private final long selectionSize;
    private final float fill;
    private final boolean explicitFill;
    private final ElementType outType;
    private final int nodeCount;
    private final List<CompiledAccess> accesses = new ArrayList<>();
    /** Scratch rows per share of a parallel run, reused across rows, steps and tiles. */
    private final PerShare<Context> contexts = new PerShare<>(Context::new);

    RowKernel(Einsum e, Map<String, Layout> layouts, Map<String, Long> sizes, RankIds ids, String stepRank) {
        this.einsum = e;
        this.out = CompiledAccess.output(layouts.get(e.output()), e.outputRanks(), e.recurrenceRank(), sizes, ids);
        this.outType = layouts.get(e.output()).decl.type();
        int[] counter = {0};
        this.body = compile(e.body(), layouts, sizes, ids, counter);
        this.nodeCount = counter[0];
        Set<String> iterated = e.iterationRanks();
        this.mask = e.mask() == null ? null : CompiledMask.compile(e.mask(), iterated, layouts, sizes, ids);
        this.fill = (float) e.fillValue(sizes);
        this.explicitFill = e.fill() != null;
        List<String> outerRanks = new ArrayList<>(e.outputRanks());
        outerRanks.remove(stepRank);
        List<String> reducedRanks = new ArrayList<>(e.reducedRanks());
        reducedRanks.remove(stepRank);
        String row;
        switch (e.reduction()) {
            case Einsum.TopK t -> {
                kind = Kind.TOPK;
                op = null;
                outerRanks.remove(t.selection());
                row = t.over();
                reducedRanks.clear();
                selectionRank = ids.id(t.selection());
                selectionSize = sizes.get(t.selection());
            }
            case Einsum.Reduce r -> {
                kind = Kind.REDUCE;
                op = r.op();
                row = outerRanks.isEmpty() ? null : outerRanks.removeLast();
                selectionRank = -1;
                selectionSize = 0;
            }
            case Einsum.NoReduction n -> {
                kind = Kind.MAP;
                op = null;
                row = outerRanks.isEmpty() ? null : outerRanks.removeLast();
                selectionRank = -1;
                selectionSize = 0;
            }
        }
        this.rowRank = row == null ? -1 : ids.id(row);
        this.rowLength = row == null ? 1 : Math.toIntExact(sizes.get(row));
        this.blockLength = kind == Kind.TOPK ? rowLength : Math.min(rowLength, BLOCK);
        this.outer = outerRanks.stream().mapToInt(ids::id).toArray();
        this.outerSize = outerRanks.stream().mapToLong(sizes::get).toArray();
        this.outerCount = Arrays.stream(outerSize).reduce(1, Math::multiplyExact);
        this.reduced = reducedRanks.stream().mapToInt(ids::id).toArray();
        this.reducedSize = reducedRanks.stream().mapToLong(sizes::get).toArray();
    }

    // ---- expression nodes: each evaluates a row into its own scratch buffer ----

    private abstract static sealed class Node permits Leaf, Unary, Constant, Cast, Binary {
        final int id;

        Node(int id) {
            this.id = id;
        }

        /** Leaves {@code ctx.arrays[id]} from {@code ctx.offsets[id]} holding the row: a view of a source or the node's buffer. */
        abstract void eval(Context ctx, long[] idx, int rowRank, int len);
    }

    private static final class Leaf extends Node {
        final CompiledAccess access;

        Leaf(int id, CompiledAccess access) {
            super(id);
            this.access = access;
        }

        @Override
        void eval(Context ctx, long[] idx, int rowRank, int len) {
            float[] dst = ctx.buffers[id];
            float[] data = access.data;
            ctx.arrays[id] = dst;
            ctx.offsets[id] = 0;
            if (rowRank < 0) {
                dst[0] = data[(int) access.offset(idx)];
                return;
            }
            if (access.hasGathers() && access.gatherDependsOn(rowRank)) {
                long j0 = idx[rowRank];
                for (int j = 0; j < len; j++) {
                    idx[rowRank] = j0 + j;
                    dst[j] = data[(int) access.offset(idx)];
                }
                idx[rowRank] = j0;
                return;
            }
            int start = (int) access.offset(idx);
            long step = access.coef[rowRank];
            if (step == 1) {
                ctx.arrays[id] = data; // contiguous: read in place, no copy
                ctx.offsets[id] = start;
            } else if (step == 0) {
                Arrays.fill(dst, 0, len, data[start]);
            } else {
                for (int j = 0; j < len; j++) {
                    dst[j] = data[(int) (start + step * j)];
                }
            }
        }
    }

    private static final class Unary extends Node {
        final Expr.UnaryOp op;
        final Node arg;
        final float constant;

        Unary(int id, Expr.UnaryOp op, Node arg, float constant) {
            super(id);
            this.op = op;
            this.arg = arg;
            this.constant = constant;
        }

        @Override
        void eval(Context ctx, long[] idx, int rowRank, int len) {
            arg.eval(ctx, idx, rowRank, len);
            float[] a = ctx.arrays[arg.id];
            int ao = ctx.offsets[arg.id];
            float[] dst = ctx.buffers[id];
            ctx.arrays[id] = dst;
            ctx.offsets[id] = 0;
            int j = 0;
            int bound = S.loopBound(len);
            for (; j < bound; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, a, ao + j);
                v = switch (op) {
                    case EXP -> v.lanewise(VectorOperators.EXP);
                    case RECIP -> FloatVector.broadcast(S, 1f).div(v);
                    case SQRT -> v.lanewise(VectorOperators.SQRT);
                    case NEG -> v.neg();
                    case ABS -> v.abs();
                    case SCALE -> v.mul(constant);
                    case SIGMOID -> ONE.div(ONE.add(v.neg().lanewise(VectorOperators.EXP)));
                    case SOFTPLUS -> v.max(0f).add(v.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P));
                    case ELU -> v.blend(v.lanewise(VectorOperators.EXPM1), v.compare(VectorOperators.LE, 0f));
                    case RELU -> v.max(0f);
                    case SILU -> v.div(ONE.add(v.neg().lanewise(VectorOperators.EXP)));
                    case TANH -> v.lanewise(VectorOperators.TANH);
                    case LOG -> v.lanewise(VectorOperators.LOG);
                };
                v.intoArray(dst, j);
            }
            for (; j < len; j++) {
                float x = a[ao + j];
                dst[j] = switch (op) {
                    case EXP -> (float) Math.exp(x);
                    case RECIP -> 1f / x;
                    case SQRT -> (float) Math.sqrt(x);
                    case SCALE -> x * constant;
                    default -> (float) Functions.apply(op, x);
                };
            }
        }
    }

    /** A conversion to another element type: each value rounded (and saturated) as a store would. */
    private static final class Cast extends Node {
        final ElementType type;
        final Node arg;

        Cast(int id, ElementType type, Node arg) {
            super(id);
            this.type = type;
            this.arg = arg;
        }

        @Override
        void eval(Context ctx, long[] idx, int rowRank, int len) {
            arg.eval(ctx, idx, rowRank, len);
            float[] a = ctx.arrays[arg.id];
            int ao = ctx.offsets[arg.id];
            float[] dst = ctx.buffers[id];
            for (int j = 0; j < len; j++) {
                dst[j] = type.round(a[ao + j]);
            }
            ctx.arrays[id] = dst;
            ctx.offsets[id] = 0;
        }
    }

    /** A constant operand: a row of one value, filled once per thread. */
    private static final class Constant extends Node {
        final float value;

        Constant(int id, float value) {
            super(id);
            this.value = value;
        }

        @Override
        void eval(Context ctx, long[] idx, int rowRank, int len) {
            float[] dst = ctx.buffers[id];
            if (ctx.arrays[id] != dst) {
                Arrays.fill(dst, value);
                ctx.arrays[id] = dst;
                ctx.offsets[id] = 0;
            }
        }
    }

    private static final class Binary extends Node {
        final Expr.BinaryOp op;
        final Node left;
        final Node right;

        Binary(int id, Expr.BinaryOp op, Node left, Node right) {
            super(id);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        void eval(Context ctx, long[] idx, int rowRank, int len) {
            left.eval(ctx, idx, rowRank, len);
            right.eval(ctx, idx, rowRank, len);
            float[] l = ctx.arrays[left.id];
            int lo = ctx.offsets[left.id];
            float[] r = ctx.arrays[right.id];
            int ro = ctx.offsets[right.id];
            float[] dst = ctx.buffers[id];
            ctx.arrays[id] = dst;
            ctx.offsets[id] = 0;
            int j = 0;
            int bound = S.loopBound(len);
            for (; j < bound; j += S.length()) {
                FloatVector a = FloatVector.fromArray(S, l, lo + j);
                FloatVector b = FloatVector.fromArray(S, r, ro + j);
                FloatVector v = switch (op) {
                    case ADD -> a.add(b);
                    case SUB -> a.sub(b).blend(a, a.eq(Float.NEGATIVE_INFINITY).and(b.eq(Float.NEGATIVE_INFINITY)));
                    case MUL -> a.mul(b);
                    case DIV -> a.div(b).blend(0f, a.eq(0f).and(b.eq(0f)));
                    case MAX -> a.max(b);
                    case MIN -> a.min(b);
                };
                v.intoArray(dst, j);
            }
            for (; j < len; j++) {
                float a = l[lo + j];
                float b = r[ro + j];
                dst[j] = switch (op) {
                    case ADD -> a + b;
                    case SUB -> (float) Functions.sub(a, b);
                    case MUL -> a * b;
                    case DIV -> (float) Functions.div(a, b);
                    case MAX -> Math.max(a, b);
                    case MIN -> Math.min(a, b);
                };
            }
        }
    }

    private Node compile(Expr x, Map<String, Layout> layouts, Map<String, Long> sizes, RankIds ids, int[] counter) {
        return switch (x) {
            case Expr.Access a -> {
                CompiledAccess ca = CompiledAccess.compile(a, layouts, sizes, ids);
                accesses.add(ca);
                yield new Leaf(counter[0]++, ca);
            }
            case Expr.Unary u -> {
                Node arg = compile(u.arg(), layouts, sizes, ids, counter);
                float c = u.constant() == null ? 0 : (float) u.constant().eval(sizes);
                yield new Unary(counter[0]++, u.op(), arg, c);
            }
            case Expr.Binary b -> {
                Node l = compile(b.left(), layouts, sizes, ids, counter);
                Node r = compile(b.right(), layouts, sizes, ids, counter);
                yield new Binary(counter[0]++, b.op(), l, r);
            }
            case Expr.Constant k -> new Constant(counter[0]++, (float) k.value().eval(sizes));
            case Expr.Cast cast -> new Cast(counter[0]++, cast.type(), compile(cast.arg(), layouts, sizes, ids, counter));
        };
    }

    /** One thread's scratch rows. */
    private final class Context {
        final float[][] buffers = new float[nodeCount][blockLength];
        final float[][] arrays = new float[nodeCount][];
        final int[] offsets = new int[nodeCount];
        final float[] acc = new float[blockLength];
        final boolean[] lanes = new boolean[blockLength];
        final boolean[] touched = new boolean[blockLength];
        final boolean[] tmp = new boolean[blockLength];
    }

    @Override
    public void bindStep(int stepRankId, long step) {
        out.bindStep(stepRankId, step);
        for (CompiledAccess a : accesses) {
            a.bindStep(stepRankId, step);
        }
        if (mask != null) {
            mask.bindStep(stepRankId, step);
        }
    }

    @Override
    public void run(long[] baseIndex, boolean accumulate, Parallel parallel) {
        long work = outerCount * (long) rowLength * Math.max(1, Arrays.stream(reducedSize).reduce(1, Math::multiplyExact));
        int threads = work < 32_768 ? 1 : parallel.threads();
        if (kind == Kind.TOPK || outerCount >= threads) {
            int tasks = (int) Math.min(threads, outerCount);
            contexts.reserve(tasks);
            parallel.run(tasks, t -> range(contexts.get(t), baseIndex, accumulate, outerCount * t / tasks,
                outerCount * (t + 1) / tasks, 0, rowLength));
        } else {
            int tasks = Math.min(threads, Math.max(1, rowLength / S.length()));
            contexts.reserve(tasks);
            parallel.run(tasks, t -> {
                int j0 = (int) ((long) rowLength * t / tasks) / S.length() * S.length();
                int j1 = t == tasks - 1 ? rowLength : (int) ((long) rowLength * (t + 1) / tasks) / S.length() * S.length();
                range(contexts.get(t), baseIndex, accumulate, 0, outerCount, j0, j1);
            });
        }
    }

    @Override
    public int laneRank() {
        return kind == Kind.TOPK ? -1 : rowRank;
    }

    @Override
    public void runLanes(long[] baseIndex, boolean accumulate, int j0, int j1) {
        range(contexts.get(0), baseIndex, accumulate, 0, outerCount, j0, j1);
    }

    private void range(Context ctx, long[] baseIndex, boolean accumulate, long o0, long o1, int j0, int j1) {
        long[] idx = baseIndex.clone();
        for (long o = o0; o < o1; o++) {
            long rest = o;
            for (int k = outer.length - 1; k >= 0; k--) {
                idx[outer[k]] = rest % outerSize[k];
                rest /= outerSize[k];
            }
            if (kind == Kind.TOPK) {
                topk(ctx, idx);
                continue;
            }
            for (int jb = j0; jb < j1; jb += blockLength) {
                int len = Math.min(blockLength, j1 - jb);
                if (rowRank >= 0) {
                    idx[rowRank] = jb;
                }
                if (kind == Kind.MAP) {
                    map(ctx, idx, len);
                } else {
                    reduce(ctx, idx, len, accumulate);
                }
            }
        }
    }

    private void map(Context ctx, long[] idx, int len) {
        body.eval(ctx, idx, rowRank, len);
        float[] v = ctx.acc; // a copy: the body's row may be a view of another tensor
        System.arraycopy(ctx.arrays[body.id], ctx.offsets[body.id], v, 0, len);
        if (mask != null) {
            mask.eval(idx, rowRank, (int) rowStart(idx), len, ctx.lanes, ctx.tmp);
            for (int j = 0; j < len; j++) {
                if (!ctx.lanes[j]) {
                    v[j] = fill;
                }
            }
        }
        store(v, idx, len);
    }

    private void reduce(Context ctx, long[] idx, int len, boolean accumulate) {
        float[] acc = ctx.acc;
        if (accumulate) {
            load(acc, idx, len);
        } else {
            Arrays.fill(acc, 0, len, (float) op.identity());
        }
        boolean trackTouched = explicitFill && mask != null;
        if (trackTouched) {
            Arrays.fill(ctx.touched, 0, len, false);
        }
        long rowAt = rowRank >= 0 ? idx[rowRank] : 0;
        long count = Arrays.stream(reducedSize).reduce(1, Math::multiplyExact);
        for (long r = 0; r < count; r++) {
            long rest = r;
            for (int k = reduced.length - 1; k >= 0; k--) {
                idx[reduced[k]] = rest % reducedSize[k];
                rest /= reducedSize[k];
            }
            if (rowRank >= 0) {
                idx[rowRank] = rowAt;
            }
            if (mask != null) {
                mask.eval(idx, rowRank, (int) rowAt, len, ctx.lanes, ctx.tmp);
                if (trackTouched) {
                    for (int j = 0; j < len; j++) {
                        ctx.touched[j] |= ctx.lanes[j];
                    }
                }
            }
            body.eval(ctx, idx, rowRank, len);
            combine(acc, ctx.arrays[body.id], ctx.offsets[body.id], len, mask == null ? null : ctx.lanes);
        }
        if (trackTouched) {
            for (int j = 0; j < len; j++) {
                if (!ctx.touched[j]) {
                    acc[j] = fill;
                }
            }
        }
        store(acc, idx, len);
    }

    private void combine(float[] acc, float[] v, int vo, int len, boolean[] lanes) {
        int j = 0;
        int bound = S.loopBound(len);
        for (; j < bound; j += S.length()) {
            FloatVector a = FloatVector.fromArray(S, acc, j);
            FloatVector x = FloatVector.fromArray(S, v, vo + j);
            FloatVector r = switch (op) {
                case SUM -> a.add(x);
                case MAX -> a.max(x);
                case MIN -> a.min(x);
            };
            if (lanes != null) {
                r = a.blend(r, VectorMask.fromArray(S, lanes, j));
            }
            r.intoArray(acc, j);
        }
        for (; j < len; j++) {
            if (lanes != null && !lanes[j]) {
                continue;
            }
            acc[j] = switch (op) {
                case SUM -> acc[j] + v[vo + j];
                case MAX -> Math.max(acc[j], v[vo + j]);
                case MIN -> Math.min(acc[j], v[vo + j]);
            };
        }
    }

    private void topk(Context ctx, long[] idx) {
        idx[rowRank] = 0;
        body.eval(ctx, idx, rowRank, rowLength);
        float[] v = ctx.arrays[body.id];
        int vo = ctx.offsets[body.id];
        if (mask != null) {
            mask.eval(idx, rowRank, 0, rowLength, ctx.lanes, ctx.tmp);
        }
        // Sort keys: descending value in the high word (order-preserving int bits, flipped), then ascending index.
        long[] keys = new long[rowLength];
        int n = 0;
        for (int j = 0; j < rowLength; j++) {
            if (mask != null && !ctx.lanes[j]) {
                continue;
            }
            int bits = Float.floatToIntBits(v[vo + j]);
            int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
            keys[n++] = ((long) ~ordered << 32) | j;
        }
        if (n < selectionSize) {
            throw new IllegalStateException("topk for " + einsum.output() + " has " + n
                + " unmasked candidates but selects " + selectionSize);
        }
        Arrays.sort(keys, 0, n);
        for (int k = 0; k < selectionSize; k++) {
            idx[selectionRank] = k;
            out.data[(int) out.offset(idx)] = (float) (keys[k] & 0xFFFFFFFFL);
        }
    }

    private long rowStart(long[] idx) {
        return rowRank >= 0 ? idx[rowRank] : 0;
    }

    private void store(float[] v, long[] idx, int len) {
        if (outType != ElementType.FP32) {
            for (int j = 0; j < len; j++) {
                v[j] = outType.round(v[j]);
            }
        }
        int start = (int) out.offset(idx);
        long step = rowRank >= 0 ? out.coef[rowRank] : 1;
        if (step == 1) {
            System.arraycopy(v, 0, out.data, start, len);
        } else {
            for (int j = 0; j < len; j++) {
                out.data[(int) (start + step * j)] = v[j];
            }
        }
    }

    private void load(float[] acc, long[] idx, int len) {
        int start = (int) out.offset(idx);
        long step = rowRank >= 0 ? out.coef[rowRank] : 1;
        for (int j = 0; j < len; j++) {
            acc[j] = out.data[(int) (start + step * j)];
        }
    }
}
