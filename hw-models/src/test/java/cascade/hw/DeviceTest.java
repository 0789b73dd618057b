package cascade.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The H100 model against measurements on an H100 (hw-models/calibration/, taken with the script
 * beside them): every calibration point within ±20%. The held-out shapes are reported, and held
 * to a looser bound that says how far the model is from shapes it was not fitted to.
 */
class DeviceTest {
    record Point(String line, String kind, long kvLen, double flops, double bytes, double ms) {
    }

    static List<Point> read(String name) throws Exception {
        List<Point> points = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("calibration", name));
        List<String> header = List.of(lines.get(1).split(","));
        for (String line : lines.subList(2, lines.size())) {
            String[] f = line.split(",");
            points.add(new Point(line, f[header.indexOf("kind")], Long.parseLong(f[header.indexOf("kvLen")]),
                Double.parseDouble(f[header.indexOf("flops")]), Double.parseDouble(f[header.indexOf("bytes")]),
                Double.parseDouble(f[header.indexOf("medianMs")])));
        }
        return points;
    }

    static double predictMs(Device d, Point p) {
        return 1e3 * (p.kind().equals("gemm") ? d.gemmSeconds(p.flops(), p.bytes())
            : d.attentionSeconds(p.flops(), p.bytes(), p.kvLen()));
    }

    static List<String> errors(Device d, List<Point> points, double bound) {
        List<String> bad = new ArrayList<>();
        for (Point p : points) {
            double err = predictMs(d, p) / p.ms() - 1;
            if (Math.abs(err) > bound) {
                bad.add(String.format("%+.0f%% %s", 100 * err, p.line()));
            }
        }
        return bad;
    }

    @Test
    void h100PredictsEveryCalibrationPointWithinTwentyPercent() throws Exception {
        Device h100 = Device.preset("h100");
        List<Point> points = read("h100-attention.csv");
        assertEquals(20, points.size());
        assertEquals(List.of(), errors(h100, points, 0.20));
    }

    /** Shapes the model was not fitted to (other head counts, head dimension 64, other GEMMs): within ±40% (head dimension 64 and a small, launch-bound GEMM come out 36% fast). */
    @Test
    void h100OnHeldOutShapes() throws Exception {
        assertEquals(List.of(), errors(Device.preset("h100"), read("h100-attention-held-out.csv"), 0.40));
    }

    @Test
    void catalogHasTheDevicesAndLinksWithSources() {
        for (String name : List.of("h100", "h200", "a100", "h20", "l40s")) {
            Device d = Device.preset(name);
            assertTrue(d.figures().stream().allMatch(f -> f.source() != null), name + " has an unsourced figure");
        }
        assertEquals(4.0e12, Device.preset("h20").bandwidthBytes(), 1);
        assertEquals(50e9, Device.link("rdma400").bandwidthBytes(), 1);
        assertTrue(Device.link("nvlink4").seconds(1e9) < Device.link("pcie5").seconds(1e9));
    }
}
