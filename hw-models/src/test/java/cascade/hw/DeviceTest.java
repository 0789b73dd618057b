package cascade.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The H100 model against measurements on an H100 (hw-models/calibration/, taken with the script
 * beside them, fitted by fit.py to the calibration points only): every calibration point within
 * ±15%, every held-out shape (other head counts, head dimension 64, other GEMMs) within ±20%.
 */
class DeviceTest {
    static KernelPoints read(String name) throws Exception {
        return KernelPoints.parse(name, Files.readString(Path.of("calibration", name)));
    }

    static List<String> errors(Device d, KernelPoints points, double bound) {
        List<String> bad = new ArrayList<>();
        for (KernelPoints.Point p : points.points()) {
            double err = 1e3 * d.seconds(p) / p.measuredMs().orElseThrow() - 1;
            if (Math.abs(err) > bound) {
                bad.add(String.format("%+.0f%% line %d", 100 * err, p.line()));
            }
        }
        return bad;
    }

    @Test
    void h100PredictsEveryCalibrationPointWithinFifteenPercent() throws Exception {
        KernelPoints points = read("h100-attention.csv");
        assertEquals(20, points.points().size());
        assertEquals(List.of(), errors(Device.preset("h100"), points, 0.15));
    }

    @Test
    void h100PredictsEveryHeldOutShapeWithinTwentyPercent() throws Exception {
        KernelPoints points = read("h100-attention-held-out.csv");
        assertEquals(13, points.points().size());
        assertEquals(List.of(), errors(Device.preset("h100"), points, 0.20));
    }

    /** The exp a pair costs is what makes head dimension 64 slower per flop than 128, on the same pairs. */
    @Test
    void attentionAtHeadDimension64IsLessEfficientPerFlop() {
        Device h100 = Device.preset("h100");
        long pairs = 1L << 32;
        double d64 = h100.attentionSeconds(4.0 * 64 * pairs, 1e6, 8192, 64);
        double d128 = h100.attentionSeconds(4.0 * 128 * pairs, 1e6, 8192, 128);
        assertTrue(d64 / d128 > 0.6 && d64 / d128 < 0.75, "time at d=64 over d=128: " + d64 / d128);
    }

    @Test
    void pointsFilesAreValidatedWithTheirPlace() {
        String header = String.join(",", KernelPoints.COLUMNS);
        var unknownKind = assertThrows(InvalidInputException.class,
            () -> KernelPoints.parse("p.csv", header + "\nprefil,1,32,32,512,512,128,0,0,0,2e9,1e7\n"));
        assertEquals("p.csv:2:1", unknownKind.diagnostics().getFirst().pos().toString());
        var badNumber = assertThrows(InvalidInputException.class,
            () -> KernelPoints.parse("p.csv", header + "\ngemm,1,0,0,0,0,0,64,64,64,lots,1e7\n"));
        assertEquals("p.csv:2:27", badNumber.diagnostics().getFirst().pos().toString());
        var noHeadDim = assertThrows(InvalidInputException.class,
            () -> KernelPoints.parse("p.csv", header + "\ndecode,1,32,32,1,1024,0,0,0,0,2e9,1e7\n"));
        assertTrue(noHeadDim.getMessage().contains("headDim must be a whole number of at least 1"), noHeadDim.getMessage());
        var missing = assertThrows(InvalidInputException.class, () -> KernelPoints.parse("p.csv", "kind,flops\n"));
        assertTrue(missing.getMessage().contains("no column 'batch'"), missing.getMessage());
        var ragged = assertThrows(InvalidInputException.class, () -> KernelPoints.parse("p.csv", header + "\ngemm,1\n"));
        assertEquals("p.csv:2:1", ragged.diagnostics().getFirst().pos().toString());
    }

    @Test
    void catalogHasTheDevicesAndLinksWithSources() {
        for (String name : List.of("h100", "h200", "a100", "h20", "l40s")) {
            Device d = Device.preset(name);
            assertTrue(d.figures().stream().allMatch(f -> f.source() != null), name + " has an unsourced figure");
            assertTrue(d.expOpsPerSecond() > 0, name + " has no exp rate");
        }
        assertEquals(4.0e12, Device.preset("h20").bandwidthBytes(), 1);
        assertEquals(50e9, Device.link("rdma400").bandwidthBytes(), 1);
        assertTrue(Device.link("nvlink4").seconds(1e9) < Device.link("pcie5").seconds(1e9));
    }
}
