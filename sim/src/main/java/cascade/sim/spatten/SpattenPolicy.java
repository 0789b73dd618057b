package cascade.sim.spatten;

import cascade.einsum.Cascade;
import cascade.einsum.exec.Executor;
import cascade.hw.TopKEngine;
import cascade.traces.SpattenTrace;
import cascade.traces.SyntheticAttention;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SpAtten's pruning and quantisation decisions taken on a synthetic workload's real numbers, and
 * the outputs they lead to, next to the dense outputs:
 * <ul>
 *   <li>cascade token pruning: from layer {@code pruneFrom} on, each layer keeps the
 *       ceil({@code keep}·n) of the n surviving tokens with the largest importance — attention
 *       probabilities accumulated over the heads of earlier layers — chosen by the architecture's
 *       top-k engine; pruned tokens stay pruned;</li>
 *   <li>local value pruning: each head fetches the values of the ceil({@code valueKeep}·n) keys of
 *       largest probability, the top-k engine again;</li>
 *   <li>cascade head pruning: from layer {@code pruneFrom} on, each layer runs the
 *       ceil({@code headKeep}·n) of the n surviving heads with the largest importance — the
 *       magnitude of their outputs accumulated over earlier layers; a pruned head stays pruned and
 *       its output is lost (relative error 1 for it);</li>
 *   <li>progressive quantisation: keys are fetched with {@code keyBits} high bits; when the
 *       head's largest probability computed from them is below {@code threshold}, the
 *       {@code extraBits} low bits are fetched and the scores recomputed; values have
 *       {@code valueBits} (0 or less: full width, no quantisation).</li>
 * </ul>
 * A head's output is the probabilities over its fetched values, renormalised, times the values,
 * computed by the executor (the dense one over every token at full precision). The rows these
 * decisions produce are the simulator's input, so both see the same keys, values and recomputed
 * heads.
 */
