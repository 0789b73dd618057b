package cascade.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import org.junit.jupiter.api.Test;

class EnergyTableTest {
    static String arch(String node, String mac, String read) {
        return """
            architecture: t
            clock: 1 GHz
            technology: %s
            word: 16 bit
            storage:
              - name: DRAM
                kind: dram
                bandwidth: 100 GB/s
                read: %s
                write: 100 pJ per 64 bit
              - name: RF
                parent: DRAM
                kind: regfile
                capacity: 16 words
                read: 1 pJ
                write: 1 pJ
            compute:
              - name: PE
                kind: array2d
                under: RF
                rows: 4
                cols: 4
                ops: [mac]
                energy:
                  mac: %s
                area:
                  value: table horowitz-45nm fp16-mult + fp16-add
            """.formatted(node, read, mac);
    }

    @Test
    void entriesAtTheirOwnNodeAreThePublishedFigures() {
        Architecture a = ArchitectureLoader.parse("t.yaml", arch("45 nm", "table horowitz-45nm fp16-mult + fp16-add",
            "table horowitz-45nm dram-read"));
        assertEquals(1.1 + 0.4, a.compute("PE").energyPj().get("mac"), 1e-12);
        assertEquals(1300.0 / 4, a.storage("DRAM").readPjPerWord(), 1e-9, "1.3 nJ per 64 bit = four 16-bit words");
        assertEquals(1640 + 1360, a.compute("PE").areaUm2(), 1e-9);
    }

    @Test
    void otherNodesScaleByTheDocumentedRule() {
        Architecture a = ArchitectureLoader.parse("t.yaml", arch("16 nm", "table horowitz-45nm fp16-mult + fp16-add",
            "table horowitz-45nm dram-read"));
        double energyScale = 16.0 / 45 * (0.8 / 0.9) * (0.8 / 0.9); // C ~ node, V 0.9 V -> 0.8 V
        assertEquals(1.5 * energyScale, a.compute("PE").energyPj().get("mac"), 1e-9);
        assertEquals(3000 * (16.0 / 45) * (16.0 / 45), a.compute("PE").areaUm2(), 1e-6);
        Figure mac = a.compute("PE").figures().stream().filter(f -> f.name().equals("PE.energy.mac")).findFirst().orElseThrow();
        assertTrue(mac.source().contains("Horowitz, ISSCC 2014") && mac.source().contains("fp16-mult 1.1 pJ"), mac.source());
        assertEquals("table horowitz-45nm fp16-mult + fp16-add", mac.written());
    }

    @Test
    void badReferencesAreLocated() {
        InvalidInputException unknownEntry = assertThrows(InvalidInputException.class, () -> ArchitectureLoader.parse("t.yaml",
            arch("16 nm", "table horowitz-45nm fp64-mult", "100 pJ per 64 bit")));
        assertTrue(unknownEntry.getMessage().startsWith("t.yaml:25:12:"), unknownEntry.getMessage());
        assertTrue(unknownEntry.getMessage().contains("no entry 'fp64-mult'"), unknownEntry.getMessage());
        InvalidInputException unknownTable = assertThrows(InvalidInputException.class, () -> ArchitectureLoader.parse("t.yaml",
            arch("16 nm", "table nope fp16-mult", "100 pJ per 64 bit")));
        assertTrue(unknownTable.getMessage().contains("no energy table named 'nope'"), unknownTable.getMessage());
        InvalidInputException widths = assertThrows(InvalidInputException.class, () -> ArchitectureLoader.parse("t.yaml",
            arch("16 nm", "table horowitz-45nm fp16-mult + dram-read", "100 pJ per 64 bit")));
        assertTrue(widths.getMessage().contains("different widths"), widths.getMessage());
    }
}
