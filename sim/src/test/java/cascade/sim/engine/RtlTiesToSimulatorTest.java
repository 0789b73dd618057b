package cascade.sim.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cascade.einsum.Cascade;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.hw.rtl.Blocks;
import cascade.mappings.spec.Design;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.Report;
import cascade.mappings.lowering.Schedule;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4 of issue #7: the cycle-level simulator and the generated systolic array agree on a
 * GEMM tile. The architecture below is the RTL's 4×4 array: its MAC latency is the array's skew
 * and drain, R + C − 2 cycles (measured on the RTL by RtlTest), and a tile of depth K then takes
 * K + R + C − 2 cycles in the simulator, as it does in the RTL.
 */
class RtlTiesToSimulatorTest {
    static final String ARCH = """
        architecture: systolic-4x4
        clock: 50 MHz
        technology: 40 nm
        word: 8 bit
        storage:
          - name: Buffer
            kind: sram
            capacity: 64 KiB
            width: 64 words
            read: 1 pJ
            write: 1 pJ
          - name: PERF
            parent: Buffer
            kind: regfile
            capacity: 8 words
            width: 6 words   # per MAC: 3 reads, 1 write, and A and B arriving (2 fills)
            instances: 16
            read: 0.1 pJ
            write: 0.1 pJ
        compute:
          - name: ARRAY
            kind: array2d
            under: PERF
            rows: 4
            cols: 4
            ops: [mac]
            energy: {mac: 1 pJ}
            latency:
              mac:
                value: 6 cycles
                source: "the generated RTL's skew and drain, R + C - 2 (RtlTest)"
        """;

    static final Cascade GEMM = Cascade.parse("<gemm>", """
        cascade gemm "one output-stationary GEMM tile"
        rank M, N, K
        input  A[m,k] : fp32
        input  B[k,n] : fp32
        output C[m,n] : fp32
        C[m,n] = sum_k A[m,k] * B[k,n]
        """);

    @Test
    void aGemmTileTakesTheRtlsCycles() {
        Architecture arch = ArchitectureLoader.parse("systolic-4x4.yaml", ARCH);
        Design d = Design.generic(GEMM, arch, "Buffer", Map.of(), Map.of());
        Blocks.Systolic rtl = new Blocks.Systolic(4, 4);
        for (long k : new long[] {9, 32, 100}) {
            Schedule s = Lowering.withMapper(8, 300).lower(d, Map.of("M", 4L, "N", 4L, "K", k), 1);
            Report r = Simulator.run(s, new Simulator.Options(false, null));
            assertEquals(rtl.cyclesFor((int) k), r.cycles(), "K = " + k);
        }
    }
}
