package cascade.hw.rtl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attention core: RTL against its bit-exact model, the model against textbook attention, the cycles against the formula. */
class AttentionCoreTest {
    static final Path WORK = Path.of("target", "rtl");
    static final AttentionCore CORE = new AttentionCore(AttentionParams.defaults());

    /** Textbook attention in double precision on the dequantised inputs, in the output's units. */
    static double[][][] reference(AttentionParams p, AttentionCore.Inputs in) {
        double unit = 1 << p.inputFraction();
        int n = in.tokens();
        double[][][] av = new double[in.heads()][n][p.valueDim()];
        for (int h = 0; h < in.heads(); h++) {
            for (int q = 0; q < n; q++) {
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    double dot = 0;
                    for (int e = 0; e < p.headDim(); e++) {
                        dot += in.q()[h][q][e] / unit * (in.k()[h][k][e] / unit);
                    }
                    s[k] = dot / Math.sqrt(p.headDim());
                    max = Math.max(max, s[k]);
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    s[k] = Math.exp(s[k] - max);
                    sum += s[k];
                }
                for (int f = 0; f < p.valueDim(); f++) {
                    double acc = 0;
                    for (int k = 0; k < n; k++) {
                        acc += s[k] * in.v()[h][k][f] / unit;
                    }
                    av[h][q][f] = acc / sum;
                }
            }
        }
        return av;
    }

    /** Acceptance 1: lint-clean, 200,000 cycles (a whole run of extreme operands first, then random traffic), no mismatch. */
    @Test
    void theRtlAgreesWithTheModelEveryCycle() throws Exception {
        Cosim cosim = new Cosim(WORK);
        assertEquals("", cosim.lint(CORE), "verilator --lint-only -Wall");
        Cosim.Result r = cosim.run(CORE, 200_000, 11, false, null);
        assertEquals(200_000, r.cycles());
        assertEquals(0, r.mismatches(), String.valueOf(r.first()));
    }

    /** Acceptance 1: a wrong rescale (the old state scaled by one step too much) is caught, with a VCD. */
    @Test
    void aWrongRescaleIsCaught() throws Exception {
        Path vcd = WORK.resolve("attention-bug.vcd");
        Files.deleteIfExists(vcd);
        Cosim.Result r = new Cosim(WORK).run(CORE, 5_000, 3, true, vcd);
        assertTrue(r.mismatches() > 0, "the planted bug went unnoticed");
        assertTrue(r.first().signal().startsWith("out_data_"), r.first().toString());
        assertTrue(Files.size(vcd) > 1000 && Files.readString(vcd).contains("$enddefinitions"), "VCD written");
    }

    /** A whole run through the Verilated core: the same AV, bit for bit, and the same cycles as the model. */
    @Test
    void aRunThroughTheRtlGivesTheModelsNumbers() throws Exception {
        AttentionCore.Inputs in = AttentionCore.Inputs.random(CORE.params(), 2, 64, 5);
        List<Map<String, Long>> stim = CORE.stimulus(in);
        AttentionCore.Outputs rtl = CORE.collect(in, stim, new Cosim(WORK).rtl(CORE, stim));
        AttentionCore.Outputs model = CORE.collect(in, stim, CORE.modelOutputs(stim));
        assertEquals(model.cycles(), rtl.cycles());
        assertTrue(java.util.Arrays.deepEquals(model.av(), rtl.av()), "RTL and model AV differ");
    }

    @Test
    void theModelComputesAttentionWithinTwoPercentAndInTheFormulasCycles() {
        AttentionParams p = CORE.params();
        for (int n : new int[] {8, 64, 200}) {
            AttentionCore.Inputs in = AttentionCore.Inputs.random(p, 2, n, n);
            List<Map<String, Long>> stim = CORE.stimulus(in);
            AttentionCore.Outputs out = CORE.collect(in, stim, CORE.modelOutputs(stim));
            double[][][] ref = reference(p, in);
            double worst = 0;
            double scale = 0;
            for (double[][] head : ref) {
                for (double[] row : head) {
                    for (double x : row) {
                        scale = Math.max(scale, Math.abs(x));
                    }
                }
            }
            for (int h = 0; h < 2; h++) {
                for (int q = 0; q < n; q++) {
                    for (int f = 0; f < p.valueDim(); f++) {
                        double got = out.av()[h][q][f] / (double) (1 << p.outputFraction());
                        worst = Math.max(worst, Math.abs(got - ref[h][q][f]) / scale);
                    }
                }
            }
            assertTrue(worst <= 0.02, n + " tokens: error " + worst + " of the largest output");
            assertEquals(AttentionCore.cycles(p, n, 2), out.cycles(), n + " tokens");
        }
    }
}
