package cascade.mappings.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import cascade.hw.ComputeArray;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.spec.Assumption;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.ModelShape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, acceptance 3: one point of each design's analytical estimate against a hand
 * computation from the FuseMax artifact's rules (REFERENCE.md, "How the artifact computes its
 * table"), and what turning off each named assumption does. BERT, one head, E = F = 64, P = M =
 * 1,024; 2D array 256×256, 1D array 256 wide; DRAM 400 GiB/s = 228.4557 words a cycle at 940 MHz.
 */
class PaperModelTest {
    static final Lowering LOWERING = Lowering.withMapper(8, 300);
    static final double WORDS_PER_CYCLE = 400.0 * (1L << 30) / 2 / 940e6;

    static Report estimate(Design d) {
        return ClosedForm.INSTANCE.cost(LOWERING.lower(d, ModelShape.BERT.bindings(1024), 1));
    }

    @Test
    void fuseMaxIsItsChainOfMaxima() {
        // x = P·M / 65,536 = 16. 2D: QK E·x = 64x, LM x, SLN 7x (exp = 6 MACs + 1 add), SLD x, SLNV F·x = 64x.
        // 1D: RM x, PRM 7x, SPD x, RD x, SPNV 64x, RNV 64x, AV F·P/256 = 256.
        // max(QK+LM, RD+RNV+AV) + RM + max(SLN+SLD, PRM+SPD) + max(SLNV, SPNV) = 65x + 256 + x + 8x + 64x = 138x + 256.
        long x = 16;
        long compute = 138 * x + 256;
        // Memory: Q, K, V and AV once (one query tile holds all 1,024 queries): 4 × 65,536 words.
        long memory = (long) Math.ceil(4 * 65536 / WORDS_PER_CYCLE);
        assertEquals(1148, memory);
        Report r = estimate(Design.preset("fusemax"));
        assertEquals(Math.max(compute, memory), r.cycles());
        assertEquals(2464, r.cycles());
        // Utilisation: the 2D array's busy time 137x over the total.
        assertEquals(137.0 * x / 2464, r.utilization(ComputeArray.Kind.ARRAY_2D), 1e-12);
    }

    @Test
    void flatIsTheLongestOfMemoryAndEachArray() {
        // 1D: max, subtract-and-exp, sum, divide, one element per 1D PE per cycle: 4·P·M/256 = 16,384.
        // 2D: QK + AV = 2·P·M·E/65,536 = 2,048. Memory: Q, K, V, AV (the table keeps QK and A on chip at 1K).
        Report r = estimate(Design.preset("flat"));
        assertEquals(Math.max(16384, Math.max(2048, (long) Math.ceil(4 * 65536 / WORDS_PER_CYCLE))), r.cycles());
        assertEquals(2048.0 / 16384, r.utilization(ComputeArray.Kind.ARRAY_2D), 1e-12);
    }

    @Test
    void unfusedSumsTheMaximaOfItsThreeStages() {
        // QK: max(memory of Q, K in and QK out = 2·65,536 + 1,048,576 words, compute P·M·E/65,536 = 1,024);
        // softmax: max(QK in + A out = 2·1,048,576 words, 16,384); AV: max(A, V in and AV out, 1,024).
        long qk = Math.max((long) Math.ceil((2 * 65536 + 1048576) / WORDS_PER_CYCLE), 1024);
        long softmax = Math.max((long) Math.ceil(2 * 1048576 / WORDS_PER_CYCLE), 16384);
        long av = Math.max((long) Math.ceil((1048576 + 2 * 65536) / WORDS_PER_CYCLE), 1024);
        assertEquals(5164, qk);
        assertEquals(qk + softmax + av, estimate(Design.preset("unfused")).cycles());
    }

