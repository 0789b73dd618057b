package cascade.sim.cli;

import cascade.einsum.Cascade;
import cascade.einsum.exec.Executor;
import cascade.hw.rtl.AttentionCore;
import cascade.hw.rtl.AttentionParams;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.spec.Design;
import cascade.sim.engine.Simulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attention core's three descriptions side by side: its cascade (the 1-pass cascade with the
 * core's chunk as M0) on the fp32 executor, the same architecture file under the cycle-level
 * simulator with the core's design (which unit runs which Einsum), and the RTL with its bit-exact
 * model.
 */
final class RtlAttention {
    private RtlAttention() {
    }

    /** The 1-pass cascade in chunks of the core's columns. */
    static String cascadeText(AttentionParams p) {
        return String.join("\n",
            "cascade attention-core \"The RTL attention core's 1-pass cascade: chunks of " + p.cols() + " keys\"",
            "rank E, F, P, M",
            "rank M -> M1, M0 = " + p.cols(),
            "input  Q[e,p]  : fp32",
            "input  K[e,m]  : fp32",
            "input  V[f,m]  : fp32",
            "output AV[f,p] : fp32",
            "",
            "QS[e,p]       = scale(Q[e,p], 1 / sqrt(E))",
            "QK[m1,m0,p]   = sum_e QS[e,p] * K[e,m1,m0]",
            "LM[m1,p]      = max_m0 QK[m1,m0,p]",
            "RM[m1+1,p]    = max(RM[m1,p], LM[m1,p])                  init -inf",
            "SLN[m1,m0,p]  = exp(QK[m1,m0,p] - RM[m1+1,p])",
            "SLD[m1,p]     = sum_m0 SLN[m1,m0,p]",
            "SLNV[m1,f,p]  = sum_m0 SLN[m1,m0,p] * V[f,m1,m0]",
            "PRM[m1,p]     = exp(RM[m1,p] - RM[m1+1,p])",
            "RD[m1+1,p]    = RD[m1,p] * PRM[m1,p] + SLD[m1,p]         init 0",
            "RNV[m1+1,f,p] = RNV[m1,f,p] * PRM[m1,p] + SLNV[m1,f,p]   init 0",
            "AV[f,p]       = RNV[M1,f,p] / RD[M1,p]",
            "");
    }

    /**
     * The core's design: QK and SLNV on the array, the softmax and the rescaling on the lanes, AV
     * on the drain's dividers; a block of R queries runs through every chunk before the next (a
     * tile of R queries), its steps one at a time while the block before divides (two runs in
     * flight, one of them steps), the inputs resident in the memories. What the lanes compute as
     * an operand streams past is a chain: the running maximum as the chunk's maximum comes out,
     * the exponentials' sum as they are made, the rescaled numerator as SLN·V's row sums leave
     * the adder trees. The scale is
     * folded into the lanes' score-to-table multiplier, and every memory bank serves its reader
     * each cycle (operands are broadcast), hence unlimited on-chip bandwidth.
     */
    static String designText(AttentionParams p, String archFile, AttentionParams.Units u) {
        return String.join("\n",
            "design: attention-core",
            "architecture: " + archFile,
            "cascade: attention-core.cas",
            "assumptions:",
            "  foldedScale: [QS]",
            "  unlimitedOnChipBandwidth: true",
            "units:",
            "  QS: " + u.lanes(),
            "  QK: " + u.array(),
            "  LM: " + u.lanes(),
            "  RM: " + u.lanes(),
            "  PRM: " + u.lanes(),
            "  SLN: " + u.lanes(),
            "  SLD: " + u.lanes(),
            "  SLNV: " + u.array(),
            "  RD: " + u.lanes(),
            "  RNV: " + u.lanes(),
            "  AV: " + u.drain(),
            "groups:",
            "  - einsums: [QS, QK, LM, RM, PRM, SLN, SLD, SLNV, RD, RNV, AV]",
            "    pipelined: true",
            "    onChip: Memories",
            "    tile: {P: " + p.rows() + "}",
            "    block: {P: " + p.rows() + "}",
            "    inFlight: 2",
            "    stepsInFlight: 1",
            "    chains: [[LM, RM], [SLN, SLD], [SLNV, RNV]]",
            "    keep:",
            "      Q: Memories",
            "      K: Memories",
            "      V: Memories",
            "");
    }

