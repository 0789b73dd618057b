package cascade.mappings.model;

import cascade.mappings.spec.MappingValidatorTest;
import cascade.mappings.spec.MappedCascade;
import cascade.mappings.spec.MappingLoader;
import cascade.mappings.spec.MappingValidator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The analytical model on C[m,n] = sum_k A[m,k]·B[k,n], M = N = K = 8, on a 4×4 array under a
 * 192-word buffer (16 words/cycle) and 4-word register files (4 words/cycle each) below DRAM
 * (16 GB/s at 1 GHz: 8 words/cycle). Every expected number is worked by hand in the comments
 * from the rules in {@link AnalyticalModel}'s documentation.
 */
public class AnalyticalModelTest {
    public static final Architecture ARCH = ArchitectureLoader.parse("tiny.yaml", MappingValidatorTest.TINY_TEXT
        .replace("    capacity: 192 words\n", "    capacity: 192 words\n    width: 16 words\n")
        .replace("    capacity: 4 words\n", "    capacity: 4 words\n    width: 4 words\n"));

    static Estimate.EinsumEstimate estimate(String bufLevel, String dramLevel) {
        return estimateCounted(bufLevel, dramLevel, AnalyticalModel.Counting.CASCADE);
    }

    static Estimate.EinsumEstimate estimateCounted(String bufLevel, String dramLevel, AnalyticalModel.Counting counting) {
        MappedCascade mc = mapped(bufLevel, dramLevel);
        return AnalyticalModel.einsum(mc, mc.mapping().einsums().getFirst(), counting);
    }

    /** The GEMM on {@link #ARCH} with these loops at the buffer and at DRAM. */
    public static MappedCascade mapped(String bufLevel, String dramLevel) {
        String text = """
            mapping: m
            einsums:
              C:
                unit: PE
                levels:
                  DRAM: %s
                  Buf: %s
                  RF: {}
            """.formatted(dramLevel, bufLevel);
        return MappingValidator.validate(MappingLoader.parse("m.yaml", text), MappingValidatorTest.GEMM,
            MappingValidatorTest.GEMM.sizes(Map.of()), ARCH);
    }

    static void assertAccesses(Estimate.EinsumEstimate e, String level, String tensor, long reads, long writes) {
        Estimate.Accesses a = e.accesses().stream().filter(x -> x.level().equals(level) && x.tensor().equals(tensor))
            .findFirst().orElseThrow();
        assertEquals(reads, a.reads(), level + " " + tensor + " reads");
        assertEquals(writes, a.writes(), level + " " + tensor + " writes");
    }

    static double energy(Estimate.EinsumEstimate e) {
        return e.totalEnergyPj();
    }

    @Test
    void outputStationaryUntiled() {
        // Buf: [m2, n2, k8], spatial m4 x n4. DRAM -> Buf: one delivery of 64-word tiles; C's 64 written
        // back are drained from Buf (64 reads). Buf -> RF: A, B change with the innermost k: 32
        // deliveries x 4 distinct PEs' tiles = 128 reads (each multicast to 4), written into all 16
        // PEs: 512. C skips the k loop (stationary): 4 deliveries x 16 PEs = 64 updates of Buf, none
        // fetched again; its partition at RF is 64 points, so of the 512 MACs' updates 448 read a
        // partial sum, and the 64 drained are read once more.
        var e = estimate("{temporal: [m: 2, n: 2, k: 8], spatial: {rows: [m: 4], cols: [n: 4]}}", "{}");
        assertAccesses(e, "DRAM", "A", 64, 0);
        assertAccesses(e, "DRAM", "B", 64, 0);
        assertAccesses(e, "DRAM", "C", 0, 64);
        assertAccesses(e, "Buf", "A", 128, 64);
        assertAccesses(e, "Buf", "B", 128, 64);
        assertAccesses(e, "Buf", "C", 64, 64);
        assertAccesses(e, "RF", "A", 512, 512);
        assertAccesses(e, "RF", "C", 448 + 64, 512);
        assertEquals(32, e.computeCycles());
        assertEquals(Map.of("DRAM", 24L, "Buf", 32L, "RF", 48L), e.bandwidthCycles()); // 192/8, 512/16, 3072/64
        assertEquals(48, e.cycles());
        assertEquals(1.0, e.utilization());
        assertEquals(192 * 10 + 512 * 1 + 3072 * 0.1 + 512 * 1, energy(e), 1e-9);
    }

    @Test
    void timeloopsCountingLeavesOutTheDrain() {
        // As above, less the drains: Buf C 64 reads, RF C 64 reads (Timeloop: reads = updates - partition).
        var e = estimateCounted("{temporal: [m: 2, n: 2, k: 8], spatial: {rows: [m: 4], cols: [n: 4]}}", "{}",
            AnalyticalModel.Counting.TIMELOOP);
        assertAccesses(e, "Buf", "C", 0, 64);
        assertAccesses(e, "RF", "C", 448, 512);
        assertAccesses(e, "RF", "A", 512, 512);
        assertEquals(192 * 10 + 448 * 1 + 3008 * 0.1 + 512 * 1, energy(e), 1e-9);
    }

