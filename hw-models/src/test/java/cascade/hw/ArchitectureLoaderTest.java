package cascade.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.Diagnostic;
import cascade.einsum.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArchitectureLoaderTest {
    @Test
    void fusemaxFiguresAreConvertedToModelUnits() {
        Architecture a = ArchitectureLoader.preset("fusemax");
        assertEquals(940e6, a.clockHz());
        assertEquals(16, a.wordBits());
        StorageLevel dram = a.storage("DRAM");
        // 400 GiB/s = 429,496,729,600 B/s; at 940 MHz and 2-byte words: 228.45 words per cycle.
        assertEquals(400.0 * (1L << 30) / 940e6 / 2, dram.bandwidthWordsPerCycle(), 1e-9);
        assertEquals(249.6 / 4, dram.readPjPerWord(), 1e-12, "249.6 pJ per 64-bit access is 4 words");
        assertTrue(dram.unbounded());
        StorageLevel buffer = a.storage("GlobalBuffer");
        assertEquals(16.0 * (1 << 20) / 2, buffer.capacityWords());
        assertEquals(485.0 / 256, buffer.readPjPerWord(), 1e-12);
        assertEquals(451.3 / 256, buffer.writePjPerWord(), 1e-12);
        assertEquals(256 * 32, buffer.bandwidthWordsPerCycle(), "a row of 256 words per bank per cycle");
        ComputeArray pe2d = a.compute("PE2D");
        assertEquals(65536, pe2d.pes());
        assertEquals(17.16, pe2d.energyPj().get("mac"));
        assertEquals(6 * 17.16 + 8.34, pe2d.energyPj().get("exp"), 1e-9);
        assertEquals(7, pe2d.latencyCycles().get("exp"));
        assertEquals(1, pe2d.latencyCycles().get("mac"));
        assertTrue(a.compute("PE1D").supports("div"));
        assertTrue(!pe2d.supports("div"));
        // The hierarchy is a tree: the 2D array is fed by the buffer, the 1D array by its shared file.
        assertEquals(java.util.List.of("DRAM", "GlobalBuffer", "PE2DRF"), a.pathTo("PE2DRF"));
        assertEquals(java.util.List.of("DRAM", "GlobalBuffer", "SharedRF1D", "PE1DRF"), a.pathTo("PE1DRF"));
    }

    /**
     * REFERENCE.md (corrected) and the artifact's tables: the baselines have FuseMax's arrays and
     * memory, a 32 MiB buffer against its 16, and the baselines' own energies (smaller PE register
     * files, an exponential unit on the 1D PEs, more leakage there).
     */
    @Test
    void baselinesShareFusemaxsShapesButTheBufferAndTheEnergies() {
        Architecture fusemax = ArchitectureLoader.preset("fusemax");
        for (String name : new String[] {"flat", "unfused"}) {
            Architecture b = ArchitectureLoader.preset(name);
            assertEquals(name, b.name());
            assertEquals(fusemax.storage().getFirst().toString(), b.storage().getFirst().toString(), "the same DRAM");
            for (ComputeArray u : fusemax.compute()) {
                ComputeArray v = b.compute(u.name());
                assertEquals(List.of(u.kind(), u.rows(), u.cols(), u.ops(), u.issueCycles(), u.latencyCycles()),
                    List.of(v.kind(), v.rows(), v.cols(), v.ops(), v.issueCycles(), v.latencyCycles()), name + " " + u.name());
            }
            assertEquals(16.0 * (1 << 20) / 2, fusemax.storage("GlobalBuffer").capacityWords());
            assertEquals(32.0 * (1 << 20) / 2, b.storage("GlobalBuffer").capacityWords(), name);
            assertEquals(0.291512, b.storage("PE2DRF").readPjPerWord(), 1e-12);
            assertEquals(0.653, fusemax.storage("PE2DRF").readPjPerWord(), 1e-12);
            assertEquals(94.6475, b.compute("PE1D").energyPj().get("exp"), 1e-12);
            assertEquals(1.261359, b.compute("PE1D").leakPjPerCycle(), 1e-12);
            assertEquals(fusemax.areaUm2(), b.areaUm2());
        }
    }

    @Test
    void everyPresetFigureNamesItsSource() {
        for (String name : ArchitectureLoader.presetNames()) {
            Architecture a = ArchitectureLoader.preset(name);
            a.figures().forEach(f -> assertNotNull(f.source(), name + ": " + f));
            a.storage().forEach(s -> s.figures().forEach(f -> assertNotNull(f.source(), name + ": " + f)));
            a.compute().forEach(c -> c.figures().forEach(f -> assertNotNull(f.source(), name + ": " + f)));
        }
    }

    private static final String GOOD = """
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
            capacity: 64 KiB
            width: 4 words
            read: 1 pJ
            write: 1 pJ
        compute:
          - name: PE
            kind: array2d
            under: Buf
            rows: 4
            cols: 4
            ops: [mac]
            energy:
              mac: 0.5 pJ
        """;

    @Test
    void aSmallSpecLoads() {
        Architecture a = ArchitectureLoader.parse("tiny.yaml", GOOD);
        assertEquals(16e9 / 1e9 / 2, a.storage("DRAM").bandwidthWordsPerCycle());
        assertEquals(4, a.storage("Buf").bandwidthWordsPerCycle());
        assertEquals(16, a.compute("PE").pes());
    }

    /**
     * A line of GOOD replaced (or, with a leading '+', a line inserted after it), indented as the
     * line it replaces, and where the first error must be reported.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "yaml syntax         | 9  | bandwidth: [16 GB/s      | 10:9  | YAML syntax",
        "unknown unit        | 9  | bandwidth: 16 GBps       | 9:16  | unknown unit 'GBps'",
        "negative size       | 14 | capacity: -64 KiB        | 14:15 | must be positive",
        "misspelt key        | 10 | reed: 10 pJ              | 10:5  | unknown key 'reed'",
        "missing field       | 17 | area: 5 um2              | 12:5  | missing 'write'",
        "inconsistent width  | 15 | width: 20 bit            | 15:12 | not a whole number of 16-bit words",
        "width over capacity | 14 | capacity: 2 words        | 15:12 | exceeds its capacity",
        "unknown level       | 21 | under: Buff              | 21:12 | unknown storage level 'Buff'",
        "unknown kind        | 8  | kind: hbm                | 8:11  | unknown storage kind 'hbm'",
        "unknown op          | 24 | ops: [mac, fma]          | 24:16 | unknown operation 'fma'",
        "op without energy   | 24 | ops: [mac, add]          | 26:7  | supports add but gives no energy",
        "zero rows           | 22 | rows: 0                  | 22:11 | must be positive",
        "missing capacity    | 14 | banks: 2                 | 12:5  | needs a capacity",
        "bad clock           | 3  | clock: fast              | 3:8   | expected a number and a unit",
        "duplicate key       | 10 | +read: 2 pJ              | 11:5  | key 'read' appears twice",
        "unknown parent      | 13 | +parent: Nope            | 14:13 | parent 'Nope' of Buf is not a level listed before it"})
    void badSpecsAreLocated(String name, int line, String edit, String where, String message) {
        String[] lines = GOOD.split("\n", -1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String indent = lines[i].substring(0, lines[i].length() - lines[i].stripLeading().length());
            if (i + 1 != line) {
                text.append(lines[i]).append('\n');
            } else if (edit.startsWith("+")) {
                text.append(lines[i]).append('\n').append(indent).append(edit.substring(1)).append('\n');
            } else {
                text.append(indent).append(edit).append('\n');
            }
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> ArchitectureLoader.parse("bad.yaml", text.toString()), text::toString);
        Diagnostic d = e.diagnostics().getFirst();
        assertEquals("bad.yaml:" + where, d.pos().file() + ":" + d.pos().line() + ":" + d.pos().col(), d.toString());
        assertTrue(d.message().contains(message), d.toString());
    }
}
