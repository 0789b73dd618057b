package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The results einsum/README.md ("Numerics at the edges") documents for non-finite inputs,
 * reduced-precision accumulation and integer saturation, in the executor and the oracle alike:
 * a −inf score is a masked one, +inf or NaN poisons its row, a sum accumulates wide and rounds
 * (or saturates) once at its store.
 */
class NumericsAtTheEdgesTest {
    private record Both(float[] executor, double[] oracle) {
    }

    private static Both run(String text, Map<String, Long> sizes, Map<String, float[]> inputs, String output) {
        Cascade c = Cascade.parse("edges.cas", text);
        float[] fast;
        try (Executor x = new Executor(2)) {
            fast = x.run(c, c.sizes(sizes), inputs).outputs().get(output);
        }
        return new Both(fast, Oracle.run(c, c.sizes(sizes), inputs).get(output));
    }

    private static void assertBoth(double expected, Both r, int i, String what) {
        assertEquals(expected, r.executor()[i], Math.abs(expected) * 1e-6, what + " (executor)");
        assertEquals(expected, r.oracle()[i], Math.abs(expected) * 1e-6, what + " (oracle)");
    }

    private static final String SOFTMAX = """
        cascade softmax-of-scores
        rank M, P
        input  S[m,p] : fp32
        output A[m,p] : fp32
        LM[p]   = max_m S[m,p]
        SN[m,p] = exp(S[m,p] - LM[p])
        SD[p]   = sum_m SN[m,p]
        A[m,p]  = SN[m,p] / SD[p]
        """;

    @Test
    void minusInfinityIsAMaskedScoreAndInfinityOrNaNPoisonsItsRow() {
        float inf = Float.POSITIVE_INFINITY;
        float nan = Float.NaN;
        float[][] columns = {
            {1, 2, 3, 4},          // finite: the textbook softmax
            {1, -inf, 3, -inf},    // -inf: those keys are masked out
            {-inf, -inf, -inf, -inf}, // no key: zeros, as a fully masked row
            {1, inf, 2, 3},        // +inf: inf - inf is NaN, the row is NaN
            {1, nan, 2, 3}};       // NaN: propagates to its row, and no further
        int m = 4;
        int p = 8 * columns.length; // wide enough for the executor's vector lanes, not only its scalar tail
        float[] s = new float[m * p];
        for (int q = 0; q < p; q++) {
            for (int k = 0; k < m; k++) {
                s[k * p + q] = columns[q % columns.length][k];
            }
        }
        Both r = run(SOFTMAX, Map.of("M", (long) m, "P", (long) p), Map.of("S", s), "A");
        double z = Math.exp(1 - 4) + Math.exp(2 - 4) + Math.exp(3 - 4) + 1;
        double masked = Math.exp(-2) + 1;
        for (int q = 0; q < p; q++) {
            for (int k = 0; k < m; k++) {
                int i = k * p + q;
                String at = "row " + q + " key " + k;
                switch (q % columns.length) {
                    case 0 -> assertBoth(Math.exp(k + 1 - 4) / z, r, i, at + ", finite");
                    case 1 -> assertBoth(k == 0 ? Math.exp(-2) / masked : k == 2 ? 1 / masked : 0, r, i, at + ", two -inf keys");
                    case 2 -> assertBoth(0, r, i, at + ", no key survives");
                    default -> assertTrue(Float.isNaN(r.executor()[i]) && Double.isNaN(r.oracle()[i]),
                        at + ": " + r.executor()[i] + ", " + r.oracle()[i]);
                }
            }
        }
    }

