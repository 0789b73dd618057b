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
}
