package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.InvalidInputException;
import cascade.mappings.search.Mapper;
import cascade.mappings.spec.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 14, acceptance 2: exercise 06 (an Eyeriss-like array, VGG02 layer 5) as Timeloop's mapper
 * reads it — the constraints written in the architecture's own nodes (partial temporal factors,
 * permutations naming every dimension, spatial factors with a split, keep lists that leave the
 * other data spaces to the mapper) — and the mapper's best mapping obeying every one of them.
 * Timeloop's own best mapping for 06 is not in shared/; what is checked is what the exercise's
 * files say, and that the bound of every PE busy every cycle is met.
 */
class TimeloopConstraintsTest {
    private static final Path EX = TimeloopExercisesTest.exercises().resolve("06-mapper-convlayer-eyeriss");

    static String arch() throws IOException {
        return Files.readString(EX.resolve("arch/eyeriss_like.yaml"));
    }

    static TimeloopReader.Inputs inputs(String arch) throws IOException {
        return TimeloopReader.parse("arch.yaml", arch, "prob.yaml", Files.readString(EX.resolve("prob/VGG02_layer5.yaml")),
            null, null, "ert.yaml", Files.readString(EX.resolve("ref-output/timeloop-mapper.ERT.yaml")));
    }

    @Test
    void theArchitecturesOwnConstraintsAreTheMapSpace() throws IOException {
        TimeloopReader.MapSpace s = TimeloopReader.mapSpace("arch.yaml", arch(), null, null, inputs(arch()));
        assertEquals("PE_column", s.columns());
        assertEquals("PE", s.rows());
        // PE_column (meshX 14): N, C, P, R, S fixed to 1, Q and M free along X.
        assertEquals(Map.of("N", 1L, "C", 1L, "P", 1L, "R", 1L, "S", 1L), s.loops().cols());
        // PE (meshY 12, split 4 of [N, P, Q, R, S, C, M]): N, P, Q, R go along X, which PE lacks; S, C, M free along Y.
        assertEquals(Map.of("N", 1L, "P", 1L, "Q", 1L, "R", 1L), s.loops().rows());
        assertEquals(Map.of("N", 1L, "M", 1L, "C", 1L, "P", 1L, "Q", 1L, "R", 1L, "S", 1L),
            s.loops().temporal().get("ifmap_spad"));
        assertEquals(Map.of("N", 1L, "M", 1L, "P", 1L, "Q", 1L, "S", 1L), s.loops().temporal().get("weights_spad"));
        assertEquals(List.of("N", "M", "P", "Q", "S", "C", "R"), s.loops().innermost().get("weights_spad"));
        assertEquals(Set.of("Inputs", "Outputs"), s.keep().get("shared_glb"));
        assertEquals(Set.of("Weights"), s.bypass().get("shared_glb"));
        assertEquals(Set.of("Inputs"), s.keep().get("ifmap_spad"));
        assertEquals(Set.of(), s.bypass().get("ifmap_spad"));
    }

    @Test
    void theBestMappingObeysEveryConstraintAndReadsBack() throws IOException {
        TimeloopReader.Inputs in = inputs(arch());
        TimeloopReader.MapSpace space = TimeloopReader.mapSpace("arch.yaml", arch(), null, null, in);
        TimeloopMapper.Result r = TimeloopMapper.search(in, space, TimeloopReader.mapperSettings("m.yaml",
            Files.readString(EX.resolve("mapper/mapper.yaml"))).objective(), new Mapper.LocalSearch(2, 300, 1), 1);
        // Six open keep-or-bypass choices: ifmap_spad (Weights, Outputs), weights_spad (Inputs, Outputs), psum_spad
        // (Weights, Inputs); shared_glb's are all fixed.
        assertEquals(64, r.keepChoices());
        Map<String, Mapping.LevelLoops> at = new java.util.LinkedHashMap<>();
        r.best().levels().forEach(l -> at.put(l.level(), l));
        assertEquals(List.of(), at.get("ifmap_spad").temporal());
        assertTrue(at.get("weights_spad").temporal().stream().allMatch(l -> Set.of("c", "r").contains(l.rank())),
            at.get("weights_spad").toString());
        List<String> weightsOrder = at.get("weights_spad").temporal().stream().map(Mapping.Loop::rank).toList();
        if (weightsOrder.size() == 2) {
            assertEquals(List.of("r", "c"), weightsOrder, "R outside C, as the permutation [.., C, R] says");
        }
        assertTrue(at.get("psum_spad").temporal().stream().allMatch(l -> l.rank().equals("m")));
        Mapping.LevelLoops glb = at.get("shared_glb");
        assertTrue(glb.spatialCols().stream().allMatch(l -> Set.of("q", "m").contains(l.rank())), glb.toString());
        assertTrue(glb.spatialRows().stream().allMatch(l -> Set.of("s", "c", "m").contains(l.rank())), glb.toString());
        assertTrue(glb.spatialCols().stream().mapToLong(Mapping.Loop::factor).reduce(1, (a, b) -> a * b) <= 14);
        assertTrue(glb.spatialRows().stream().mapToLong(Mapping.Loop::factor).reduce(1, (a, b) -> a * b) <= 12);
        assertEquals(Set.of("Inputs", "Outputs"), glb.keep());
        assertTrue(at.get("ifmap_spad").keep().contains("Inputs"));
        assertTrue(at.get("weights_spad").keep().contains("Weights"));
        assertTrue(at.get("psum_spad").keep().contains("Outputs"));
        long macs = 128L * 256 * 56 * 56 * 3 * 3;
        assertEquals(macs, r.stats().computes());
        assertTrue(r.stats().cycles() >= (macs + 167) / 168, "at most 168 MACs a cycle");

        // Written as Timeloop's mapping (spatial factors at PE_column and PE), it reads back to the same figures.
        String written = TimeloopWriter.mapping(r.best(), new ArrayList<>(in.cascade().producer(in.einsum())
            .iterationRanks()), in.cascade().tensors().keySet(), level -> space.columns(), level -> space.rows());
        assertTrue(written.contains("target: PE_column\n    type: spatial"), written);
        assertTrue(written.contains("target: PE\n    type: spatial"), written);
        TimeloopModel.Stats back = TimeloopModel.run(TimeloopReader.parse("arch.yaml", arch(), "prob.yaml",
            Files.readString(EX.resolve("prob/VGG02_layer5.yaml")), "best.yaml", written, "ert.yaml",
            Files.readString(EX.resolve("ref-output/timeloop-mapper.ERT.yaml"))));
        assertEquals(r.stats().levels(), back.levels(), written);
        assertEquals(r.stats().cycles(), back.cycles());
        assertEquals(r.stats().energyPj(), back.energyPj(), 1e-9 * back.energyPj());
    }

