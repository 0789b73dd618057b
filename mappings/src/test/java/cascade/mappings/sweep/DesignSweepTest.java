package cascade.mappings.sweep;

import cascade.mappings.lowering.Lowering;
import cascade.mappings.model.ClosedForm;
import cascade.mappings.model.Report;
import cascade.mappings.spec.Design;
import cascade.mappings.spec.ModelShape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DesignSweepTest {
    static final String TEXT = """
        sweep: small
        designs: [fusemax, flat]
        workloads: [bert]
        seq: [1024, 4096]
        batch: 2
        grid:
          DRAM.bandwidth: [100 GiB/s, 400 GiB/s]
        """;

    @Test
    void rowsAreTheEstimatesOfEachPointAndParetoIsPerWorkloadAndLength(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, TEXT);
        SweepPlan plan = SweepPlan.load(file);
        assertEquals(8, plan.points());
        Path out = dir.resolve("s.csv");
        new SweepRunner(plan).run(out, 2, false);
        List<String> lines = Files.readAllLines(out);
        assertEquals(9, lines.size());
        // Points run design-major: fusemax 1024 (100, 400 GiB/s), fusemax 4096 (100, 400), then flat.
        String[] row = lines.get(1 + 3).split(",");
        assertEquals(List.of("3", "fusemax", "bert", "4096", "400 GiB/s"), List.of(row).subList(0, 5));
        Report direct = ClosedForm.INSTANCE.cost(Lowering.standard().lower(Design.preset("fusemax"),
            ModelShape.BERT.bindings(4096), 2 * 12));
        assertEquals(direct.cycles(), Long.parseLong(row[5]), "the 400 GiB/s point is the preset itself");
        // At each length FuseMax beats FLAT outright, so FLAT is never on the front; FuseMax at 100 GiB/s
        // is slower than at 400 GiB/s with the same energy, so only the 400 GiB/s point is.
        for (String line : lines.subList(1, lines.size())) {
            String[] r = line.split(",");
            boolean front = Boolean.parseBoolean(r[r.length - 1]);
            if (r[1].equals("flat")) {
                assertTrue(!front, line);
            }
        }
        long fusemaxFront = lines.stream().filter(l -> l.contains(",fusemax,") && l.endsWith("true")).count();
        assertTrue(fusemaxFront >= 2, "one FuseMax point per length at least: " + lines);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'designs: [fusemax, flat]'|'designs: [fusemax, flot]'|2:20|no design file or preset named 'flot'",
        "'workloads: [bert]'|'workloads: [bard]'|3:13|unknown model 'bard'",
        "'seq: [1024, 4096]'|'seq: [1024, -4]'|4:13|",
        "'DRAM.bandwidth'|'DRAM.bandwith'|7:19|cannot override 'bandwith' of DRAM",
        "'100 GiB/s'|'100 parsecs'|7:20|",
    })
    void badSweepsNameTheSpot(String from, String to, String at, String message, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.yaml");
        Files.writeString(file, TEXT.replace(from, to));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SweepPlan.load(file));
        assertTrue(e.getMessage().startsWith(file + ":" + at + ":"), e.getMessage());
        if (message != null) {
            assertTrue(e.getMessage().contains(message), e.getMessage());
        }
    }
}
