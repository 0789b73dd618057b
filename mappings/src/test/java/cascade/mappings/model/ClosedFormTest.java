package cascade.mappings.model;

import cascade.mappings.lowering.Lowering;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.ModelShape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The three presets on BERT-like attention (12 heads, E = F = 64, batch 64) at 1K to 1M tokens.
 * Checked: every estimate is complete; the unfused baseline's DRAM traffic grows with the P×M
 * intermediates; FuseMax beats both baselines; FuseMax's 2D array approaches full utilisation as
 * the sequence grows (per-block work amortises over more key chunks), as the paper reports.
 */
class ClosedFormTest {
    static final long[] LENGTHS = {1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20};

    static Map<Long, Report> sweep(String design) {
        Lowering lowering = Lowering.withMapper(8, 300);
        Map<Long, Report> out = new LinkedHashMap<>();
        for (long n : LENGTHS) {
            out.put(n, ClosedForm.INSTANCE.cost(lowering.lower(Design.preset(design), ModelShape.BERT.bindings(n), 64L * 12)));
        }
        return out;
    }

    static Map<Integer, Boolean> groupsOnChip(Report r) {
        return ((Report.ClosedFormDetail) r.detail()).groupsOnChip();
    }

    @Test
    void presetsGiveCompleteEstimatesAndTheExpectedOrdering() {
        Map<Long, Report> fusemax = sweep("fusemax");
        Map<Long, Report> flat = sweep("flat");
        Map<Long, Report> unfused = sweep("unfused");
        for (long n : LENGTHS) {
            for (Report r : new Report[] {fusemax.get(n), flat.get(n), unfused.get(n)}) {
                assertTrue(r.cycles() > 0 && r.energyPj() > 0 && r.dramBytes() > 0, r.design() + " at " + n);
                double u2 = r.utilization().get("PE2D");
                assertTrue(u2 > 0 && u2 <= 1, r.design() + " 2D utilisation " + u2);
                // No design beats the 2D array's compute bound: 2·H·B·P·M·E MACs on 65,536 PEs.
                assertTrue(r.cycles() >= 2.0 * 768 * n * n * 64 / 65536, r.design() + " faster than the array allows");
            }
            assertTrue(fusemax.get(n).cycles() < flat.get(n).cycles(), "FuseMax vs FLAT at " + n);
            assertTrue(fusemax.get(n).cycles() < unfused.get(n).cycles(), "FuseMax vs unfused at " + n);
        }
        for (int i = 1; i < LENGTHS.length; i++) {
            double before = fusemax.get(LENGTHS[i - 1]).utilization().get("PE2D");
            double now = fusemax.get(LENGTHS[i]).utilization().get("PE2D");
            assertTrue(now >= before - 1e-9, "FuseMax 2D utilisation fell from " + before + " to " + now);
        }
        for (long n : new long[] {1 << 16, 1 << 18, 1 << 20}) {
            assertTrue(fusemax.get(n).utilization().get("PE2D") > 0.97, "FuseMax 2D utilisation at " + n);
        }
        // Unfused: QK and A (P×M each) go through DRAM, and from 4K on the softmax's own intermediates (SN: P×M)
        // no longer fit the 32 MiB buffer: ~16x the traffic for 4x the length, more where they start to spill.
        for (int i = 1; i < LENGTHS.length; i++) {
            double growth = (double) unfused.get(LENGTHS[i]).dramBytes() / unfused.get(LENGTHS[i - 1]).dramBytes();
            assertTrue(growth > 12 && growth < (i == 1 ? 40 : 17), "unfused DRAM growth " + growth + " at " + LENGTHS[i]);
        }
        // FLAT at 1K: only Q, K, V and AV cross DRAM (the table keeps QK and A on chip): 4·B·H·P·E words of 2 bytes.
        assertEquals(4L * 768 * 1024 * 64 * 2, flat.get(LENGTHS[0]).dramBytes());
        // At 1M the table sends QK and A off chip: P×M words each, written and read.
        assertTrue(flat.get(LENGTHS[5]).dramBytes() > 768L * 4 * (1L << 40), "FLAT at 1M");
    }

    private static Report.StageCycles onlyStage(String chains) {
        String text = """
            design: chained
            architecture: fusemax
            cascade: attention-3pass
            units: {QS: PE1D, QK: PE2D, GM: PE1D, SN: PE1D, SD: PE1D, A: PE1D, AV: PE2D}
            groups:
              - einsums: [QS, QK, GM, SN, SD, A, AV]
                pipelined: true
                onChip: GlobalBuffer
                tile: {P: 256}
                keep: {K: GlobalBuffer, V: GlobalBuffer, QK: stream}
            """ + chains;
        Design d = Design.parse("chained.yaml", text);
        Report r = ClosedForm.INSTANCE.cost(Lowering.withMapper(8, 300).lower(d,
            Map.of("E", 64L, "F", 64L, "P", 1024L, "M", 1024L), 1));
        return ((Report.ClosedFormDetail) r.detail()).stages().getFirst();
    }

    private static long cyclesOf(Report.StageCycles st, String einsum) {
        return st.works().stream().filter(w -> w.einsum().equals(einsum)).findFirst().orElseThrow().cycles();
    }

    /**
     * A chain member on its feeder's unit adds only the cycles its feeder's pass lacks (the sum SD
     * over the exponentials SN: as many elements, so none); one on another unit (GM on the 1D array
     * reading QK from the 2D array) still spends its own, and the other units do not move.
     */
    @Test
    void aChainedEinsumRidesItsFeedersPass() {
        Report.StageCycles plain = onlyStage("");
        Report.StageCycles riding = onlyStage("    chains: [[SN, SD]]\n");
        Report.StageCycles across = onlyStage("    chains: [[QK, GM]]\n");
        long sn = cyclesOf(plain, "SN");
        long sd = cyclesOf(plain, "SD");
        assertTrue(sd > 0 && sn >= sd, sn + " " + sd);
        assertEquals(Math.max(0, sd - sn), cyclesOf(riding, "SD"));
        assertEquals(plain.unitCycles().get("PE1D") - sd + Math.max(0, sd - sn), riding.unitCycles().get("PE1D"));
        assertEquals(plain.unitCycles().get("PE2D"), riding.unitCycles().get("PE2D"));
        assertEquals(plain.unitCycles(), across.unitCycles());
        assertEquals(java.util.List.of("SN"), riding.works().stream().filter(w -> w.einsum().equals("SD")).findFirst()
            .orElseThrow().inPassOf(), "the explanation says whose pass SD computes in");
        assertTrue(across.works().stream().allMatch(w -> w.inPassOf().isEmpty()), "GM is on another unit than QK");
    }
}
