package cascade.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: `timeloop model` on a tutorial exercise, in Timeloop's JSON schema, and a broken file's exit code. */
class TimeloopCommandTest {
    private static final Path EX = SharedData.of("data", "timeloop-exercises", "01-model-conv1d-2level");

    @Test
    void modelReportsPerInstanceCountsInTheIssuesSchema() throws Exception {
        JsonNode j = new ObjectMapper().readTree(Cli.ok("timeloop", "model", "--arch", EX.resolve("arch/2level.arch.yaml")
            .toString(), "--problem", EX.resolve("prob/conv1d.prob.yaml").toString(), "--mapping",
            EX.resolve("map/conv1d-2level-os.map.yaml").toString(), "--ert",
            EX.resolve("ref-output/os/timeloop-model.ERT.yaml").toString(), "--format", "json"));
        assertEquals(48, j.get("cycles").asLong());
        JsonNode inputs = j.get("levels").get("Buffer").get("tensors").get("Inputs");
        // Timeloop's stats.txt for this run: 48 reads, 18 fills (a sliding window: 3, then 1 new input per step), 0 updates.
        assertEquals(48, inputs.get("readsPerInstance").asLong());
        assertEquals(18, inputs.get("fillsPerInstance").asLong());
        assertEquals(0, inputs.get("updatesPerInstance").asLong());
        assertEquals(16, j.get("levels").get("MainMemory").get("tensors").get("Outputs").get("updatesPerInstance").asLong());
    }

