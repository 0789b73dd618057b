package cascade.einsum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.analysis.Analysis;
import cascade.einsum.analysis.Footprint;
import cascade.einsum.analysis.Passes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnalysisTest {
    private static Map<String, Long> sizes(Cascade c, String spec) {
        Map<String, Long> b = new LinkedHashMap<>();
        for (String kv : spec.split(",")) {
            String[] p = kv.split("=");
            b.put(p[0].strip(), Long.parseLong(p[1].strip()));
        }
        return c.sizes(b);
    }

    /** The pass counts documented in einsum/README.md, derived by hand from FuseMax's rule. */
    @ParameterizedTest(name = "{0}: {1} passes")
    @CsvSource({
        "attention-3pass, 3", "attention-2pass, 2", "attention-1pass, 1", "fusemax, 1", "attention-mha, 1",
        "attention-gqa, 1", "attention-gqa-heads, 1", "attention-mqa, 1", "attention-causal, 1", "attention-decode, 1", "streaming-llm, 1",
        "spatten-token, 4", "quest, 4", "h2o, 3", "linear-attention, 1"})
    void passesMatchTheDocumentedCounts(String name, int passes) {
        assertEquals(passes, Passes.count(CascadeLibrary.load(name), "M"));
    }

    /** A tile the text fixes is at most the rank: M = 64 under M0 = 256 is one tile; a bound tile, or a rank over it, still divides. */
    @Test
    void aRankSmallerThanItsTileIsOneTile() {
        Cascade c = CascadeLibrary.load("attention-1pass");
        Map<String, Long> small = sizes(c, "E=8,F=8,P=64,M=64");
        assertEquals(64L, small.get("M0"));
        assertEquals(1L, small.get("M1"));
        assertEquals(256L, sizes(c, "E=8,F=8,P=64,M=512").get("M0"));
        var bound = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
            () -> sizes(c, "E=8,F=8,P=64,M=64,M0=128"));
        assertTrue(bound.getMessage().contains("not a multiple of 128"), bound.getMessage());
        var ragged = org.junit.jupiter.api.Assertions.assertThrows(InvalidInputException.class,
            () -> sizes(c, "E=8,F=8,P=64,M=320"));
        assertTrue(ragged.getMessage().contains("not a multiple of 256"), ragged.getMessage());
    }

    @Test
    void threePassOpCountsByHand() {
        Cascade c = CascadeLibrary.load("attention-3pass");
        Analysis a = Analysis.of(c, sizes(c, "E=2,F=2,P=3,M=4"), "M");
        // QS: E*P=6 mul. QK: M*P*E=24 MAC. GM: M*P=12 max. SN: 12 sub + 12 exp. SD: 12 add.
        // A: 12 div. AV: F*P*M=24 MAC.
        assertEquals(48, a.ops().get("mac"));
        assertEquals(24, a.ops().get("add"));
        assertEquals(6, a.ops().get("mul"));
        assertEquals(12, a.ops().get("div"));
        assertEquals(12, a.ops().get("max"));
        assertEquals(12, a.ops().get("exp"));
        assertEquals(0, a.ops().get("gather"));
        assertTrue(a.opsExact());
        // Peak: QK, GM and SN live together when SN is computed: 2*M*P + P.
        assertEquals(2 * 4 * 3 + 3, a.footprintElements());
    }

    @Test
    void onePassOpCountsAndFootprintByHand() {
        Cascade c = CascadeLibrary.load("attention-1pass");
        Analysis a = Analysis.of(c, sizes(c, "E=2,F=2,P=3,M=512"), "M"); // M1 = 2 chunks of M0 = 256
        // QK, SLNV: 2*256*3*2 MACs each. LM: 1536 max; RM: M1*P=6 max. SLN: 1536 sub + 1536 exp.
        // SLD: 1536 add. PRM: 6 sub + 6 exp. RD: 6 mul + 6 add. RNV: 12 mul + 12 add. QS: 6 mul. AV: 6 div.
        assertEquals(6144, a.ops().get("mac"));
        assertEquals(1536 + 1536 + 6 + 6 + 12, a.ops().get("add"));
        assertEquals(6 + 6 + 12, a.ops().get("mul"));
        assertEquals(6, a.ops().get("div"));
        assertEquals(1536 + 6, a.ops().get("max"));
        assertEquals(1536 + 6, a.ops().get("exp"));
        // Stepped tensors keep one chunk (QK, SLN: M0*P; LM, SLD, PRM: P; SLNV: F*P) or two steps
        // (RM, RD: 2P; RNV: 2FP); QS (E*P) is still read by QK in the loop.
        long stepped = 768 + 3 + 6 + 768 + 3 + 6 + 3 + 6 + 12;
        assertEquals(stepped + 6, a.footprintElements());
    }

    @Test
    void onePassFootprintDoesNotGrowWithTheSequence() {
        Cascade c = CascadeLibrary.load("attention-1pass");
        long shortSeq = Footprint.peakElements(c, sizes(c, "E=128,F=128,P=128,M=4096"));
        long longSeq = Footprint.peakElements(c, sizes(c, "E=128,F=128,P=128,M=1048576"));
        assertEquals(shortSeq, longSeq);
        Cascade three = CascadeLibrary.load("attention-3pass");
        assertTrue(Footprint.peakElements(three, sizes(three, "E=128,F=128,P=128,M=4096")) >= 2L * 128 * 4096);
    }

    @Test
    void causalMaskIsCountedExactly() {
        Cascade c = CascadeLibrary.load("attention-causal");
        Analysis a = Analysis.of(c, sizes(c, "E=2,F=2,P=256,M=512"), "M");
        // Query p sees keys m <= p + 256: sum over p < 256 of (p + 257) scores, E = 2 MACs each.
        long scores = 0;
        for (int p = 0; p < 256; p++) {
            scores += p + 257;
        }
        long qk = a.perEinsum().stream().filter(e -> e.output().equals("QK")).findFirst().orElseThrow().points();
        assertEquals(scores * 2, qk);
        assertTrue(a.opsExact());
    }

    @Test
    void sinkAndWindowMaskMatchesBruteForce() {
        Cascade c = CascadeLibrary.load("streaming-llm");
        Analysis a = Analysis.of(c, sizes(c, "E=1,F=1,P=512,M=512,S=4,W=16"), "M");
        long brute = 0;
        for (int p = 0; p < 512; p++) {
            for (int m = 0; m < 512; m++) {
                if (m <= p && (m < 4 || p - m < 16)) {
                    brute++;
                }
            }
        }
        long qk = a.perEinsum().stream().filter(e -> e.output().equals("QK")).findFirst().orElseThrow().points();
        assertEquals(brute, qk);
    }

    @Test
    void selectionCountsGathersAndTopkCandidates() {
        Cascade c = CascadeLibrary.load("spatten-token");
        Analysis a = Analysis.of(c, sizes(c, "H=2,E=4,F=4,P=8,M=64,J=16"), "M");
        // TI scans M=64 candidates. Gathers: QK reads K[h,e,TI[j]] at H*J*P*E = 1024 points,
        // AV reads V at H*F*P*J = 1024 points, IMPOUT reads IMP[TI[j]] at J = 16 points.
        assertEquals(64, a.ops().get("topkElements"));
        assertEquals(1024 + 1024 + 16, a.ops().get("gather"));
    }

    @Test
    void flopsCountAMacAsTwo() {
        Cascade c = CascadeLibrary.load("attention-3pass");
        Analysis a = Analysis.of(c, sizes(c, "E=2,F=2,P=3,M=4"), "M");
        assertEquals(2 * 48 + 24 + 6 + 12 + 12 + 12, a.flops());
    }
}
