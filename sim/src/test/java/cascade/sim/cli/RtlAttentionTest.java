package cascade.sim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.hw.rtl.AttentionCore;
import cascade.hw.rtl.AttentionParams;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.spec.Design;
import cascade.sim.engine.Simulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cycle-level simulator on the RTL core's architecture file and design against the core's own
 * cycle count ({@link AttentionCore#cycles}, which the RTL and its bit-exact model meet exactly).
 */
class RtlAttentionTest {
    @TempDir
    Path work;

    private long simulated(AttentionParams p, String design, int tokens) throws IOException {
        Path dir = Files.createDirectories(work.resolve("d" + tokens + design.hashCode()));
        Files.writeString(dir.resolve("architecture.yaml"), AttentionParams.builtInText(AttentionParams.DEFAULT_FILE));
        Files.writeString(dir.resolve("attention-core.cas"), RtlAttention.cascadeText(p));
        Files.writeString(dir.resolve("design.yaml"), design);
        Design d = Design.parse(dir.resolve("design.yaml").toString(), design);
        var sizes = Map.of("E", (long) p.headDim(), "F", (long) p.valueDim(), "P", (long) tokens, "M", (long) tokens);
        return Simulator.run(Lowering.standard().lower(d, sizes, 1), Simulator.Options.defaults()).cycles();
    }

    /**
     * Chunk for chunk the simulator takes the core's cycles: QK E + 1, the maximum C, the
     * exponentials C + 3, PV F + 2, the drain overlapping the next block. What it does not model is
     * the core's one hand-off cycle per block (and it spends three cycles on the resident inputs'
     * first loads), so it may differ by at most a cycle a block: well within 1%.
     */
    @Test
    void simulatorTakesTheCoresCyclesToACycleABlock() throws IOException {
        AttentionParams p = AttentionParams.defaults();
        String design = RtlAttention.designText(p, "architecture.yaml", AttentionParams.units(AttentionParams.DEFAULT_FILE,
            AttentionParams.builtInText(AttentionParams.DEFAULT_FILE)));
        for (int tokens : new int[] {8, 64, 200}) {
            long rtl = AttentionCore.cycles(p, tokens, 1);
            long sim = simulated(p, design, tokens);
            long blocks = tokens / p.rows();
            assertTrue(Math.abs(rtl - sim) <= blocks, tokens + " tokens: simulator " + sim + ", core " + rtl);
            assertTrue(Math.abs(rtl - sim) < 0.01 * rtl, tokens + " tokens: simulator " + sim + ", core " + rtl);
        }
    }

    /**
     * What makes it so: without the chains the maximum, the exponentials' sum and the rescaling
     * each take a pass of their own; without the controller (the steps held in the FIFO window
     * instead) a block's drain holds one of the two slots, so the next block's chunks wait for it.
     */
    @Test
    void chainsAndTheSequencedStepsAreWhatTheCoreDoes() throws IOException {
        AttentionParams p = AttentionParams.defaults();
        String design = RtlAttention.designText(p, "architecture.yaml", AttentionParams.units(AttentionParams.DEFAULT_FILE,
            AttentionParams.builtInText(AttentionParams.DEFAULT_FILE)));
        long rtl = AttentionCore.cycles(p, 64, 1);
        String unchained = design.replaceAll("(?m)^    chains:.*\\n", "");
        String overlapping = design.replaceAll("(?m)^    stepsInFlight:.*\\n", "");
        assertTrue(!unchained.equals(design) && !overlapping.equals(design));
        long withoutChains = simulated(p, unchained, 64);
        long withoutController = simulated(p, overlapping, 64);
        assertTrue(withoutChains > 1.1 * rtl, withoutChains + " against " + rtl);
        assertTrue(withoutController > 1.1 * rtl, withoutController + " against " + rtl);
    }

    /** The core's design skips repeated blocks and heads exactly: the same cycles as playing every task. */
    @Test
    void skippingTheCoresRepeatsIsExact() throws IOException {
        AttentionParams p = AttentionParams.defaults();
        String design = RtlAttention.designText(p, "architecture.yaml", AttentionParams.units(AttentionParams.DEFAULT_FILE,
            AttentionParams.builtInText(AttentionParams.DEFAULT_FILE)));
        Path dir = Files.createDirectories(work.resolve("heads"));
        Files.writeString(dir.resolve("architecture.yaml"), AttentionParams.builtInText(AttentionParams.DEFAULT_FILE));
        Files.writeString(dir.resolve("attention-core.cas"), RtlAttention.cascadeText(p));
        Files.writeString(dir.resolve("design.yaml"), design);
        Design d = Design.parse(dir.resolve("design.yaml").toString(), design);
        var sizes = Map.of("E", (long) p.headDim(), "F", (long) p.valueDim(), "P", 200L, "M", 200L);
        var s = Lowering.standard().lower(d, sizes, 3);
        var fast = Simulator.run(s, Simulator.Options.defaults());
        var full = Simulator.run(s, new Simulator.Options(false, null));
        assertEquals(full.cycles(), fast.cycles());
        assertTrue(((cascade.mappings.model.Report.SimulationDetail) fast.detail()).skippedTasks() > 0, "repeats skipped");
        assertTrue(Math.abs(AttentionCore.cycles(p, 200, 3) - fast.cycles()) < 0.01 * fast.cycles(),
            AttentionCore.cycles(p, 200, 3) + " against " + fast.cycles());
    }

    /**
     * Not tuned to the default core: other shapes of array, lanes and head (each file's drain one
     * divider a lane, as the generator builds it) time within a cycle a block of the core's count.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"4, 8, 16, 16", "4, 4, 8, 16", "2, 8, 16, 8"})
    void otherCoresTimeAlike(int rows, int cols, int headDim, int valueDim) throws IOException {
        String arch = AttentionParams.builtInText(AttentionParams.DEFAULT_FILE)
            .replace("    rows: 2\n", "    rows: " + rows + "\n").replace("    cols: 4\n", "    cols: " + cols + "\n")
            .replace("    width: 2\n", "    width: " + rows + "\n").replace("      value: 2\n", "      value: " + rows + "\n")
            .replace("  headDim: 8\n", "  headDim: " + headDim + "\n").replace("  valueDim: 8\n", "  valueDim: " + valueDim + "\n");
        AttentionParams p = AttentionParams.load("other.yaml", arch);
        org.junit.jupiter.api.Assertions.assertEquals(List.of(rows, cols, headDim, valueDim),
            List.of(p.rows(), p.cols(), p.headDim(), p.valueDim()));
        long sim = RtlAttention.simulatorCycles(arch, p, 64, 1, work.resolve(rows + "x" + cols + "-" + headDim + "-" + valueDim));
        long core = AttentionCore.cycles(p, 64, 1);
        assertTrue(Math.abs(core - sim) <= 64 / rows, rows + "x" + cols + ", E " + headDim + ", F " + valueDim + ": simulator "
            + sim + ", core " + core);
    }
}
