package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import cascade.mappings.lowering.Lowering;
import cascade.mappings.lowering.Schedule;
import cascade.mappings.spec.Design;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the FuseMax artifact's own per-Einsum Timeloop specs (yamls/proposal: its 2D and 1D
 * architectures, one problem and mapping per Einsum, B = 64, H = 16, E = F = 256, P = M = 4,096),
 * read as they are and counted by {@link TimeloopModel}, give the compute time our fusemax preset's
 * lowering gives each Einsum on the same workload: Timeloop's MAC-level cycles times the
 * artifact's operation cost (7 for SLN and PRM, an exp as 6 MACs + 1 add), against the sum over
 * the lowering's runs of each run's compute cycles.
 */
class ArtifactSpecsTest {
    static Path proposal() {
        Path beside = Path.of("..", "..", "shared", "data", "fusemax-artifact", "yamls", "proposal");
        return Files.isDirectory(beside) ? beside : Path.of("/work/shared/data/fusemax-artifact/yamls/proposal");
    }

    static final Map<String, String> ARRAY = new LinkedHashMap<>();
    static final Map<String, Integer> COST = Map.of("SLN", 7, "PRM", 7);

    static {
        for (String e : new String[] {"QK", "LM", "SLN", "SLNV"}) {
            ARRAY.put(e, "arch-2d.yaml");
        }
        for (String e : new String[] {"RM", "PRM", "SPD", "RD", "SPNV", "RNV", "AV"}) {
            ARRAY.put(e, "arch-1d.yaml");
        }
    }

    @Test
    void eachEinsumTakesTheArtifactsComputeTime() throws IOException {
        Path dir = proposal();
        Schedule s = Lowering.withMapper(8, 300).lower(Design.preset("fusemax"),
            Map.of("P", 4096L, "M", 4096L, "E", 256L, "F", 256L), 64L * 16);
        Map<String, Long> ours = new LinkedHashMap<>();
        for (Schedule.Stage st : s.stages()) {
            for (Schedule.Work w : st.works()) {
                ours.merge(w.einsum(), w.each().computeCycles() * st.runsPerHead(w.phase()) * s.heads(), Long::sum);
            }
        }
        for (var e : ARRAY.entrySet()) {
            String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
            TimeloopModel.Stats theirs = TimeloopModel.run(TimeloopReader.read(dir.resolve(e.getValue()),
                dir.resolve("problems/" + name + ".yaml"), dir.resolve("mappings/" + name + ".yaml"), null));
            long artifact = theirs.cycles() * COST.getOrDefault(e.getKey(), 1);
            assertEquals(artifact, ours.get(e.getKey()), e.getKey() + ": the artifact's Timeloop cycles x op cost");
        }
    }

    @Test
    void theArtifactsSldProblemIteratesARankNoDataSpaceHasAndIsRefusedByName() {
        Path dir = proposal();
        InvalidInputException x = assertThrows(InvalidInputException.class, () -> TimeloopReader.read(
            dir.resolve("arch-2d.yaml"), dir.resolve("problems/sld.yaml"), dir.resolve("mappings/sld.yaml"), null));
        assertTrue(x.getMessage().contains("sum_n reduces over 'n', which no operand on the right-hand side has"),
            x.getMessage());
    }
}
