package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.exec.Executor;
import cascade.einsum.exec.Oracle;
import cascade.einsum.exec.Tensors;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The executor (float, Vector API, windows, GEMM) and the oracle (double, point by point, full
 * storage) agree on every library cascade at every element type. At bf16 and fp16 both round
 * every stored value; they may differ only where float and double accumulation round to
 * neighbouring values, so the bound is a few units in the last place of the type.
 */
class ExecutorMatchesOracleTest {
    private static final Executor EXECUTOR = new Executor(2);

    @AfterAll
    static void close() {
        EXECUTOR.close();
    }

    static double tolerance(ElementType t) {
        return switch (t) {
            case FP32 -> 1e-5;
            case BF16 -> 4 * 0x1p-8; // four units in the last place of an 8-bit significand
            case FP16 -> 4 * 0x1p-11;
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    static Stream<Arguments> cases() {
        return CascadeLibrary.names().stream().flatMap(n -> Stream.of(ElementType.FP32, ElementType.BF16, ElementType.FP16)
            .map(t -> Arguments.of(n, t)));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("cases")
    void executorAgreesWithOracle(String name, ElementType type) {
        Cascade c = CascadeLibrary.load(name).withFloatType(type);
        Map<String, Long> sizes = c.sizes(CascadeLibrary.checkBindings(name));
        Map<String, float[]> in = Tensors.randomInputs(c, sizes, 7);
        Map<String, float[]> fast = EXECUTOR.run(c, sizes, in).outputs();
        Map<String, double[]> slow = Oracle.run(c, sizes, in);
        for (var out : c.outputs()) {
            double err = Tensors.maxRelativeError(fast.get(out.name()), slow.get(out.name()));
            assertTrue(err <= tolerance(type), name + " " + out.name() + " at " + type + ": " + err);
        }
    }
}