    @Test
    void eachAssumptionTurnedOffMovesTheFigureItShould() {
        Design fusemax = Design.preset("fusemax");
        Design flat = Design.preset("flat");
        // An exp made of 6 MACs + 1 add on the 1D array: SN costs 7 cycles an element instead of 1.
        assertEquals(3 * 4096 + 7 * 4096, estimate(flat.without(List.of(Assumption.PIPELINED_EXP))).cycles());
        // The scaling Einsum back: QS = E·P/256 = 256 more cycles on FuseMax's 1D array, the busier one.
        assertEquals(2464 + 256, estimate(fusemax.without(List.of(Assumption.FOLDED_SCALE))).cycles());
        // On-chip bandwidth that binds can only slow an Einsum down.
        assertTrue(estimate(fusemax.without(List.of(Assumption.UNLIMITED_ON_CHIP_BANDWIDTH))).cycles() >= 2464);
        // DRAM latency is the simulator's: the closed form is traffic-bound either way.
        assertEquals(2464, estimate(fusemax.without(List.of(Assumption.TRAFFIC_BOUND_MEMORY))).cycles());
        assertEquals(94, fusemax.without(List.of(Assumption.TRAFFIC_BOUND_MEMORY)).architecture().storage().getFirst()
            .latencyCycles());
        assertEquals(0, fusemax.architecture().storage().getFirst().latencyCycles());
        // Turning off one the design does not make changes nothing.
        assertEquals(2464, estimate(fusemax.without(List.of(Assumption.PIPELINED_EXP))).cycles());
    }

    @Test
    void aLengthBeyondFlatsTableIsALocatedError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> LOWERING.lower(Design.preset("flat"), ModelShape.BERT.bindings(1L << 21), 1));
        assertTrue(e.getMessage().startsWith("designs/flat-configurations.csv:1:1: FLAT's dataflow table lists no "
            + "configuration for {E=64, F=64, P=2097152, M=2097152} nor for a longer sequence"), e.getMessage());
    }

    @Test
    void aLengthBetweenFlatsRowsRunsAsTheNextListedOne() {
        // 3000 tokens take the 4096-token configuration (the tile and residency of the padded length).
        var table = Design.preset("flat").groups().getFirst().dataflow().table();
        assertEquals(Map.of("E", 64L, "F", 64L, "P", 4096L, "M", 4096L),
            table.at(Map.of("E", 64L, "F", 64L, "P", 3000L, "M", 3000L)).sizes());
        Schedule.Stage at3000 = LOWERING.lower(Design.preset("flat"), ModelShape.BERT.bindings(3000), 1).stages().getFirst();
        assertEquals(Map.of("P", 3000L), at3000.tile(), "the whole head, as at 4096");
    }

    @Test
    void theTablesSpillGoesToDramAndBack() {
        // BERT 4K: a head's slice of QK (4,096 × 4,096 words) on chip, 1/129 of it spilled, written and read back once.
        var s = LOWERING.lower(Design.preset("flat"), ModelShape.BERT.bindings(4096), 1);
        long slice = 4096L * 4096;
        assertEquals(2 * Math.round(slice * 0.007751937984496138), s.stages().getFirst().spillWordsPerTile());
        assertEquals(Map.of("P", 4096L), s.stages().getFirst().tile());
    }

    @Test
    void fuseMaxsQueryTileIsTheArtifactsP1() {
        // The largest number of 256-query blocks dividing P/256 whose state fits 16 MiB beside the K and V chunks:
        // the artifact's (16 MiB − 256·(E+F)·2 B) / ((E+F+2)·2 B·256) gives 251 (E = F = 64) and 126 (E = F = 128)
        // blocks at most, so 128 and 64 blocks of the powers of two P/256 has.
        assertEquals(Map.of("P", 128L * 256), LOWERING.lower(Design.preset("fusemax"), ModelShape.BERT.bindings(65536), 1)
            .stages().getFirst().tile());
        assertEquals(Map.of("P", 128L * 256), LOWERING.lower(Design.preset("fusemax"), ModelShape.BERT.bindings(1 << 20), 1)
            .stages().getFirst().tile());
        assertEquals(Map.of("P", 64L * 256), LOWERING.lower(Design.preset("fusemax"), ModelShape.XLM.bindings(65536), 1)
            .stages().getFirst().tile());
        assertEquals(Map.of("P", 1024L), LOWERING.lower(Design.preset("fusemax"), ModelShape.BERT.bindings(1024), 1)
            .stages().getFirst().tile());
    }
}
