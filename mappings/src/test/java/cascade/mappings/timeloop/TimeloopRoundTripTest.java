package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import cascade.mappings.model.AnalyticalModel;
import cascade.mappings.model.AnalyticalModelTest;
import cascade.mappings.model.Estimate;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.MappedCascade;
import cascade.mappings.spec.Mapping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, acceptance 3: a mapped Einsum exported as Timeloop files and counted by
 * {@link TimeloopModel} gives what {@link AnalyticalModel} says of the original under Timeloop's
 * counting — every level's reads and writes of every tensor, the computes, the cycles and the
 * energy. The two models are separate code (Timeloop's per-instance differential fills against
 * Cascade's closed form over whole tiles), so agreement checks the export and the reader as well
 * as the counting rules on both sides.
 */
class TimeloopRoundTripTest {

    @Test
    void gemmWithPartialSumsFetchedAgain() {
        // Weight-stationary order on the tiny 4x4 array: C's partial sums go back and forth (28 of 32 deliveries).
        assertRoundTrip(gemm("{temporal: [k: 8, n: 2, m: 2], spatial: {rows: [m: 4], cols: [n: 4]}}", "{}"));
    }

    @Test
    void gemmTiledAtDramAndReducedAcrossRows() {
        assertRoundTrip(gemm("{temporal: [m: 2, k: 2], spatial: {rows: [k: 4], cols: [n: 4]}}", "{temporal: [n: 2, m: 4]}"));
    }

    @Test
    void fuseMaxPresetsQkEinsum() {
        // One run of FuseMax's QK (a 256-query block against a 256-key chunk, E = 128) as the mapper maps it on PE2D.
        Cascade fusemax = CascadeLibrary.load("fusemax");
        Architecture arch = ArchitectureLoader.preset("fusemax");
        Map<String, Long> sizes = fusemax.sizes(Map.of("P", 256L, "M", 256L, "E", 128L, "F", 128L));
        Mapper.Result r = new Mapper(fusemax, sizes, arch, "QK", "PE2D", Mapper.Objective.CYCLES)
            .search(new Mapper.LocalSearch(4, 300, 1), 1, 1);
        assertFalse(r.best().isEmpty());
        Mapping.EinsumMapping best = r.best().getFirst().mapping();
        assertTrue(best.levels().stream().anyMatch(l -> !l.spatialRows().isEmpty()), "the mapping uses the array");
        assertRoundTrip(new MappedCascade(fusemax, arch, sizes, new Mapping("qk", "", List.of(best))));
    }

    /**
     * Random mappings of the GEMM on the 4×4 array (every factor of M, N and K at DRAM, at the
     * buffer, or on the array's rows or columns; loops in random order) round-trip, and the
     * exported files count as {@link TimeloopNestOracle} plays them: Cascade's model, Timeloop's
     * counting as read back, and the iteration-by-iteration oracle agree on every level.
     */
    @Test
    void randomGemmMappingsRoundTripAndMeetTheOracle() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(14);
        int checked = 0;
        for (int draw = 0; draw < 1000 && checked < 150; draw++) {
            Map<String, Map<String, Long>> slots = new java.util.LinkedHashMap<>();
            for (String slot : List.of("dram", "buf", "rows", "cols")) {
                slots.put(slot, new java.util.LinkedHashMap<>());
            }
            for (String rank : List.of("m", "n", "k")) {
                for (int f = 0; f < 3; f++) { // 8 = 2 · 2 · 2
                    String slot = List.of("dram", "buf", "rows", "cols").get(random.nextInt(4));
                    slots.get(slot).merge(rank, 2L, (a, b) -> a * b);
                }
            }
            if (product(slots.get("rows")) > 4 || product(slots.get("cols")) > 4) {
                continue;
            }
            MappedCascade mapped;
            try {
                mapped = gemm("{temporal: " + loops(slots.get("buf"), random) + ", spatial: {rows: "
                    + loops(slots.get("rows"), random) + ", cols: " + loops(slots.get("cols"), random) + "}}",
                    "{temporal: " + loops(slots.get("dram"), random) + "}");
            } catch (cascade.einsum.InvalidInputException tooLarge) {
                continue; // a tile the buffer cannot hold
            }
            String what = "draw " + draw + " " + slots;
            assertRoundTrip(mapped);
            TimeloopWriter.Export files = TimeloopWriter.export(mapped, mapped.mapping().einsums().getFirst());
            TimeloopNestOracleTest.assertAgree(TimeloopReader.parse("arch.yaml", files.architecture(), "prob.yaml",
                files.problem(), "map.yaml", files.mapping(), "ERT.yaml", files.ert()), what);
            checked++;
        }
        assertEquals(150, checked, "mappings that fit the buffer");
    }

    private static long product(Map<String, Long> factors) {
        return factors.values().stream().reduce(1L, (a, b) -> a * b);
    }

    private static String loops(Map<String, Long> factors, java.util.SplittableRandom random) {
        List<String> loops = new java.util.ArrayList<>();
        factors.forEach((rank, f) -> loops.add(rank + ": " + f));
        java.util.Collections.shuffle(loops, new java.util.Random(random.nextLong()));
        return loops.toString();
    }

    @Test
    void whatTimeloopCannotSayIsRefusedByName() {
        MappedCascade mc = gemm("{temporal: [k: 4, n: 2, k: 2, m: 2], spatial: {rows: [m: 4], cols: [n: 4]}}", "{}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TimeloopWriter.export(mc, mc.mapping().einsums().getFirst()));
        assertTrue(e.getMessage().contains("two temporal loops over K"), e.getMessage());
    }

    private static MappedCascade gemm(String buf, String dram) {
        return AnalyticalModelTest.mapped(buf, dram);
    }

    private static void assertRoundTrip(MappedCascade mapped) {
        Mapping.EinsumMapping em = mapped.mapping().einsums().getFirst();
        Estimate.EinsumEstimate ours = AnalyticalModel.einsum(mapped, em, AnalyticalModel.Counting.TIMELOOP);
        TimeloopWriter.Export files = TimeloopWriter.export(mapped, em);
        TimeloopModel.Stats theirs = TimeloopModel.run(TimeloopReader.parse("arch.yaml", files.architecture(),
            "prob.yaml", files.problem(), "map.yaml", files.mapping(), "ERT.yaml", files.ert()));
        assertEquals(ours.points(), theirs.computes(), "computes");
        for (Estimate.Accesses a : ours.accesses()) {
            TimeloopModel.LevelStats level = theirs.levels().get(a.level());
            TimeloopModel.TensorStats t = level.tensors().get(a.tensor());
            long n = level.utilizedInstances();
            assertEquals(a.reads(), t.readsPerInstance() * n, a.level() + " " + a.tensor() + " reads");
            assertEquals(a.writes(), (t.fillsPerInstance() + t.updatesPerInstance()) * n,
                a.level() + " " + a.tensor() + " fills and updates");
        }
        assertEquals(ours.cycles(), theirs.cycles(), "cycles");
        assertEquals(ours.totalEnergyPj(), theirs.energyPj(), 1e-9 * ours.totalEnergyPj(), "energy");
    }
}
