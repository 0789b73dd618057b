package cascade.sim.spatten;

import cascade.einsum.InvalidInputException;
import cascade.einsum.SourcePos;
import cascade.traces.ScoreTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A score trace as the policy's source: one decoding step's probabilities per layer and head.
 * Pruned probabilities are the trace's, renormalised over the surviving tokens (exact for a
 * softmax). A trace holds probabilities, not keys, so key quantisation cannot be replayed: the
 * high-bits-only scores are taken to be the trace's own. Values are not in a trace either: they
 * are drawn N(0, 1), seeded, to measure how far pruning moves the output.
 */
public final class ScoreTraceSource implements SpattenPolicy.Source {
    private final float[][][] p; // [layer][head][token]
    private final int headDim;
    private final long seed;

    public ScoreTraceSource(Path file, int step, int headDim, long seed) throws IOException {
        this.headDim = headDim;
        this.seed = seed;
        ScoreTrace.Reader reader = new ScoreTrace.Reader(file);
        int layers = 0;
        int heads = 0;
        int length = -1;
        java.util.List<ScoreTrace.Row> rows = new java.util.ArrayList<>();
        for (ScoreTrace.Row r : reader) {
            if (r.step() != step) {
                continue;
            }
            if (length >= 0 && r.probabilities().length != length) {
                throw new InvalidInputException(new SourcePos(ScoreTrace.indexOf(file).toString(), 1, 1), "rows of step " + step
                    + " have different lengths (" + length + " and " + r.probabilities().length + ")");
            }
            length = r.probabilities().length;
            layers = Math.max(layers, r.layer() + 1);
            heads = Math.max(heads, r.head() + 1);
            rows.add(r);
        }
        if (rows.isEmpty()) {
            throw new InvalidInputException(new SourcePos(ScoreTrace.indexOf(file).toString(), 1, 1), "no rows for step " + step);
        }
        p = new float[layers][heads][];
        for (ScoreTrace.Row r : rows) {
            p[r.layer()][r.head()] = r.probabilities();
        }
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                if (p[l][h] == null) {
                    throw new InvalidInputException(new SourcePos(ScoreTrace.indexOf(file).toString(), 1, 1), "step " + step
                        + " has no row for layer " + l + ", head " + h);
                }
            }
        }
    }

    public int layers() {
        return p.length;
    }

    public int heads() {
        return p[0].length;
    }

    public int headDim() {
        return headDim;
    }

    public int length() {
        return p[0][0].length;
    }

    public double[] probabilities(int layer, int head, int[] alive, int keyBits) {
        float[] row = p[layer][head];
        int n = alive == null ? row.length : alive.length;
        double[] out = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            out[i] = row[alive == null ? i : alive[i]];
            sum += out[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] = sum == 0 ? 1.0 / n : out[i] / sum;
        }
        return out;
    }

    public float[] values(int layer, int head) {
        SplittableRandom r = new SplittableRandom(seed * 7_919L + layer * 131L + head);
        float[] v = new float[headDim * length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
