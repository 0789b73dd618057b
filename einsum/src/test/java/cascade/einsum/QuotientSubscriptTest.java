package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Subscripts divided by a size ({@code h / G}, rounded down), reduced by it ({@code m % D}) or
 * clamped into their rank ({@code clamp(m + w - PAD)}),
 * including a parenthesised numerator with an offset and a quotient along the vectorised rank:
 * executor and oracle against the same formula computed directly here.
 */
class QuotientSubscriptTest {
    @Test
    void quotientsAndRemaindersIndexAsFloorDivisionAndModulo() {
        Cascade c = Cascade.parse("q.cas", """
            cascade quotients
            rank M = 37, D = 5, B = 8, N = 3
            param G = 5
            input  X[d]    : fp32
            input  Y[b,n]  : fp32
            output S[n,m]  : fp32
            S[n,m] = X[(m + 3) % D] * Y[m / G, n] + X[m % 5]
            """);
        Map<String, Long> sizes = c.sizes(Map.of());
        float[] x = {1, 2, 4, 8, 16};
        float[] y = new float[8 * 3];
        for (int i = 0; i < y.length; i++) {
            y[i] = 0.5f * i - 3;
        }
        Map<String, float[]> in = Map.of("X", x, "Y", y);
        float[] out;
        try (Executor ex = new Executor(2)) {
            out = ex.run(c, sizes, in).outputs().get("S");
        }
        double[] oracle = Oracle.run(c, sizes, in).get("S");
        for (int n = 0; n < 3; n++) {
            for (int m = 0; m < 37; m++) {
                double expected = x[(m + 3) % 5] * y[(m / 5) * 3 + n] + x[m % 5];
                assertEquals(expected, out[n * 37 + m], 1e-6, "executor at n=" + n + ", m=" + m);
                assertEquals(expected, oracle[n * 37 + m], 1e-12, "oracle at n=" + n + ", m=" + m);
            }
        }
    }

    /** {@code clamp(m + w - PAD)} reads index 0 below the rank and its last index past it: a max pool at the edges. */
    @Test
    void clampedSubscriptsHoldToTheRanksEnds() {
        Cascade c = Cascade.parse("c.cas", """
            cascade pool
            rank M = 11, W = 5
            param PAD = 2
            input  X[m]   : fp32
            output S[m]   : fp32
            S[m] = sum_w X[clamp(m + w - PAD)]
            """);
        Map<String, Long> sizes = c.sizes(Map.of());
        float[] x = new float[11];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1 << i;
        }
        Map<String, float[]> in = Map.of("X", x);
        float[] out;
        try (Executor ex = new Executor(2)) {
            out = ex.run(c, sizes, in).outputs().get("S");
        }
        double[] oracle = Oracle.run(c, sizes, in).get("S");
        for (int m = 0; m < 11; m++) {
            double expected = 0;
            for (int w = 0; w < 5; w++) {
                expected += x[Math.max(0, Math.min(10, m + w - 2))];
            }
            assertEquals(expected, out[m], 0, "executor at m=" + m);
            assertEquals(expected, oracle[m], 0, "oracle at m=" + m);
        }
    }
}
