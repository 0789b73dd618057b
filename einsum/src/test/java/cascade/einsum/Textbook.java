package cascade.einsum;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Attention computed the direct way, in double precision, written independently of the IR:
 * softmax(QᵀK/√E) V over the keys a mask or a selection allows. Tensors are flat row-major
 * arrays in the library's layouts (Q[e,p], K[e,m], V[f,m], out[f,p]).
 */
final class Textbook {
    private Textbook() {
    }

    interface KeyFilter {
        boolean keep(int m, int p);
    }

    /** Dense attention for one head; {@code keys} lists, per query, the keys it may attend to (null: all). */
    static double[] attention(float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, int e, int f, int p, int m,
                              KeyFilter filter) {
        double[] out = new double[f * p];
        double scale = 1 / Math.sqrt(e);
        double[] s = new double[m];
        for (int pi = 0; pi < p; pi++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int mi = 0; mi < m; mi++) {
                if (filter != null && !filter.keep(mi, pi)) {
                    s[mi] = Double.NaN;
                    continue;
                }
                double dot = 0;
                for (int ei = 0; ei < e; ei++) {
                    dot += q[qOff + ei * p + pi] * scale * k[kOff + ei * m + mi];
                }
                s[mi] = dot;
                max = Math.max(max, dot);
            }
            double den = 0;
            for (int mi = 0; mi < m; mi++) {
                if (!Double.isNaN(s[mi])) {
                    s[mi] = Math.exp(s[mi] - max);
                    den += s[mi];
                }
            }
            for (int fi = 0; fi < f; fi++) {
                double acc = 0;
                for (int mi = 0; mi < m; mi++) {
                    if (!Double.isNaN(s[mi])) {
                        acc += s[mi] * v[vOff + fi * m + mi];
                    }
                }
                out[fi * p + pi] = acc / den;
            }
        }
        return out;
    }

    /** softmax over keys of QᵀK/√E for one head: {@code probs[m][p]}. */
    static double[][] probabilities(float[] q, int qOff, float[] k, int kOff, int e, int p, int m) {
        float[] identity = new float[m * m];
        for (int i = 0; i < m; i++) {
            identity[i * m + i] = 1f;
        }
        double[] byRow = attention(q, qOff, k, kOff, identity, 0, e, m, p, m, null); // [m][p]
        double[][] probs = new double[m][p];
        for (int i = 0; i < m; i++) {
            System.arraycopy(byRow, i * p, probs[i], 0, p);
        }
        return probs;
    }

    /** Indices of the {@code count} largest values, largest first, ties to the lower index. */
    static int[] topIndices(double[] values, int count) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -values[i]).thenComparingInt(i -> i));
        int[] top = new int[count];
        for (int i = 0; i < count; i++) {
            top[i] = order.get(i);
        }
        return top;
    }

    static double maxRelativeError(float[] actual, double[] reference) {
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < reference.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
            if (Float.isNaN(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
        }
        return worst / scale;
    }
}
