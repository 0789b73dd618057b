package cascade.sim.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.CascadeLibrary;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.model.Report;
import cascade.mappings.spec.Design;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Decoding one token against a 16K-token cache: Quest's page selection on FuseMax's arrays with a
 * top-k engine (the fusemax-topk preset, J = 64 pages of 16) against dense attention on FuseMax's
 * own design. Quest reads the page summaries and the 64 pages it keeps; dense reads every key and value.
 */
class SelectiveDecodeTest {
    private static final Lowering LOWERING = Lowering.withMapper(8, 300);
    private static final long M = 16384;

    private static long kv(Report r) {
        return r.dramBytesByTensor().getOrDefault("K", 0L) + r.dramBytesByTensor().getOrDefault("V", 0L);
    }

    @Test
    void questDecodingReadsAndTakesFarLessThanDense() {
        Schedule quest = LOWERING.lower(Design.preset("fusemax-topk"),
            Map.of("P", 1L, "M", M, "E", 64L, "F", 64L, "J", 64L), 12);
        Schedule dense = LOWERING.lower(Design.preset("fusemax").withCascade(CascadeLibrary.load("attention-1pass")),
            Map.of("P", 1L, "M", M, "E", 64L, "F", 64L), 12);
        Report questSim = Simulator.run(quest, Simulator.Options.defaults());
        Report denseSim = Simulator.run(dense, Simulator.Options.defaults());
        // The pages kept: 64 of 16 tokens, E = F = 64 words of 2 bytes, K and V, 12 heads.
        assertEquals(64L * 16 * 64 * 2 * 2 * 12, kv(questSim), "the gathered pages' keys and values, no more");
        assertEquals(M * 64 * 2 * 2 * 12, kv(denseSim));
        assertTrue(kv(questSim) < 0.25 * kv(denseSim));
        assertTrue(questSim.cycles() < 0.6 * denseSim.cycles(), questSim.cycles() + " vs " + denseSim.cycles());
        Report questModel = ClosedForm.INSTANCE.cost(quest);
        assertTrue(Math.abs(questModel.cycles() - questSim.cycles()) < 0.1 * questSim.cycles());
    }

    @Test
    void theTopKEngineTakesItsOwnTimeOnTheScores() {
        Schedule quest = LOWERING.lower(Design.preset("fusemax-topk"),
            Map.of("P", 1L, "M", M, "E", 64L, "F", 64L, "J", 64L), 1);
        Schedule.Work tp = quest.stages().stream().flatMap(st -> st.works().stream())
            .filter(w -> w.einsum().equals("TP")).findFirst().orElseThrow();
        assertEquals("TOPK", tp.unit());
        long pages = M / 16;
        // Quick-select with 16 comparators: at least one round over every page, ceil(n/16) + 3 cycles; on these
        // scores about 3n comparisons at most (its expected work is under 3.4n), where a loop nest over the
        // candidates and the kept pages would charge n·J/16 = 4096.
        long oneRound = (pages + 15) / 16 + 3;
        long quickSelectBound = 3 * pages / 16 + 3 * 2 * 10;
        assertTrue(tp.each().computeCycles() >= oneRound, tp.each().computeCycles() + " < " + oneRound);
        assertTrue(tp.each().computeCycles() <= quickSelectBound, tp.each().computeCycles() + " > " + quickSelectBound);
    }
}