    @Test
    void weightStationaryLoopOrder() {
        // Buf: [k8, n2, m2]: B skips the innermost m: 16 deliveries x 4 = 64 reads, 16 x 16 = 256 RF writes;
        // A: 32 x 4 = 128 reads, 512 writes. C changes with m: 32 deliveries x 16 = 512 updates of Buf,
        // 32 - 4 distinct = 28 x 16 = 448 fetched again (Buf reads, RF writes); RF: 512 - 64 partition
        // = 448 read-modify-writes plus 512 drains read; Buf drains 64 to DRAM.
        var e = estimate("{temporal: [k: 8, n: 2, m: 2], spatial: {rows: [m: 4], cols: [n: 4]}}", "{}");
        assertAccesses(e, "Buf", "A", 128, 64);
        assertAccesses(e, "Buf", "B", 64, 64);
        assertAccesses(e, "Buf", "C", 448 + 64, 512);
        assertAccesses(e, "RF", "B", 512, 256);
        assertAccesses(e, "RF", "C", 448 + 512, 448 + 512);
        assertEquals(Map.of("DRAM", 24L, "Buf", 84L, "RF", 58L), e.bandwidthCycles()); // 1344/16, 3712/64
        assertEquals(84, e.cycles());
        assertEquals(192 * 10 + 1344 * 1 + 3712 * 0.1 + 512, energy(e), 1e-9);
    }

    @Test
    void tiledAtDram() {
        // DRAM: [m2, n2]; Buf: [k8]. DRAM -> Buf: A skips the innermost n: 2 x 32 = 64; B: 4 x 32 = 128;
        // C: 4 deliveries of 16 = 64 written, and drained from Buf. Buf -> RF as untiled.
        var e = estimate("{temporal: [k: 8], spatial: {rows: [m: 4], cols: [n: 4]}}", "{temporal: [m: 2, n: 2]}");
        assertAccesses(e, "DRAM", "A", 64, 0);
        assertAccesses(e, "DRAM", "B", 128, 0);
        assertAccesses(e, "DRAM", "C", 0, 64);
        assertAccesses(e, "Buf", "B", 128, 128);
        assertEquals(Map.of("DRAM", 32L, "Buf", 36L, "RF", 48L), e.bandwidthCycles()); // 256/8, 576/16, 3072/64
        assertEquals(48, e.cycles());
        assertEquals(256 * 10 + 576 + 3072 * 0.1 + 512, energy(e), 1e-9);
    }

    @Test
    void reductionSpreadOverRows() {
        // Spatial k4 (rows) x n4 (cols); Buf: [n2, m8, k2]. A is multicast over n: 32 x 4 = 128 reads,
        // 512 RF writes; B: 32 x 16 = 512; C skips k, partial sums over the rows add in the network:
        // 16 x 4 = 64 updates of Buf. RF: each PE holds 16 partial sums, 256 in all: 256 of the 512
        // updates read one, and the 256 drained are read.
        var e = estimate("{temporal: [n: 2, m: 8, k: 2], spatial: {rows: [k: 4], cols: [n: 4]}}", "{}");
        assertAccesses(e, "Buf", "A", 128, 64);
        assertAccesses(e, "Buf", "B", 512, 64);
        assertAccesses(e, "Buf", "C", 64, 64);
        assertAccesses(e, "RF", "B", 512, 512);
        assertAccesses(e, "RF", "C", 256 + 256, 512);
        assertEquals(Map.of("DRAM", 24L, "Buf", 56L, "RF", 48L), e.bandwidthCycles()); // 896/16, 3072/64
        assertEquals(56, e.cycles());
        assertEquals(192 * 10 + 896 + 3072 * 0.1 + 512, energy(e), 1e-9);
    }

    @Test
    void onePeNoSpatialLoops() {
        // Buf: [m8, n8, k8] on one PE: 512 cycles; A and B delivered 512 times, C 64 times;
        // the one RF serves 3072 accesses at 4 words/cycle: 768 cycles, the bottleneck.
        var e = estimate("{temporal: [m: 8, n: 8, k: 8]}", "{}");
        assertAccesses(e, "Buf", "A", 512, 64);
        assertAccesses(e, "Buf", "C", 64, 64);
        assertEquals(512, e.computeCycles());
        assertEquals(Map.of("DRAM", 24L, "Buf", 80L, "RF", 768L), e.bandwidthCycles()); // 1280/16, 3072/4
        assertEquals(768, e.cycles());
        assertEquals(1.0 / 16, e.utilization());
        assertEquals(192 * 10 + 1280 + 3072 * 0.1 + 512, energy(e), 1e-9);
    }
}
