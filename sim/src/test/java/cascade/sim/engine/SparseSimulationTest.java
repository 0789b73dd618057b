package cascade.sim.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.hw.ActionCounts;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.model.Report;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.SparsityPolicy;
import java.util.Map;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Masked attention on FuseMax's design, run by the simulator and the closed form: the MACs performed
 * against an enumeration of every (query, key) pair, the order of skipping, gating and neither, and
 * lengths that are not a multiple of the chunk.
 */
class SparseSimulationTest {
    private static final Lowering LOWERING = Lowering.withMapper(8, 300);
    private static final long E = 64;
    private static final long N = 1024; // four chunks of 256 keys, four blocks of 256 queries

    /** The 1-pass cascade with its scores masked. */
    private static Cascade masked(String mask) {
        String text = CascadeLibrary.source("attention-1pass")
            .replace("K[e,m1,m0]\n", "K[e,m1,m0]   where " + mask + " else -inf\n");
        return Cascade.parse("masked.cas", text);
    }

    private static Schedule schedule(Cascade c, SparsityPolicy policy, long seq) {
        Design d = Design.preset("fusemax").withCascade(c).withSparsity(policy);
        return LOWERING.lower(d, Map.of("P", seq, "M", seq, "E", E, "F", E), 2);
    }

    private static long macs(Report r, String einsum) {
        return r.actions().counts().getOrDefault(new ActionCounts.Action("PE2D", "mac", einsum), 0L);
    }

    private static long pairs(long queries, long keys, BiPredicate<Long, Long> kept) {
        long n = 0;
        for (long p = 0; p < queries; p++) {
            for (long m = 0; m < keys; m++) {
                n += kept.test(m, p) ? 1 : 0;
            }
        }
        return n;
    }

    private static void performedMacsAreTheEffectualOnes(String mask, BiPredicate<Long, Long> kept) {
        Cascade c = masked(mask);
        long effectual = pairs(N, N, kept) * E * 2; // two heads
        Report skip = Simulator.run(schedule(c, SparsityPolicy.SKIP, N), Simulator.Options.defaults());
        assertEquals(effectual, macs(skip, "QK"), mask + ": QK under skipping");
        assertEquals(effectual, macs(skip, "SLNV"), mask + ": SLNV under skipping");
        Report dense = Simulator.run(schedule(c, SparsityPolicy.DENSE, N), Simulator.Options.defaults());
        assertEquals(N * N * E * 2, macs(dense, "QK"), mask + ": QK neither skipping nor gating");
        assertEquals(N * N * E * 2, macs(dense, "SLNV"), mask + ": SLNV neither skipping nor gating");
        assertEquals(macs(skip, "QK"), macs(ClosedForm.INSTANCE.cost(schedule(c, SparsityPolicy.SKIP, N)), "QK"),
            "the closed form charges the same MACs");
    }

    @Test
    void causal() {
        performedMacsAreTheEffectualOnes("m <= p + M - P", (m, p) -> m <= p);
    }

    @Test
    void slidingWindow() {
        performedMacsAreTheEffectualOnes("m <= p + M - P and p + M - P - m < 300", (m, p) -> m <= p && p - m < 300);
    }

    @Test
    void sinksAndWindow() {
        performedMacsAreTheEffectualOnes("m <= p + M - P and (m < 4 or p + M - P - m < 300)",
            (m, p) -> m <= p && (m < 4 || p - m < 300));
    }

    @Test
    void blockSparse() {
        performedMacsAreTheEffectualOnes("m1 == 0 or (p - 256*m1 >= 0 and p - 256*m1 < 512)",
            (m, p) -> m / 256 == 0 || (p - 256 * (m / 256) >= 0 && p - 256 * (m / 256) < 512));
    }

