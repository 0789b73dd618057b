package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 14, acceptance 1 (the part that can be checked here): on every run whose reference
 * statistics are in shared/ (the tutorial's 00 and 01 output-stationary, the FuseMax artifact's
 * pregenerated check), every per-instance read, fill and update of every level and data space,
 * the partition sizes, the computes and the cycles equal Timeloop's, and the energy priced with
 * the run's ERT is within 1% of Timeloop's. The expected figures are read from Timeloop's own
 * stats.txt, not written here.
 */
class TimeloopExercisesTest {
    static Path exercises() {
        Path beside = Path.of("..", "..", "shared", "data", "timeloop-exercises");
        return Files.isDirectory(beside) ? beside : Path.of("/work/shared/data/timeloop-exercises");
    }

    /**
     * The two tutorial runs with references, and the FuseMax artifact's pregenerated check (its
     * 2D array's QK at BERT-like sizes: 65,536 MACs, spatial fan-outs through dummy levels, bypass
     * at every level but the PEs' registers; one file, as Timeloop's front end dumped it).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "00-model-conv1d-1level|arch/1level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-1level.map.yaml|ref-output",
        "01-model-conv1d-2level|arch/2level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-2level-os.map.yaml|ref-output/os",
        "../fusemax-artifact/pregenerated-check|parsed-processed-input.yaml|parsed-processed-input.yaml"
            + "|parsed-processed-input.yaml|.",
    })
    void countsCyclesAndEnergyAreTimeloops(String exercise, String arch, String problem, String mapping, String ref)
            throws IOException {
        Path dir = exercises().resolve(exercise);
        TimeloopModel.Stats s = TimeloopModel.run(TimeloopReader.read(dir.resolve(arch), dir.resolve(problem),
            dir.resolve(mapping), dir.resolve(ref).resolve("timeloop-model.ERT.yaml")));
        String stats = Files.readString(dir.resolve(ref).resolve("timeloop-model.stats.txt"));
        Map<String, Map<String, long[]>> expected = scalarCounts(stats);
        // Levels that hold no data space (bypassed everywhere, or a dummy fan-out) list no counts in stats.txt.
        assertEquals(expected.keySet(), s.levels().entrySet().stream().filter(l -> !l.getValue().tensors().isEmpty())
            .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toSet()), "levels");
        for (var level : expected.entrySet()) {
            TimeloopModel.LevelStats ours = s.levels().get(level.getKey());
            assertEquals(level.getValue().keySet(), ours.tensors().keySet(), level.getKey());
            for (var t : level.getValue().entrySet()) {
                TimeloopModel.TensorStats x = ours.tensors().get(t.getKey());
                String where = exercise + " " + level.getKey() + " " + t.getKey();
                assertEquals(t.getValue()[0], x.partitionSize(), where + " partition size");
                assertEquals(t.getValue()[1], x.readsPerInstance(), where + " reads");
                assertEquals(t.getValue()[2], x.fillsPerInstance(), where + " fills");
                assertEquals(t.getValue()[3], x.updatesPerInstance(), where + " updates");
            }
        }
        assertEquals(number(stats, "(?m)^Cycles: (\\d+)"), s.cycles());
        assertEquals(number(stats, "(?m)^Computes = (\\d+)"), s.computes());
        Matcher total = Pattern.compile("(?m)^    Total\\s+= ([0-9.]+)").matcher(stats);
        assertTrue(total.find(), "no fJ/Compute total in " + ref);
        double timeloopPj = Double.parseDouble(total.group(1)) * s.computes() / 1000;
        assertEquals(timeloopPj, s.energyPj(), 0.01 * timeloopPj, exercise + " energy");
    }

    /** Per level (as Timeloop names it) and data space: partition size, scalar reads, fills, updates per instance. */
    static Map<String, Map<String, long[]>> scalarCounts(String stats) {
        Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
        String level = null;
        String tensor = null;
        for (String line : stats.lines().toList()) {
            Matcher h = Pattern.compile("^=== (\\S+) ===$").matcher(line);
            if (line.startsWith("Networks")) {
                break;
            }
            if (h.find()) {
                level = h.group(1);
                tensor = null;
                continue;
            }
            Matcher d = Pattern.compile("^    (\\w+):$").matcher(line);
            if (d.find() && level != null) {
                tensor = d.group(1);
                out.computeIfAbsent(level, k -> new LinkedHashMap<>()).put(tensor, new long[4]);
                continue;
            }
            if (tensor == null) {
                continue;
            }
            for (var field : List.of("Partition size", "Scalar reads (per-instance)", "Scalar fills (per-instance)",
                    "Scalar updates (per-instance)")) {
                if (line.strip().startsWith(field)) {
                    long v = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                    out.get(level).get(tensor)[List.of("Partition size", "Scalar reads (per-instance)",
                        "Scalar fills (per-instance)", "Scalar updates (per-instance)").indexOf(field)] = v;
                }
            }
        }
        return out;
    }

    private static long number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return Long.parseLong(m.group(1));
    }
}
