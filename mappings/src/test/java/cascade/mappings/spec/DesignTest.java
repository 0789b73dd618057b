package cascade.mappings.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DesignTest {
    static final String GOOD = """
        design: mine
        architecture: fusemax
        cascade: attention-3pass
        units: {QS: PE1D, QK: PE2D, GM: PE1D, SN: PE1D, SD: PE1D, A: PE1D, AV: PE2D}
        groups:
          - einsums: [QS, QK, GM, SN, SD, A, AV]
            onChip: GlobalBuffer
            tile: {P: 64}
            keep: {K: GlobalBuffer, QK: stream}
        """;
    /** The same group pipelined: its units overlap (what chains and stepsInFlight are about). */
    static final String PIPELINED = GOOD + "    pipelined: true\n";

    @Test
    void presetsLoadAndKeepIsRead() {
        for (String name : Design.presetNames()) {
            assertEquals(name, Design.preset(name).name());
        }
        Design d = Design.parse("mine.yaml", GOOD);
        assertEquals(Map.of("K", "GlobalBuffer", "QK", Design.Group.STREAM), d.groups().getFirst().keep());
        assertEquals(Map.of("P", 64L), d.groups().getFirst().block(), "the block defaults to the tile");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'keep: {K: GlobalBuffer, QK: stream}'|'keep: {K: Attic}'|9:15|unknown storage level 'Attic'",
        "'keep: {K: GlobalBuffer, QK: stream}'|'keep: {K: stream}'|9:15|only an intermediate can stream",
        "'keep: {K: GlobalBuffer, QK: stream}'|'keep: {RM: GlobalBuffer}'|9:16|no Einsum of the group reads or writes 'RM'",
        "'QK: PE2D'|'QK: PE3D'|4:23|unknown compute unit 'PE3D'",
        "'onChip: GlobalBuffer'|'onChip: Cellar'|7:13|unknown storage level 'Cellar'",
        "'tile: {P: 64}'|'tile: {P: -64}'|8:15|must be positive",
        "'cascade: attention-3pass'|'cascade: nope'|3:10|no library cascade or file 'nope'",
        "'architecture: fusemax'|'architecture: no-such-arch.yaml'|2:15|no architecture preset or file 'no-such-arch.yaml'",
        "'design: mine'|'design: [mine'|2:13|YAML syntax",
    })
    void badDesignsNameTheSpot(String from, String to, String at, String message) {
        String text = GOOD.replace(from, to);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Design.parse("mine.yaml", text));
        String shown = e.getMessage();
        assertTrue(shown.startsWith("mine.yaml:"), shown);
        if (at != null) {
            assertTrue(shown.startsWith("mine.yaml:" + at + ":"), shown);
        }
        if (message != null) {
            assertTrue(shown.contains(message), shown);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'storedBits: {K: 0}'|10:17|must be positive",
        "'storedBits: {K: 40}'|10:17|a width of 40 bits for K",
        "'storedBits: {QK: 4}'|10:18|'QK' is an intermediate",
        "'storedBits: {Z: 4}'|10:17|no tensor 'Z'",
    })
    void badStoredWidthsNameTheSpot(String line, String at, String message) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Design.parse("mine.yaml", GOOD + line + "\n"));
        assertTrue(e.getMessage().startsWith("mine.yaml:" + at + ": ") && e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'    chains: [[SN, XX]]'|11:19|'XX' is not an Einsum of the group",
        "'    chains: [[SN, SD], [SD, A]]'|11:25|'SD' is in two chains",
        "'    chains: [[SD, GM]]'|11:19|'GM' reads no earlier Einsum of its chain [SD]",
        "'    chains: [[SN]]'|11:14|a chain needs two Einsums or more",
        "'    chains: [[SD, A]]'|11:19|'A' needs SD whole before its first element",
        "'    inFlight: 1\n    stepsInFlight: 2'|12:20|stepsInFlight 2 is more than the group's inFlight 1",
        "'    pipelined: false\n    chains: [[SN, SD]]'|11:13|chains applies to a pipelined group",
        "'    pipelined: false\n    stepsInFlight: 1'|11:20|stepsInFlight applies to a pipelined group",
    })
    void badChainsNameTheSpot(String lines, String at, String message) {
        String text = (lines.contains("pipelined") ? GOOD : PIPELINED) + lines.replace("\\n", "\n") + "\n";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Design.parse("mine.yaml", text));
        assertTrue(e.getMessage().startsWith("mine.yaml:" + at + ": ") && e.getMessage().contains(message), e.getMessage());
    }

    /** A chain is read in order; under another cascade it keeps the members that still read an earlier one. */
    @Test
    void chainsAreReadAndFollowTheCascade() {
        Design d = Design.parse("mine.yaml", PIPELINED + "    chains: [[SN, SD]]\n");
        Design.Group g = d.groups().getFirst();
        assertEquals(java.util.List.of(java.util.List.of("SN", "SD")), g.chains());
        assertEquals(java.util.List.of("SN"), g.streamsInto(d.cascade(), "SD"));
        assertEquals(java.util.List.of(), g.streamsInto(d.cascade(), "SN"));
        assertEquals(g.chains(), d.withCascade(cascade.einsum.CascadeLibrary.load("attention-2pass")).groups().getFirst()
            .chains(), "2-pass computes SN and SD too");
        assertEquals(java.util.List.of(), d.withCascade(cascade.einsum.CascadeLibrary.load("attention-1pass")).groups()
            .getFirst().chains(), "1-pass has neither");
    }

    /**
     * A tensor stored narrower than the word moves fewer DRAM words, in the estimate and in its
     * energy: K at half the word is half K's bytes; the rest does not move.
     */
    @Test
    void storedWidthsPackDramTransfers() {
        Design plain = Design.parse("mine.yaml", GOOD);
        int word = plain.architecture().wordBits();
        Design narrow = Design.parse("mine.yaml", GOOD + "storedBits: {K: " + word / 2 + "}\n");
        assertEquals(Map.of("K", word / 2), narrow.storedBits());
        assertEquals(5, narrow.dramWords("K", 9), "9 half-words take 5 words");
        assertEquals(9, narrow.dramWords("Q", 9));
        Map<String, Long> sizes = Map.of("E", 64L, "F", 64L, "P", 1024L, "M", 1024L);
        var lowering = cascade.mappings.lowering.Lowering.standard();
        var a = cascade.mappings.model.ClosedForm.INSTANCE.cost(lowering.lower(plain, sizes, 4));
        var b = cascade.mappings.model.ClosedForm.INSTANCE.cost(lowering.lower(narrow, sizes, 4));
        assertEquals(a.dramBytesByTensor().get("K") / 2, b.dramBytesByTensor().get("K"));
        assertEquals(a.dramBytesByTensor().get("Q"), b.dramBytesByTensor().get("Q"));
        assertEquals(a.dramBytesByTensor().get("V"), b.dramBytesByTensor().get("V"));
        assertTrue(b.energyPj() < a.energyPj());
        assertEquals(Map.of("K", word / 2), narrow.withCascade(narrow.cascade()).storedBits(), "kept with the cascade");
    }

    @Test
    void anUnknownAssumptionIsNamedWhereItIsWritten() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Design.parse("mine.yaml",
            GOOD + "assumptions:\n  unlimitedOnChipBandwidth: true\n  perfectCaches: true\n"));
        assertTrue(e.getMessage().startsWith("mine.yaml:12:3: unknown assumption 'perfectCaches'; known: "
            + "unlimitedOnChipBandwidth, trafficBoundMemory, pipelinedExp, foldedScale"), e.getMessage());
        InvalidInputException v = assertThrows(InvalidInputException.class, () -> Design.parse("mine.yaml",
            GOOD + "assumptions:\n  pipelinedExp: sometimes\n"));
        assertTrue(v.getMessage().startsWith("mine.yaml:11:17: pipelinedExp is true or false"), v.getMessage());
    }

    @Test
    void assumptionsChangeTheHardwareTheModelsSeeAndComeOffByName() {
        Design d = Design.parse("mine.yaml", GOOD + "assumptions:\n  pipelinedExp: true\n  unlimitedOnChipBandwidth: true\n");
        assertEquals(1, d.architecture().compute("PE1D").issueCycles(java.util.Set.of("exp")));
        assertEquals(7, d.specified().compute("PE1D").issueCycles(java.util.Set.of("exp")));
        assertTrue(Double.isInfinite(d.architecture().storage("GlobalBuffer").bandwidthWordsPerCycle()));
        Design off = d.without(java.util.List.of(Assumption.PIPELINED_EXP));
        assertEquals(7, off.architecture().compute("PE1D").issueCycles(java.util.Set.of("exp")));
        assertTrue(Double.isInfinite(off.architecture().storage("GlobalBuffer").bandwidthWordsPerCycle()));
    }

    @Test
    void flatsTableRefusesAShareOutsideZeroToOneAtItsField() {
        String header = "platform,models,seq_len,B,D,E,F,H,M,P,S,Q_loc,K_loc,QK_loc,A_loc,V_loc,AV_loc,QK_stationarity,"
            + "AV_stationarity,fusion_granularity,P1,proportion_buffered,proportion_spilled\n";
        String good = "cloud,BERT,1K,64,768,64,64,12,1024,1024,3072,offchip,offchip,onchip,onchip,offchip,offchip,output,"
            + "output,head,256,1,0\n";
        assertEquals(1, FlatDataflows.parse("t.csv", header + good, Map.of("platform", "cloud")).rows().size());
        String bad = good.replace(",1,0\n", ",0.5,1.5\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> FlatDataflows.parse("t.csv", header + good + bad, Map.of()));
        int col = bad.lastIndexOf(',') + 2;
        assertTrue(e.getMessage().startsWith("t.csv:3:" + col + ": proportion_spilled is a share of the score slice, in "
            + "[0, 1]; found 1.5"), e.getMessage());
        InvalidInputException loc = assertThrows(InvalidInputException.class,
            () -> FlatDataflows.parse("t.csv", header + good.replace("onchip,onchip", "onchip,attic"), Map.of()));
        assertTrue(loc.getMessage().contains("A_loc is onchip or offchip, found 'attic'"), loc.getMessage());
    }
}
