package cascade.einsum.exec;

import cascade.einsum.Cascade;
import cascade.einsum.ElementType;
import cascade.einsum.TensorDecl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Input generation, shape checks and error metrics shared by the executor, the oracle and their callers. */
public final class Tensors {
    private Tensors() {
    }

    static float[] requireInput(TensorDecl t, Map<String, Long> sizes, Map<String, float[]> inputs) {
        float[] in = inputs.get(t.name());
        if (in == null) {
            throw new IllegalArgumentException("missing input tensor " + t.name());
        }
        long expected = t.elements(sizes);
        if (in.length != expected) {
            throw new IllegalArgumentException("input " + t.name() + " has " + in.length + " elements; its shape needs " + expected);
        }
        return in;
    }

    /**
     * Reproducible random inputs: standard normal values for floating-point tensors (so scores
     * Q·K/√E are of order one, as in trained models), small integers for integer tensors, each
     * rounded to its declared type. The same seed gives the same tensors.
     */
    public static Map<String, float[]> randomInputs(Cascade c, Map<String, Long> sizes, long seed) {
        Map<String, float[]> inputs = new LinkedHashMap<>();
        SplittableRandom root = new SplittableRandom(seed);
        for (TensorDecl t : c.inputs()) {
            SplittableRandom rnd = root.split();
            float[] data = new float[Math.toIntExact(t.elements(sizes))];
            ElementType type = t.type();
            for (int i = 0; i < data.length; i++) {
                double v = type.isFloating() ? gaussian(rnd) : rnd.nextInt(-8, 9);
                data[i] = type.round((float) v);
            }
            inputs.put(t.name(), data);
        }
        return inputs;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Largest absolute difference divided by the largest magnitude of the reference: a relative
     * error that stays meaningful where individual reference elements are near zero.
     */
    public static double maxRelativeError(float[] actual, double[] reference) {
        return maxAbsoluteError(actual, reference) / Math.max(maxMagnitude(reference), Double.MIN_NORMAL);
    }

    /** As {@link #maxRelativeError(float[], double[])}, against another fp32 result (two runs of the same kernels). */
    public static double maxRelativeError(float[] actual, float[] reference) {
        double[] wide = new double[reference.length];
        for (int i = 0; i < reference.length; i++) {
            wide[i] = reference[i];
        }
        return maxRelativeError(actual, wide);
    }

    public static double maxAbsoluteError(float[] actual, double[] reference) {
        if (actual.length != reference.length) {
            throw new IllegalArgumentException("lengths differ: " + actual.length + " vs " + reference.length);
        }
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Double.compare(actual[i], reference[i]) == 0 && !Double.isFinite(reference[i])) {
                continue; // the same NaN or infinity on both sides: what a NaN or overflowing input defines
            }
            double d = Math.abs(actual[i] - reference[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }

    /** The largest finite magnitude of the reference. */
    public static double maxMagnitude(double[] reference) {
        double m = 0;
        for (double v : reference) {
            if (Double.isFinite(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    /** How many elements are NaN or infinite. */
    public static long nonFinite(float[] values) {
        long n = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                n++;
            }
        }
        return n;
    }
}