    /** Skipping saves time and energy, gating energy only, and neither saves nothing within a run. */
    @Test
    void skipThenGateThenPlain() {
        Cascade c = masked("m <= p + M - P and (m < 4 or p + M - P - m < 300)");
        Report skip = Simulator.run(schedule(c, SparsityPolicy.SKIP, N), Simulator.Options.defaults());
        Report gate = Simulator.run(schedule(c, SparsityPolicy.GATE, N), Simulator.Options.defaults());
        Report plain = Simulator.run(schedule(c, SparsityPolicy.BLOCKS, N), Simulator.Options.defaults());
        assertTrue(skip.cycles() < gate.cycles(), skip.cycles() + " vs " + gate.cycles());
        assertEquals(plain.cycles(), gate.cycles(), "gating spends every cycle");
        assertTrue(skip.energyPj() <= gate.energyPj(), skip.energyPj() + " vs " + gate.energyPj());
        assertTrue(gate.energyPj() < plain.energyPj(), gate.energyPj() + " vs " + plain.energyPj());
    }

    /** Skipping a whole masked run is exact: playing every task gives the same figures as skipping repeats. */
    @ParameterizedTest
    @CsvSource({"attention-causal, 4096", "streaming-llm, 8192", "streaming-llm, 262144"})
    void repeatsSkipExactlyUnderMasks(String cascade, long seq) {
        Design d = Design.preset("fusemax").withCascade(CascadeLibrary.load(cascade));
        // Eight heads: tiles recur from the fifth on (the first ones start with no prefetch or write behind them).
        Schedule s = LOWERING.lower(d, Map.of("P", seq, "M", seq, "E", E, "F", E), 8);
        Report full = Simulator.run(s, new Simulator.Options(false, null));
        Report fast = Simulator.run(s, new Simulator.Options(true, null));
        assertEquals(full.cycles(), fast.cycles(), cascade + " cycles");
        assertEquals(full.wordsByLevel(), fast.wordsByLevel());
        assertEquals(full.actions(), fast.actions());
        var fastSim = (Report.SimulationDetail) fast.detail();
        assertTrue(fastSim.skippedTasks() > 0, "nothing skipped as a repeat");
    }

    /**
     * Outside the classified steps (the unfused design's stages run whole heads) a skipping design is
     * charged each Einsum's effectual share per run, by the simulator as by the closed form.
     */
    @Test
    void skippingOutsideTheStepsIsChargedAlikeByBothModels() {
        Design plain = Design.preset("unfused").withCascade(CascadeLibrary.load("attention-causal"));
        Map<String, Long> bind = Map.of("P", N, "M", N, "E", E, "F", E);
        Schedule skipping = LOWERING.lower(plain.withSparsity(SparsityPolicy.SKIP), bind, 2);
        Report sim = Simulator.run(skipping, Simulator.Options.defaults());
        Report model = ClosedForm.INSTANCE.cost(skipping);
        assertTrue(Math.abs(sim.cycles() - model.cycles()) < 0.01 * model.cycles(), sim.cycles() + " vs " + model.cycles());
        Report blocks = Simulator.run(LOWERING.lower(plain, bind, 2), Simulator.Options.defaults());
        assertTrue(sim.cycles() < 0.7 * blocks.cycles(), "causal skips about half: " + sim.cycles() + " vs " + blocks.cycles());
    }

    /** 1000 tokens: the padded chunk under a design that computes every point, the effectual work under skipping. */
    @Test
    void aLengthNotAMultipleOfTheChunk() {
        Cascade c = CascadeLibrary.load("attention-1pass");
        Report padded = Simulator.run(schedule(c, SparsityPolicy.DENSE, 1000), Simulator.Options.defaults());
        Report whole = Simulator.run(schedule(c, SparsityPolicy.DENSE, 1024), Simulator.Options.defaults());
        // The arrays compute the last chunk and block whole; DRAM moves only the queries there are.
        assertEquals(1024 * 1024 * E * 2, macs(padded, "QK"));
        assertEquals(macs(whole, "SLNV"), macs(padded, "SLNV"));
        assertTrue(Math.abs(padded.cycles() - whole.cycles()) < 0.01 * whole.cycles(), padded.cycles() + " vs " + whole.cycles());
        Report skip = Simulator.run(schedule(c, SparsityPolicy.SKIP, 1000), Simulator.Options.defaults());
        assertEquals(1000 * 1000 * E * 2, macs(skip, "QK"), "only the real keys and queries");
        assertTrue(skip.cycles() < padded.cycles());
        Report estimate = ClosedForm.INSTANCE.cost(schedule(c, SparsityPolicy.SKIP, 1000));
        assertEquals(macs(skip, "SLNV"), macs(estimate, "SLNV"));
    }
}
