package cascade.traces;

import java.util.SplittableRandom;

/**
 * Synthetic decoding attention with the structure real models show, built from real query, key
 * and value vectors so that scores, pruning decisions and outputs all come from one set of numbers.
 * For each layer and head, the query is √E·u for a random unit vector u, and key j is
 * b_j·u + n_j with n_j ~ N(0, noise²·I); so the score q·k_j/√E is b_j plus N(0, noise²) noise, where
 * the designed logit b_j adds up
 * <ul>
 *   <li>attention sinks: {@code sinkBoost} on the first {@code sinks} tokens;</li>
 *   <li>recency: {@code recency}·exp(−distance / {@code recencyScale}) towards the newest token;</li>
 *   <li>heavy-tailed key importance: the logarithm of a Pareto({@code importanceTail}) draw per
 *       token (so its weight e^b is Pareto: a few tokens carry much of the probability), shared by
 *       all heads and layers, minus its mean 1/{@code importanceTail};</li>
 * </ul>
 * and each head scales b by its own temperature exp({@code headDiversity}·N(0, 1)) (sharp and
 * flat heads). Values are N(0, 1). Everything is a pure function of the parameters and the seed.
 */
public record SyntheticAttention(int layers, int heads, int headDim, int length, int sinks, double sinkBoost,
                                 double recency, double recencyScale, double importanceTail, double headDiversity,
                                 double noise, long seed) {

    /** Defaults (documented in traces/README.md): 4 sinks +4, recency +3 over 32 tokens, Pareto 1.5, diversity 0.5, noise 1. */
    public static SyntheticAttention defaults(int layers, int heads, int headDim, int length, long seed) {
        return new SyntheticAttention(layers, heads, headDim, length, 4, 4.0, 3.0, 32.0, 1.5, 0.5, 1.0, seed);
    }

    public SyntheticAttention {
        if (layers < 1 || heads < 1 || headDim < 1 || length < 1) {
            throw new IllegalArgumentException("layers, heads, head dimension and length must be positive");
        }
        if (importanceTail <= 1 || recencyScale <= 0 || noise < 0) {
            throw new IllegalArgumentException("the importance tail must exceed 1, the recency scale be positive, the noise >= 0");
        }
    }

    /** One head's query q[e], keys k[e·length + m] and values v[f·length + m]. */
    public record Head(float[] q, float[] k, float[] v) {
    }

    /** The designed logit b_j of every token before the head's temperature. */
    public double[] importance() {
        SplittableRandom r = new SplittableRandom(seed);
        double[] b = new double[length];
        for (int j = 0; j < length; j++) {
            double logPareto = -Math.log(1 - r.nextDouble()) / importanceTail;
            b[j] = logPareto - 1 / importanceTail;
            if (j < sinks) {
                b[j] += sinkBoost;
            }
            b[j] += recency * Math.exp(-(length - 1 - j) / recencyScale);
        }
        return b;
    }

    public Head head(int layer, int head) {
        if (layer < 0 || layer >= layers || head < 0 || head >= heads) {
            throw new IllegalArgumentException("no head " + head + " in layer " + layer);
        }
        double[] b = importance();
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + layer * 10_007L + head + 1);
        double temperature = Math.exp(headDiversity * r.nextGaussian());
        int e = headDim;
        double[] u = new double[e];
        double norm = 0;
        for (int i = 0; i < e; i++) {
            u[i] = r.nextGaussian();
            norm += u[i] * u[i];
        }
        norm = Math.sqrt(norm);
        float[] q = new float[e];
        for (int i = 0; i < e; i++) {
            u[i] /= norm;
            q[i] = (float) (Math.sqrt(e) * u[i]);
        }
        float[] k = new float[e * length];
        float[] v = new float[e * length];
        for (int j = 0; j < length; j++) {
            double bj = b[j] * temperature;
            for (int i = 0; i < e; i++) {
                k[i * length + j] = (float) (bj * u[i] + noise * r.nextGaussian());
                v[i * length + j] = (float) r.nextGaussian();
            }
        }
        return new Head(q, k, v);
    }

    /** Softmax of q·k_m/√E over the given keys (all when {@code keys} is null), in double precision. */
    public static double[] probabilities(float[] q, float[] k, int length, int[] keys) {
        int e = q.length;
        int n = keys == null ? length : keys.length;
        double[] s = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            int m = keys == null ? j : keys[j];
            double dot = 0;
            for (int i = 0; i < e; i++) {
                dot += (double) q[i] * k[i * length + m];
            }
            s[j] = dot / Math.sqrt(e);
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
        }
        for (int j = 0; j < n; j++) {
            s[j] /= sum;
        }
        return s;
    }

    /** Symmetric fixed-point quantisation to {@code bits} bits with one scale for the tensor (max |x|). */
    public static float[] quantise(float[] x, int bits) {
        double max = 0;
        for (float f : x) {
            max = Math.max(max, Math.abs(f));
        }
        if (max == 0 || bits >= 24) {
            return x.clone();
        }
        double levels = (1L << (bits - 1)) - 1;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (Math.round(x[i] / max * levels) / levels * max);
        }
        return out;
    }
}
