package cascade.einsum;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Tensors;
import java.util.Map;

/**
 * Run in its own JVM under -Xmx2g by {@link OnePassMemoryTest}: the 1-pass cascade at P = 128,
 * M = 1,048,576, E = F = 128. K and V alone take 1 GiB; the P×M scores would take another 512 MiB,
 * so the run fits only if the executor streams over M. Two queries are checked directly.
 */
public final class OnePassMemoryCheck {
    private OnePassMemoryCheck() {
    }

    public static void main(String[] args) {
        Cascade c = CascadeLibrary.load("attention-1pass");
        int p = 128;
        int m = 1 << 20;
        int e = 128;
        Map<String, Long> sizes = c.sizes(Map.of("P", (long) p, "M", (long) m, "E", (long) e, "F", (long) e));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 42);
        float[] out;
        long intermediates;
        try (Executor executor = new Executor(2)) {
            Executor.Result r = executor.run(c, sizes, in);
            out = r.outputs().get("AV");
            intermediates = r.intermediateElements();
        }
        double worst = 0;
        for (int query : new int[] {0, p - 1}) {
            float[] q = new float[e];
            for (int x = 0; x < e; x++) {
                q[x] = in.get("Q")[x * p + query];
            }
            double[] expected = Textbook.attention(q, 0, in.get("K"), 0, in.get("V"), 0, e, e, 1, m, null);
            float[] actual = new float[e];
            for (int f = 0; f < e; f++) {
                actual[f] = out[f * p + query];
            }
            worst = Math.max(worst, Textbook.maxRelativeError(actual, expected));
        }
        System.out.println("maxRelError=" + worst + " intermediateElements=" + intermediates
            + " maxHeapBytes=" + Runtime.getRuntime().maxMemory());
    }
}
