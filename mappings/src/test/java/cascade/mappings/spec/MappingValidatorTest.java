package cascade.mappings.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Cascade;
import cascade.einsum.CascadeLibrary;
import cascade.einsum.Diagnostic;
import cascade.einsum.InvalidInputException;
import cascade.hw.Architecture;
import cascade.hw.ArchitectureLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

public class MappingValidatorTest {


    public static final Cascade GEMM = Cascade.parse("gemm.cas", """
        cascade gemm
        rank M = 8, N = 8, K = 8
        input  A[m,k] : fp32
        input  B[k,n] : fp32
        output C[m,n] : fp32
        C[m,n] = sum_k A[m,k] * B[k,n]
        """);

    /** Output-stationary: the 8×8×8 GEMM in Buf (3 × 64 words = its 192), a 4×4 fan-out, C held in each PE's RF. */
    static final String GOOD = """
        mapping: gemm-os
        einsums:
          C:
            unit: PE
            levels:
              DRAM: {temporal: []}
              Buf:
                temporal: [m: 2, n: 2, k: 8]
                spatial: {rows: [m: 4], cols: [n: 4]}
              RF:
                keep: [A, B, C]
        """;

    static MappedCascade validate(String mappingText) {
        return MappingValidator.validate(MappingLoader.parse("map.yaml", mappingText), GEMM, GEMM.sizes(Map.of()), TINY);
    }

    @Test
    void aFittingMappingIsAccepted() {
        MappedCascade m = validate(GOOD);
        assertEquals("gemm-os", m.mapping().name());
        assertEquals(3, m.mapping().einsums().getFirst().levels().size());
    }

    /** {@code from} in GOOD replaced by {@code to}; the first problem must be at {@code token}'s place and contain {@code message}. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown Einsum      | '  C:'                | '  D:'                         | D:       | no Einsum computes 'D'",
        "unknown unit        | 'unit: PE'            | 'unit: PX'                     | PX       | unknown compute unit 'PX'",
        "rank not covered    | 'k: 8]'               | 'k: 4]'                        | k: 4     | rank k of Einsum C has 8 indices but its loops cover 4",
        "rank covered twice  | 'n: 2, k: 8]'         | 'n: 4, k: 8]'                  | n: 4     | covered more than once",
        "rank not in Einsum  | 'm: 2, n: 2'          | 'm: 2, q: 1, n: 2'             | q: 1     | rank q at level Buf is not a rank of Einsum C",
        "rank missing        | 'temporal: [m: 2, n: 2, k: 8]' | 'temporal: [m: 2, n: 2]' | '  C:' | rank k of Einsum C is not covered",
        "tile too large      | 'capacity: 192'       | 'capacity: 191'                | Buf:     | does not fit in Buf: its tiles (A 64 + B 64 + C 64 = 192 words) exceed the 191",
        "unknown level       | '      RF:'           | '      RG:'                    | RG:      | unknown storage level 'RG'",
        "keep unknown tensor | 'keep: [A, B, C]'     | 'keep: [A, B, X]'              | RF:      | level RF keeps X, which Einsum C neither reads nor writes",
        "bad factor          | 'm: 2, n: 2'          | 'm: two, n: 2'                 | two      | the factor of m must be a whole number",
        "zero factor         | 'm: 2, n: 2'          | 'm: 0, n: 2'                   | 0,       | must be positive"})
    void badMappingsAreLocatedAndNamed(String name, String from, String to, String token, String message) {
        String arch = "capacity: 192 words";
        String text = GOOD;
        Architecture a = TINY;
        if (from.startsWith("capacity")) {
            a = ArchitectureLoader.parse("tiny.yaml", TINY_TEXT.replace(arch, to + " words"));
        } else {
            assertTrue(text.contains(from), from);
            text = text.replace(from, to);
        }
        String mappingText = text;
        Architecture architecture = a;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> MappingValidator.validate(
            MappingLoader.parse("map.yaml", mappingText), GEMM, GEMM.sizes(Map.of()), architecture));
        Diagnostic d = e.diagnostics().getFirst();
        String[] lines = mappingText.split("\n");
        int line = -1;
        int col = -1;
        for (int i = 0; i < lines.length && line < 0; i++) {
            int at = lines[i].indexOf(token.strip());
            if (at >= 0 && (!token.equals("  C:") || lines[i].equals("  C:"))) {
                line = i + 1;
                col = at + 1;
            }
        }
        assertEquals("map.yaml:" + line + ":" + col, d.pos().file() + ":" + d.pos().line() + ":" + d.pos().col(), d.toString());
        assertTrue(d.message().contains(message), d.toString());
    }

    @Test
    void spatialLoopsWiderThanTheArrayAreRejected() {
        String text = GOOD.replace("temporal: [m: 2, n: 2, k: 8]", "temporal: [n: 2, k: 8]").replace("rows: [m: 4]", "rows: [m: 8]");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> validate(text));
        assertEquals("map.yaml:9:26: Einsum C spreads 8 over the rows at Buf, but unit PE has 4",
            e.diagnostics().getFirst().toString());
    }

    @Test
    void levelsMustBeListedOutermostFirst() {
        String text = GOOD.replace("      DRAM: {temporal: []}\n", "").replace("        keep: [A, B, C]\n",
            "        keep: [A, B, C]\n      DRAM: {temporal: []}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> validate(text));
        assertEquals("map.yaml:11:7: level DRAM is listed after RF but is outside it in tiny; list levels outermost first",
            e.diagnostics().getFirst().toString());
    }

    public static final String TINY_TEXT = """
        architecture: tiny
        source: test
        clock: 1 GHz
        technology: 16 nm
        word: 16 bit
        storage:
          - name: DRAM
            kind: dram
            bandwidth: 16 GB/s
            read: 10 pJ
            write: 10 pJ
          - name: Buf
            kind: sram
            capacity: 192 words
            read: 1 pJ
            write: 1 pJ
          - name: RF
            kind: regfile
            capacity: 4 words
            instances: 16
            read: 0.1 pJ
            write: 0.1 pJ
        compute:
          - name: PE
            kind: array2d
            under: RF
            rows: 4
            cols: 4
            ops: [mac]
            energy: {mac: 1 pJ}
        """;

    public static final Architecture TINY = ArchitectureLoader.parse("tiny.yaml", TINY_TEXT);

    @Test
    void anOperatorTheUnitLacksIsNamed() {
        // FuseMax's 2D array has no divider: the final division of the 1-pass cascade cannot go there.
        Cascade onePass = CascadeLibrary.load("attention-1pass");
        Map<String, Long> sizes = onePass.sizes(Map.of("E", 64L, "F", 64L, "P", 256L, "M", 256L));
        String text = """
            mapping: wrong-unit
            einsums:
              AV:
                unit: PE2D
                levels:
                  GlobalBuffer: {temporal: [f: 64, p: 256]}
            """;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> MappingValidator.validate(
            MappingLoader.parse("m.yaml", text), onePass, sizes, ArchitectureLoader.preset("fusemax")));
        Diagnostic d = e.diagnostics().getFirst();
        assertEquals("m.yaml:4:11: Einsum AV needs 'div', which unit PE2D lacks (it has mac, add, max, min, exp)", d.toString());
    }
}