    @Test
    void aBrokenMappingIsALocatedErrorWithExitTwo(@TempDir Path dir) throws Exception {
        Path map = dir.resolve("bad.map.yaml");
        Files.writeString(map, Files.readString(EX.resolve("map/conv1d-2level-os.map.yaml")).replace("target: Buffer",
            "target: Cache"));
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"timeloop", "model", "--arch", EX.resolve("arch/2level.arch.yaml").toString(),
            "--problem", EX.resolve("prob/conv1d.prob.yaml").toString(), "--mapping", map.toString()},
            new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith(map + ":7:13: no storage level 'Cache'"), err.toString());
    }

    /**
     * A mapping whose tiles a level cannot hold is refused, as Timeloop refuses it, at that level's
     * directive; a level that allows overbooking is not checked.
     */
    @Test
    void aMappingThatOverfillsALevelIsRefusedAtItsDirective(@TempDir Path dir) throws Exception {
        String arch = Files.readString(EX.resolve("arch/2level.arch.yaml"));
        Path small = dir.resolve("small.arch.yaml");
        Files.writeString(small, arch.replace("depth: 64", "depth: 4")); // the Buffer; the output-stationary tile takes 7
        Path map = EX.resolve("map/conv1d-2level-os.map.yaml");
        String[] args = {"timeloop", "model", "--arch", small.toString(), "--problem",
            EX.resolve("prob/conv1d.prob.yaml").toString(), "--mapping", map.toString()};
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err)), err.toString());
        assertTrue(err.toString().startsWith(map + ":7:5: the mapping's tiles at Buffer take 7 words per instance, more than "
            + "its 4"), err.toString());
        Files.writeString(small, arch.replace("depth: 64", "depth: 4\n      allow_overbooking: true"));
        assertEquals(0, Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    }

    @Test
    void mapperWritesAMappingThatModelReadsBack(@TempDir Path dir) throws Exception {
        Path ex = SharedData.of("data", "timeloop-exercises", "05-mapper-conv1d+oc-3level");
        Path best = dir.resolve("best.map.yaml");
        String ert = ex.resolve("ref-output/baked/timeloop-mapper.ERT.yaml").toString();
        JsonNode found = new ObjectMapper().readTree(Cli.ok("timeloop", "mapper", "--arch",
            ex.resolve("arch/3level.arch.yaml").toString(), "--problem", ex.resolve("prob/conv1d+oc.prob.yaml").toString(),
            "--constraints", ex.resolve("constraints/conv1d+oc-3level-freebypass.constraints.yaml").toString(), "--mapper",
            ex.resolve("mapper/exhaustive.mapper.yaml").toString(), "--ert", ert, "--out", best.toString(), "--format",
            "json"));
        assertEquals(64, found.get("keepChoices").asLong());
        JsonNode model = new ObjectMapper().readTree(Cli.ok("timeloop", "model", "--arch",
            ex.resolve("arch/3level.arch.yaml").toString(), "--problem", ex.resolve("prob/conv1d+oc.prob.yaml").toString(),
            "--mapping", best.toString(), "--ert", ert, "--format", "json"));
        assertEquals(found.get("cycles").asLong(), model.get("cycles").asLong());
        assertEquals(found.get("energyPj").asDouble(), model.get("energyPj").asDouble(), 1e-9 * model.get("energyPj").asDouble());
        assertEquals(found.get("levels"), model.get("levels"));
    }

    /** Exercise 06: the architecture's own constraints, two containers' spatial factors written back and read again. */
    @Test
    void eyerissMapperWritesContainersSpatialFactorsThatModelReadsBack(@TempDir Path dir) throws Exception {
        Path ex = SharedData.of("data", "timeloop-exercises", "06-mapper-convlayer-eyeriss");
        Path best = dir.resolve("best.map.yaml");
        String arch = ex.resolve("arch/eyeriss_like.yaml").toString();
        String prob = ex.resolve("prob/VGG02_layer5.yaml").toString();
        String ert = ex.resolve("ref-output/timeloop-mapper.ERT.yaml").toString();
        JsonNode found = new ObjectMapper().readTree(Cli.ok("timeloop", "mapper", "--arch", arch, "--problem", prob,
            "--mapper", ex.resolve("mapper/mapper.yaml").toString(), "--ert", ert, "--starts", "1", "--steps", "200",
            "--out", best.toString(), "--format", "json"));
        assertEquals(64, found.get("keepChoices").asLong());
        assertTrue(Files.readString(best).contains("target: PE_column\n    type: spatial"), Files.readString(best));
        JsonNode model = new ObjectMapper().readTree(Cli.ok("timeloop", "model", "--arch", arch, "--problem", prob,
            "--mapping", best.toString(), "--ert", ert, "--format", "json"));
        assertEquals(found.get("cycles").asLong(), model.get("cycles").asLong());
        assertEquals(found.get("levels"), model.get("levels"));

        Path badMapper = dir.resolve("bad.mapper.yaml");
        Files.writeString(badMapper, Files.readString(ex.resolve("mapper/mapper.yaml")).replace("timeout:", "time_out:"));
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"timeloop", "mapper", "--arch", arch, "--problem", prob, "--mapper",
            badMapper.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith(badMapper + ":6:3: unknown key 'time_out'"), err.toString());

        // Asking to enumerate 06's space (69,206,400 factor assignments for a keep choice) is refused at the key, not run.
        Path enumerate = dir.resolve("enumerate.mapper.yaml");
        Files.writeString(enumerate, Files.readString(ex.resolve("mapper/mapper.yaml")).replace("random_pruned",
            "linear_pruned"));
        StringWriter refused = new StringWriter();
        int tooLarge = Main.run(new String[] {"timeloop", "mapper", "--arch", arch, "--problem", prob, "--mapper",
            enumerate.toString(), "--out", dir.resolve("none.map.yaml").toString()}, new PrintWriter(new StringWriter()),
            new PrintWriter(refused));
        assertEquals(2, tooLarge, refused.toString());
        assertTrue(refused.toString().startsWith(enumerate + ":8:14: every mapping is 69206400 factor assignments"),
            refused.toString());
        assertTrue(!Files.exists(dir.resolve("none.map.yaml")), "nothing written");
    }

    @Test
    void exportedFilesCountUnderTimeloopModelAsTheEstimatePrinted(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("qk");
        JsonNode est = new ObjectMapper().readTree(Cli.ok("timeloop", "export", "--arch", "fusemax", "--cascade", "fusemax",
            "--bind", "P=64,M=256,E=64,F=64", "--einsum", "QK", "--unit", "PE2D", "--out", out.toString(), "--format",
            "json"));
        JsonNode model = new ObjectMapper().readTree(Cli.ok("timeloop", "model", "--arch", out.resolve("arch.yaml").toString(),
            "--problem", out.resolve("problem.yaml").toString(), "--mapping", out.resolve("mapping.yaml").toString(), "--ert",
            out.resolve("ERT.yaml").toString(), "--format", "json"));
        assertEquals(64L * 256 * 64, est.get("computes").asLong());
        assertEquals(est.get("computes").asLong(), model.get("computes").asLong());
        assertEquals(est.get("cycles").asLong(), model.get("cycles").asLong());
        assertEquals(est.get("energyPj").asDouble(), model.get("energyPj").asDouble(), 1e-9 * est.get("energyPj").asDouble());
    }

    @Test
    void exportRefusesAnUnknownCountingWithExitTwoAndWritesNothing(@TempDir Path dir) {
        Path out = dir.resolve("qk");
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"timeloop", "export", "--arch", "fusemax", "--cascade", "fusemax", "--einsum", "QK",
            "--unit", "PE2D", "--counting", "accelergy", "--out", out.toString()}, new PrintWriter(new StringWriter()),
            new PrintWriter(err));
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith("--counting:1:1: expected cascade or timeloop"), err.toString());
        assertTrue(!Files.exists(out));
        StringWriter missing = new StringWriter();
        Path none = dir.resolve("none.yaml");
        int noMapping = Main.run(new String[] {"timeloop", "export", "--arch", "fusemax", "--cascade", "fusemax", "--bind",
            "P=256,M=256,E=64,F=64", "--einsum", "QK", "--mapping", none.toString(), "--out", out.toString()},
            new PrintWriter(new StringWriter()), new PrintWriter(missing));
        assertEquals(2, noMapping, missing.toString());
        assertTrue(missing.toString().startsWith("--mapping:1:1: no file " + none), missing.toString());
        assertTrue(!Files.exists(out));
    }
}