    /** Columns (each one sum's addends) repeated {@code copies} times, as X[m,n] row-major: the vector lanes run along n. */
    private static float[] columns(float[][] columns, int copies) {
        int m = columns[0].length;
        int n = columns.length * copies;
        float[] x = new float[m * n];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < m; k++) {
                x[k * n + j] = columns[j % columns.length][k];
            }
        }
        return x;
    }

    private static Both sums(String type, float[][] addends, int copies) {
        String text = "cascade sum\nrank M, N\ninput X[m,n] : " + type + "\noutput Y[n] : " + type + "\nY[n] = sum_m X[m,n]\n";
        return run(text, Map.of("M", (long) addends[0].length, "N", (long) addends.length * copies),
            Map.of("X", columns(addends, copies)), "Y");
    }

    @Test
    void fp16AndBf16SumsAccumulateWideAndOverflowOnlyAtTheirStore() {
        // Column 0 passes 70,000 on the way (beyond fp16's 65,504) and ends at 60,000; column 1 ends beyond.
        Both r = sums("fp16", new float[][] {{60000, 10000, -10000}, {60000, 10000, 0}}, 16);
        for (int j = 0; j < 32; j += 2) {
            assertBoth(60000, r, j, "a partial sum beyond fp16 is not rounded");
            assertEquals(Float.POSITIVE_INFINITY, r.executor()[j + 1]);
            assertEquals(Double.POSITIVE_INFINITY, r.oracle()[j + 1]);
        }
        Both b = sums("bf16", new float[][] {{1e38f, 1e38f, -1e38f}, {2e38f, 2e38f, 0}}, 16);
        for (int j = 0; j < 32; j += 2) {
            assertBoth(ElementType.BF16.round(1e38), b, j, "bf16 has fp32's range");
            assertEquals(Float.POSITIVE_INFINITY, b.executor()[j + 1], "4e38 is beyond bf16's (and fp32's) 3.39e38");
            assertEquals(Double.POSITIVE_INFINITY, b.oracle()[j + 1]);
        }
    }

    @Test
    void int8SumsAccumulateInInt32AndSaturateOnceAtTheStore() {
        Both r = sums("int8", new float[][] {{100, 100, -100}, {100, 100, 0}, {-100, -100, 0}}, 11);
        for (int j = 0; j < 33; j += 3) {
            assertBoth(100, r, j, "200 on the way, 100 at the end");
            assertBoth(127, r, j + 1, "200 saturates to 127");
            assertBoth(-128, r, j + 2, "-200 saturates to -128");
        }
    }

    @Test
    void quantisationRoundsHalfToEvenAndSaturatesNonFiniteValues() {
        String text = "cascade quantise\nrank M\ninput X[m] : fp32\noutput Q[m] : int8\nQ[m] = int8(scale(X[m], 16))\n";
        float[] x = {1, 10, -10, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.03125f, 0.09375f};
        double[] expected = {16, 127, -128, 0, 127, -128, 0, 2};
        Both r = run(text, Map.of("M", (long) x.length), Map.of("X", x), "Q");
        for (int i = 0; i < x.length; i++) {
            assertBoth(expected[i], r, i, "int8(16 x " + x[i] + ")");
        }
    }

    /** A whole-number parameter may default to 0 in the text, as --bind may set it: no sink tokens is a window alone. */
    @Test
    void aParameterMayDefaultToZeroInTheText() {
        String text = CascadeLibrary.source("streaming-llm").replace("param S = 4, W = 256", "param S = 0, W = 8");
        Cascade c = Cascade.parse("zero.cas", text);
        Map<String, Long> sizes = c.sizes(Map.of("E", 8L, "F", 8L, "P", 16L, "M", 256L));
        assertEquals(0L, sizes.get("S"));
        Cascade bound = CascadeLibrary.load("streaming-llm");
        Map<String, float[]> in = cascade.einsum.exec.Tensors.randomInputs(c, sizes, 4);
        try (Executor x = new Executor(2)) {
            assertTrue(java.util.Arrays.equals(x.run(c, sizes, in).outputs().get("AV"), x.run(bound,
                bound.sizes(Map.of("E", 8L, "F", 8L, "P", 16L, "M", 256L, "S", 0L, "W", 8L)), in).outputs().get("AV")));
        }
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
            () -> Cascade.parse("r.cas", "cascade r\nrank M = 0\ninput X[m] : fp32\noutput Y[m] : fp32\nY[m] = X[m]\n"))
            .getMessage().contains("a size must be positive"));
    }
}