    /** The cycle-level simulator's cycles for heads of {@code tokens} tokens on the architecture. */
    static long simulatorCycles(String archText, AttentionParams p, int tokens, int heads, Path work) throws IOException {
        Path dir = work.toAbsolutePath().resolve("attention-sim");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("architecture.yaml"), archText, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("attention-core.cas"), cascadeText(p), StandardCharsets.UTF_8);
        Path designFile = dir.resolve("design.yaml");
        String design = designText(p, "architecture.yaml", AttentionParams.units("architecture.yaml", archText));
        Files.writeString(designFile, design, StandardCharsets.UTF_8);
        Design d = Design.parse(designFile.toString(), design);
        Map<String, Long> sizes = Map.of("E", (long) p.headDim(), "F", (long) p.valueDim(), "P", (long) tokens, "M",
            (long) tokens);
        return Simulator.run(Lowering.standard().lower(d, sizes, heads), Simulator.Options.defaults()).cycles();
    }

    /** How a core run's AV compares: elements differing from the bit-exact model, and the error against fp32. */
    record Agreement(long mismatches, long outputs, double maxRelativeError) {
    }

    /**
     * {@code got} against the model's AV bit for bit, and against the fp32 executor's {@code ref}
     * as {@code run} measures error: the largest difference over the largest reference magnitude.
     */
    static Agreement compare(AttentionParams p, long[][][] got, long[][][] model, double[][][] ref) {
        long mismatches = 0;
        long outputs = 0;
        double worst = 0;
        double largest = 0;
        double unit = 1 << p.outputFraction();
        for (int h = 0; h < got.length; h++) {
            for (int t = 0; t < got[h].length; t++) {
                for (int f = 0; f < got[h][t].length; f++) {
                    outputs++;
                    mismatches += got[h][t][f] == model[h][t][f] ? 0 : 1;
                    worst = Math.max(worst, Math.abs(got[h][t][f] / unit - ref[h][t][f]));
                    largest = Math.max(largest, Math.abs(ref[h][t][f]));
                }
            }
        }
        return new Agreement(mismatches, outputs, worst / Math.max(largest, Double.MIN_NORMAL));
    }

    /** The cascade on the fp32 executor, head by head, on the dequantised inputs: av[h][p][f]. */
    static double[][][] executor(AttentionParams p, AttentionCore.Inputs in) {
        Cascade c = Cascade.parse("attention-core.cas", cascadeText(p));
        int n = in.tokens();
        int e = p.headDim();
        int f = p.valueDim();
        Map<String, Long> sizes = c.sizes(Map.of("E", (long) e, "F", (long) f, "P", (long) n, "M", (long) n));
        double unit = 1 << p.inputFraction();
        double[][][] av = new double[in.heads()][n][f];
        try (Executor executor = new Executor(Runtime.getRuntime().availableProcessors())) {
            for (int h = 0; h < in.heads(); h++) {
                float[] q = new float[e * n];
                float[] k = new float[e * n];
                float[] v = new float[f * n];
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < e; i++) {
                        q[i * n + t] = (float) (in.q()[h][t][i] / unit);
                        k[i * n + t] = (float) (in.k()[h][t][i] / unit);
                    }
                    for (int i = 0; i < f; i++) {
                        v[i * n + t] = (float) (in.v()[h][t][i] / unit);
                    }
                }
                Map<String, float[]> inputs = new LinkedHashMap<>();
                inputs.put("Q", q);
                inputs.put("K", k);
                inputs.put("V", v);
                float[] out = executor.run(c, sizes, inputs).outputs().get("AV");
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < f; i++) {
                        av[h][t][i] = out[i * n + t];
                    }
                }
            }
        }
        return av;
    }
}