    /** Broken constraints, in 06's architecture, 05's constraint file or 06's mapper file, are located and named. */
    @ParameterizedTest(name = "{0}: {3}")
    @CsvSource(delimiter = '|', value = {
        "arch|'factors: [N=1, C=1, P=1, R=1, S=1]'|'factors: [N=1, C=1, P=1, R=1, S=1, Z=1]'|43:18|factor 'Z=1': expected DIM=N",
        "arch|'split: 7'|'split: -1'|44:16|split must be non-negative",
        "arch|'keep: [Inputs, Outputs], bypass: [Weights]'|'keep: [Inputs, Weights], bypass: [Weights]'|35:18|both keeps and bypasses Weights",
        "arch|'          permutation: [N, M, C, P, Q, R, S]'|'          permutatoin: [N, M, C, P, Q, R, S]'|69:11|unknown key 'permutatoin'",
        "arch|'        dataspace: {keep: [Inputs]}'|'        dataspaces: {keep: [Inputs]}'|67:9|unknown key 'dataspaces'",
        "arch|'        dataspace: {keep: [Inputs]}'|'        dataspace: {keep: [Ifmaps]}'|67:28|no data space 'Ifmaps'",
        "arch|'factors: [N=1, P=1, Q=1, R=1]'|'factors: [N=1, P=2, Q=1, R=1]'|53:18|the split sends P along X, but PE fans out only along Y",
        "arch|'factors: [N=1, M=1, P=1, Q=1, S=1]'|'factors: [N=1, M=1, P=1, Q=1, S=1, R=2]'|85:20|the constrained factors of R multiply to 2",
        "arch|'          permutation: [N, M, P, Q, S, C, R]'|'          permutation: [N, M, P, Q, S, C, X]'|84:24|permutation names 'X'",
        "cons|'  - target: GlobalBuffer\n    type: temporal'|'  - target: Attic\n    type: temporal'|15:13|no storage level 'Attic'",
        "cons|'    type: temporal\n    factors: R=3'|'    type: sideways\n    factors: R=3'|21:11|unknown constraint type 'sideways'",
        "cons|'  - target: MainMemory\n    type: temporal'|'  - target: MainMemory\n    type: spatial'|10:13|named 'MainMemory'",
        "cons|'factors: R=1 P=16 K=16'|'factors: R=1 P=16 K=16 K=2'|17:14|dimension K has two factors",
        "cons|'factors: R=3 P=1 K=2'|'factors: R=3 P=1 K=4'|22:14|the constrained factors of K multiply to 64",
        "cons|'    keep:\n    - Weights\n    - Inputs\n    - Outputs\n\n  - target: RegisterFile'|'    keep:\n    - Weights\n    - Inputs\n    - Outputs\n    bypass:\n    - Inputs\n\n  - target: RegisterFile'|27:5|GlobalBuffer both keeps and bypasses Inputs",
        "mapper|'optimization_metrics: [ delay, energy ]'|'optimization_metrics: [ latency ]'|3:25|optimization_metrics [latency] is not read",
        "mapper|'  live_status: False'|'  live_stats: False'|4:3|unknown key 'live_stats'",
        "mapper|'algorithm: random_pruned'|'algorithm: annealing'|8:14|unknown algorithm 'annealing'",
    })
    void brokenConstraintsAreLocated(String which, String from, String to, String at, String message) throws IOException {
        Path ex05 = TimeloopExercisesTest.exercises().resolve("05-mapper-conv1d+oc-3level");
        String text = switch (which) {
            case "arch" -> arch();
            case "cons" -> Files.readString(ex05.resolve("constraints/conv1d+oc-3level-1mapping.constraints.yaml"));
            default -> Files.readString(EX.resolve("mapper/mapper.yaml"));
        };
        String broken = TimeloopBrokenInputsTest.edited(text, from, to, which);
        InvalidInputException x = assertThrows(InvalidInputException.class, () -> {
            switch (which) {
                case "arch" -> TimeloopReader.mapSpace("arch.yaml", broken, null, null, inputs(arch()));
                case "cons" -> TimeloopReader.mapSpace("arch.yaml", Files.readString(ex05.resolve("arch/3level.arch.yaml")),
                    "c.yaml", broken, TimeloopMapperTest.inputs());
                default -> TimeloopReader.mapperSettings("m.yaml", broken).objective();
            }
        });
        String file = switch (which) {
            case "arch" -> "arch.yaml";
            case "cons" -> "c.yaml";
            default -> "m.yaml";
        };
        TimeloopBrokenInputsTest.assertLocated(x, file, at, message);
    }
}
