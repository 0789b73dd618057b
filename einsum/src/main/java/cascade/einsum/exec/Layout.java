package cascade.einsum.exec;

import cascade.einsum.TensorDecl;
import java.util.Map;

/**
 * Where a tensor's elements live in its float array: row-major over the declared ranks, except
 * that along the step rank only {@code window} elements may be stored (index taken modulo the
 * window), as the step plan allows.
 */
final class Layout {
    final TensorDecl decl;
    final long[] extent;
    final long[] stored;
    final long[] stride;
    final int windowSlot;
    final int window;
    final float[] data;

    /** An input: fp32 data is used in place; other types are rounded into a copy. */
    Layout(TensorDecl decl, Map<String, Long> sizes, float[] values) {
        this(decl, sizes, null, 0, decl.type() == cascade.einsum.ElementType.FP32 ? values : round(decl, values));
    }

    Layout(TensorDecl decl, Map<String, Long> sizes, String stepRank, int window) {
        this(decl, sizes, stepRank, window, null);
    }

    private static float[] round(TensorDecl decl, float[] values) {
        float[] copy = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            copy[i] = decl.type().round(values[i]);
        }
        return copy;
    }

    private Layout(TensorDecl decl, Map<String, Long> sizes, String stepRank, int window, float[] existing) {
        this.decl = decl;
        int n = decl.ranks().size();
        extent = new long[n];
        stored = new long[n];
        stride = new long[n];
        int slot = -1;
        for (int i = 0; i < n; i++) {
            extent[i] = decl.extent(i, sizes);
            stored[i] = extent[i];
            if (window > 0 && decl.ranks().get(i).equals(stepRank)) {
                slot = i;
                stored[i] = window;
            }
        }
        this.windowSlot = slot;
        this.window = slot < 0 ? 0 : window;
        long s = 1;
        for (int i = n - 1; i >= 0; i--) {
            stride[i] = s;
            s = Math.multiplyExact(s, stored[i]);
        }
        if (s > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensor " + decl.name() + " needs " + s
                + " elements, more than one Java array holds; use smaller sizes or a stepped cascade");
        }
        data = existing != null ? existing : new float[(int) s];
    }

    /** Elements held in memory (with windows), for footprint reporting. */
    long storedElements() {
        return data.length;
    }
}
