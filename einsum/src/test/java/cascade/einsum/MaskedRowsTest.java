package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import cascade.einsum.exec.Tensors;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A query row that no key survives (the max of nothing is −inf, the sum of nothing 0) gives zeros,
 * as FlashAttention's kernels do, in the executor and the oracle alike: −inf − (−inf) is −inf and
 * 0 / 0 is 0 in the language (IEEE gives NaN for both). Causal attention with more queries than
 * keys (P > M: query p sees keys m ≤ p + M − P) leaves the first P − M queries with no key.
 */
class MaskedRowsTest {
    @ParameterizedTest
    @ValueSource(strings = {"attention-3pass", "attention-2pass", "attention-1pass"})
    void aRowNoKeySurvivesIsZerosAndTheOthersAreTextbook(String name) {
        String text = CascadeLibrary.source(name).replaceFirst("(QK\\[[^\\n]*= sum_e QS\\[e,p\\] \\* K\\[[^\\]]*\\])",
            "$1 where m <= p + M - P else -inf");
        assertTrue(text.contains("where m <= p + M - P"), "the mask is in " + name);
        Cascade c = Cascade.parse(name + "-masked.cas", text);
        int e = 8;
        int p = 320;
        int m = 256;
        Map<String, Long> sizes = c.sizes(Map.of("E", (long) e, "F", (long) e, "P", (long) p, "M", (long) m));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 5);
        float[] av;
        try (Executor x = new Executor(2)) {
            av = x.run(c, sizes, in).outputs().get("AV");
        }
        Oracle.Counted counted = Oracle.runCounted(c, sizes, in);
        double[] oracle = counted.outputs().get("AV");
        // The division normalises A[m,p] (3-pass: M elements a row) or AV[f,p] (2- and 1-pass: F a row).
        String divided = name.equals("attention-3pass") ? "A" : "AV";
        long perRow = name.equals("attention-3pass") ? m : e;
        assertEquals(Map.of(divided, (long) (p - m) * perRow), counted.emptyNormalisations(), "the rows with no key, counted");
        double[] textbook = Textbook.attention(in.get("Q"), 0, in.get("K"), 0, in.get("V"), 0, e, e, p, m,
            (mi, pi) -> mi <= pi + m - p);
        for (int f = 0; f < e; f++) {
            for (int q = 0; q < p; q++) {
                int i = f * p + q;
                if (q < p - m) {
                    assertEquals(0f, av[i], name + ": query " + q + " has no key");
                    assertEquals(0.0, oracle[i], name + ": the oracle's query " + q);
                    assertTrue(Double.isNaN(textbook[i]), "IEEE's textbook gives NaN there");
                } else {
                    assertEquals(textbook[i], av[i], 1e-5, name + " query " + q);
                    assertEquals(textbook[i], oracle[i], 1e-5, name + " oracle query " + q); // fp32 stores
                }
            }
        }
    }
}
