package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code int8(x)}: quantisation written in the language rounds to nearest even and saturates, in the executor and the oracle. */
class CastTest {
    @Test
    void quantiseThenDequantise() {
        Cascade c = Cascade.parse("q.cas", """
            cascade q
            rank M
            input  X[m] : fp32
            output Q[m] : int8
            output D[m] : fp32
            Q[m] = int8(scale(X[m], 16))
            D[m] = scale(fp32(Q[m]), 1 / 16)
            """);
        float[] x = {0.03125f, 0.09375f, -0.5f, 7.9f, 8.5f, -100f, 0.0f, 1.0f / 3};
        float[] q = {0, 2, -8, 126, 127, -128, 0, 5}; // 0.5 and 1.5 round to even; 126.4 to 126; 136 and -1600 saturate
        Map<String, Long> sizes = c.sizes(Map.of("M", (long) x.length));
        try (Executor ex = new Executor(1)) {
            Map<String, float[]> out = ex.run(c, sizes, Map.of("X", x)).outputs();
            Map<String, double[]> slow = Oracle.run(c, sizes, Map.of("X", x));
            for (int i = 0; i < x.length; i++) {
                assertEquals(q[i], out.get("Q")[i], "executor at " + x[i]);
                assertEquals(q[i], slow.get("Q")[i], "oracle at " + x[i]);
                assertEquals(q[i] / 16, out.get("D")[i], 0, "dequantised");
            }
        }
    }
}
