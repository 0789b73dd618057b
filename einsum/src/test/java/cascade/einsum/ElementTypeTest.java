package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Tensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ElementTypeTest {
    @Test
    void bf16RoundsToNearestEven() {
        // bf16 keeps 7 fraction bits: the spacing at 1.0 is 2^-7.
        assertEquals(1.0f, ElementType.BF16.round(1.0f + 0x1p-8f), "a tie rounds to the even neighbour 1.0");
        assertEquals(1.0f + 0x1p-6f, ElementType.BF16.round(1.0f + 3 * 0x1p-8f), "a tie rounds up to the even 1+2^-6");
        assertEquals(1.0f + 0x1p-7f, ElementType.BF16.round(1.0f + 0x1p-8f + 0x1p-20f), "above the tie rounds up");
        assertEquals(-1.0f, ElementType.BF16.round(-1.0f - 0x1p-9f));
        assertEquals(Float.POSITIVE_INFINITY, ElementType.BF16.round(Float.MAX_VALUE), "overflow goes to infinity");
        assertEquals(0x1p-7f + 1.0f, (float) ElementType.BF16.round(1.0 + 0x1p-7), "the double path agrees");
    }

    @Test
    void fp16RoundsToNearestEvenAndOverflows() {
        assertEquals(1.0f, ElementType.FP16.round(1.0f + 0x1p-11f), "a tie at 2^-11 rounds to even");
        assertEquals(1.0f + 0x1p-10f, ElementType.FP16.round(1.0f + 0x1p-11f + 0x1p-20f));
        assertEquals(65504f, ElementType.FP16.round(65504f), "the largest half");
        assertEquals(Float.POSITIVE_INFINITY, ElementType.FP16.round(70000f));
    }

    @Test
    void integersSaturateAfterRoundingHalfToEven() {
        assertEquals(127.0, ElementType.INT8.round(300.0));
        assertEquals(-128.0, ElementType.INT8.round(-1000.0));
        assertEquals(2.0, ElementType.INT8.round(2.5));
        assertEquals(4.0, ElementType.INT16.round(3.5));
        assertEquals(32767.0, ElementType.INT16.round(1e9));
    }

    @Test
    void reducedPrecisionChangesTheExecutorsResult() {
        Cascade fp32 = CascadeLibrary.load("attention-1pass");
        Map<String, Long> sizes = fp32.sizes(Map.of("E", 32L, "F", 32L, "P", 64L, "M", 512L));
        Map<String, float[]> in = Tensors.randomInputs(fp32, sizes, 3);
        try (Executor ex = new Executor(1)) {
            float[] full = ex.run(fp32, sizes, in).outputs().get("AV");
            float[] half = ex.run(fp32.withFloatType(ElementType.BF16), sizes, in).outputs().get("AV");
            double[] reference = new double[full.length];
            for (int i = 0; i < full.length; i++) {
                reference[i] = full[i];
                assertEquals(half[i], ElementType.BF16.round(half[i]), "every bf16 output is representable");
            }
            assertNotEquals(0.0, Tensors.maxAbsoluteError(half, reference), "bf16 must differ from fp32");
        }
    }
}