public record SpattenPolicy(double keep, int pruneFrom, double valueKeep, int keyBits, int extraBits, double threshold,
                            int valueBits, double headKeep) {

    public SpattenPolicy {
        if (!(keep > 0 && keep <= 1) || !(valueKeep > 0 && valueKeep <= 1) || !(headKeep > 0 && headKeep <= 1)) {
            throw new IllegalArgumentException("keep ratios must be in (0, 1]");
        }
    }

    /** Without head pruning. */
    public SpattenPolicy(double keep, int pruneFrom, double valueKeep, int keyBits, int extraBits, double threshold,
                         int valueBits) {
        this(keep, pruneFrom, valueKeep, keyBits, extraBits, threshold, valueBits, 1.0);
    }

    /** SpAtten's settings in the released GPT-2 traces: 6 + 4 key bits below 0.05, 6-bit values. */
    public static SpattenPolicy of(double keep) {
        return new SpattenPolicy(keep, 1, 1.0, 6, 4, 0.05, 6);
    }

    /** What the decisions cost and how far the output moved. */
    public record Outcome(List<HeadWork> work, List<HeadWork> dense, long recomputedHeads, long prunedHeads,
                          double meanRelativeError, double maxRelativeError, double top1Agreement) {
    }

    private static final Cascade WEIGHTED = Cascade.parse("<spatten>", """
        cascade weighted-values "attention's last step: values weighted by given probabilities"
        rank F, M
        input  A[m]   : fp32
        input  V[f,m] : fp32
        output AV[f]  : fp32
        AV[f] = sum_m A[m] * V[f,m]
        """);

    /** Where a head's numbers come from: a synthetic workload's vectors, or a score trace. */
    public interface Source {
        int layers();

        int heads();

        int headDim();

        int length();

        /** The head's probabilities over the {@code alive} tokens with keys at {@code keyBits} (0: full width). */
        double[] probabilities(int layer, int head, int[] alive, int keyBits);

        /** The head's values, v[f·length + m]. */
        float[] values(int layer, int head);
    }

    /** A synthetic workload: probabilities from its query and (quantised) keys. */
    public static Source of(SyntheticAttention w) {
        return new Source() {
            public int layers() {
                return w.layers();
            }

            public int heads() {
                return w.heads();
            }

            public int headDim() {
                return w.headDim();
            }

            public int length() {
                return w.length();
            }

            public double[] probabilities(int layer, int head, int[] alive, int keyBits) {
                SyntheticAttention.Head h = w.head(layer, head);
                float[] k = keyBits > 0 ? SyntheticAttention.quantise(h.k(), keyBits) : h.k();
                return SyntheticAttention.probabilities(h.q(), k, w.length(), alive);
            }

            public float[] values(int layer, int head) {
                return w.head(layer, head).v();
            }
        };
    }

    /**
     * Runs the policy over one decoding step (the query is the newest token) with {@code queries}
     * queries per head charged to the pipeline (1 for decoding, the sequence for an encoder, whose
     * queries this model lets share the decoding query's decisions).
     */
    public Outcome decide(SyntheticAttention w, int queries, TopKEngine engine) {
        return decide(of(w), queries, engine);
    }

    public Outcome decide(Source w, int queries, TopKEngine engine) {
        int length = w.length();
        int[] alive = new int[length];
        for (int i = 0; i < length; i++) {
            alive[i] = i;
        }
        double[] importance = new double[length];
        double[] headImportance = new double[w.heads()];
        int[] heads = new int[w.heads()];
        for (int i = 0; i < heads.length; i++) {
            heads[i] = i;
        }
        long prunedHeads = 0;
        List<HeadWork> work = new ArrayList<>();
        List<HeadWork> dense = new ArrayList<>();
        long recomputed = 0;
        double errSum = 0;
        double errMax = 0;
        long agree = 0;
        long count = 0;
        try (Executor ex = new Executor(1)) {
            for (int layer = 0; layer < w.layers(); layer++) {
                boolean prune = layer >= pruneFrom && keep < 1;
                int k = prune ? Math.max(1, (int) Math.ceil(keep * alive.length)) : alive.length;
                float[] tokenScores = null;
                if (prune && k < alive.length) {
                    tokenScores = scores(alive, importance);
                    alive = keepTop(alive, tokenScores, k, engine);
                }
                if (layer >= pruneFrom && headKeep < 1) {
                    int keepHeads = Math.max(1, (int) Math.ceil(headKeep * heads.length));
                    if (keepHeads < heads.length) {
                        heads = keepTop(heads, scores(heads, headImportance), keepHeads, engine);
                    }
                }
                boolean[] running = new boolean[w.heads()];
                for (int hh : heads) {
                    running[hh] = true;
                }
                for (int head = 0; head < w.heads(); head++) {
                    SpattenTrace.Row full = new SpattenTrace.Row(0, layer, head, w.headDim(), length, length, -1, 16, -1, false,
                        -1, length, -1, false, false, false, -1);
                    dense.add(new HeadWork(full, queries, false, null, null));
                    if (!running[head]) {
                        prunedHeads++;
                        errSum += 1; // the head's output is lost
                        errMax = Math.max(errMax, 1);
                        count++;
                        continue;
                    }
                    double[] p = w.probabilities(layer, head, alive, Math.max(0, keyBits));
                    boolean recompute = keyBits > 0 && extraBits > 0 && max(p) < threshold;
                    if (recompute) {
                        p = w.probabilities(layer, head, alive, keyBits + extraBits);
                        recomputed++;
                    }
                    float[] v = w.values(layer, head);
                    for (int i = 0; i < alive.length; i++) {
                        importance[alive[i]] += p[i];
                    }
                    int values = Math.max(1, (int) Math.ceil(valueKeep * alive.length));
                    float[] valueScores = null;
                    int[] kept = null; // positions within alive
                    if (values < alive.length) {
                        valueScores = new float[alive.length];
                        for (int i = 0; i < alive.length; i++) {
                            valueScores[i] = (float) p[i];
                        }
                        kept = engine.select(valueScores, alive.length, values).indices();
                    }
                    float[] vq = valueBits > 0 ? SyntheticAttention.quantise(v, valueBits) : v;
                    float[] out = weighted(ex, p, alive, kept, vq, length, w.headDim());
                    double[] pd = w.probabilities(layer, head, null, 0);
                    float[] ref = weighted(ex, pd, null, null, v, length, w.headDim());
                    double err = relative(out, ref);
                    double magnitude = 0;
                    for (float x : out) {
                        magnitude += Math.abs(x);
                    }
                    headImportance[head] += magnitude;
                    errSum += err;
                    errMax = Math.max(errMax, err);
                    agree += argmax(out) == argmax(ref) ? 1 : 0;
                    count++;
                    boolean topkHere = tokenScores != null && head == heads[0];
                    SpattenTrace.Row row = new SpattenTrace.Row(0, layer, head, w.headDim(), length, alive.length, keyBits, 16,
                        threshold, keyBits > 0 && extraBits > 0, extraBits, values, valueBits, true, false, topkHere,
                        topkHere ? k : -1);
                    work.add(new HeadWork(row, queries, recompute, valueScores, topkHere ? tokenScores : null));
                }
            }
        }
        return new Outcome(List.copyOf(work), List.copyOf(dense), recomputed, prunedHeads, errSum / count, errMax,
            (double) agree / count);
    }

    /** The importance of each surviving member (token or head), as the top-k engine takes it. */
    private static float[] scores(int[] survivors, double[] importance) {
        float[] s = new float[survivors.length];
        for (int i = 0; i < survivors.length; i++) {
            s[i] = (float) importance[survivors[i]];
        }
        return s;
    }

    /** The {@code k} survivors the top-k engine keeps, by their scores; pruned ones stay pruned. */
    private static int[] keepTop(int[] survivors, float[] scores, int k, TopKEngine engine) {
        int[] chosen = engine.select(scores, survivors.length, k).indices();
        int[] next = new int[k];
        for (int i = 0; i < k; i++) {
            next[i] = survivors[chosen[i]];
        }
        return next;
    }

    /** The executor's Σ_m A[m]·V[f,m] over the fetched values, probabilities renormalised over them. */
    private static float[] weighted(Executor ex, double[] p, int[] alive, int[] kept, float[] v, int length, int f) {
        int n = kept == null ? p.length : kept.length;
        float[] a = new float[n];
        float[] vv = new float[f * n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += p[kept == null ? i : kept[i]];
        }
        for (int i = 0; i < n; i++) {
            int pos = kept == null ? i : kept[i];
            int token = alive == null ? pos : alive[pos];
            a[i] = (float) (p[pos] / sum);
            for (int r = 0; r < f; r++) {
                vv[r * n + i] = v[r * length + token];
            }
        }
        return ex.run(WEIGHTED, Map.of("F", (long) f, "M", (long) n), Map.of("A", a, "V", vv)).outputs().get("AV");
    }

    private static double max(double[] p) {
        return Arrays.stream(p).max().orElse(0);
    }

    private static double relative(float[] x, float[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - ref[i]) * (double) (x[i] - ref[i]);
            den += ref[i] * (double) ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
