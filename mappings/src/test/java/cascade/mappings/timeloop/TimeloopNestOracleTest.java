package cascade.mappings.timeloop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cascade.mappings.spec.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 14, acceptance 1, for the seven tutorial runs whose Timeloop statistics are not in
 * shared/: {@link TimeloopModel}'s closed form held against {@link TimeloopNestOracle}, which plays
 * the same rules iteration by iteration. The oracle is first held against Timeloop itself on the
 * two tutorial runs that have its statistics, then against the model on all nine tutorial runs
 * and on random mappings (factors, loop orders, bypass, a spatial fan-out) of the
 * tutorial's problems on its architectures, where the closed form's shortcuts (a tile that shifts
 * the same each step, multicast by the ranks a tensor depends on) would show.
 */
class TimeloopNestOracleTest {
    private static TimeloopReader.Inputs read(String exercise, String arch, String problem, String mapping, String ref)
            throws IOException {
        Path dir = TimeloopExercisesTest.exercises().resolve(exercise);
        return TimeloopReader.read(dir.resolve(arch), dir.resolve(problem), dir.resolve(mapping),
            dir.resolve(ref).resolve("timeloop-model.ERT.yaml"));
    }

    /** The oracle reproduces Timeloop's own statistics where they are in shared/. */
    @ParameterizedTest(name = "{0} {3}")
    @CsvSource(delimiter = '|', value = {
        "00-model-conv1d-1level|arch/1level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-1level.map.yaml|ref-output",
        "01-model-conv1d-2level|arch/2level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-2level-os.map.yaml|ref-output/os",
    })
    void oracleCountsAsTimeloopDoes(String exercise, String arch, String problem, String mapping, String ref)
            throws IOException {
        Map<String, Map<String, TimeloopNestOracle.Counts>> oracle =
            TimeloopNestOracle.count(read(exercise, arch, problem, mapping, ref));
        Path dir = TimeloopExercisesTest.exercises().resolve(exercise);
        Map<String, Map<String, long[]>> timeloop = TimeloopExercisesTest.scalarCounts(
            Files.readString(dir.resolve(ref).resolve("timeloop-model.stats.txt")));
        for (var level : timeloop.entrySet()) {
            for (var t : level.getValue().entrySet()) {
                TimeloopNestOracle.Counts c = oracle.get(level.getKey()).get(t.getKey());
                String where = exercise + " " + level.getKey() + " " + t.getKey();
                long[] x = t.getValue();
                assertEquals(List.of(x[0], x[1], x[2], x[3]),
                    List.of(c.partitionSize(), c.reads(), c.fills(), c.updates()), where + " partition, reads, fills, updates");
            }
        }
    }

    /**
     * The model's closed form equals the oracle on all nine tutorial model runs. (The artifact's
     * check, 4.4e12 MACs, is too large to play; the model meets Timeloop's statistics there directly.)
     */
    @ParameterizedTest(name = "{0} {3}")
    @CsvSource(delimiter = '|', value = {
        "00-model-conv1d-1level|arch/1level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-1level.map.yaml|ref-output",
        "01-model-conv1d-2level|arch/2level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-2level-ws.map.yaml|ref-output/ws",
        "01-model-conv1d-2level|arch/2level.arch.yaml|prob/conv1d.prob.yaml|map/conv1d-2level-os.map.yaml|ref-output/os",
        "02-model-conv1d+oc-2level|arch/2level.arch.yaml|prob/conv1d+oc.prob.yaml|map/conv1d+oc-2level-os.map.yaml"
            + "|ref-output/no-tiling",
        "02-model-conv1d+oc-2level|arch/2level.arch.yaml|prob/conv1d+oc.prob.yaml|map/conv1d+oc-2level-os-tiled.map.yaml"
            + "|ref-output/tiling",
        "03-model-conv1d+oc-3level|arch/3level.arch.yaml|prob/conv1d+oc.prob.yaml|map/conv1d+oc-3level.map.yaml"
            + "|ref-output/no-bypass",
        "03-model-conv1d+oc-3level|arch/3level.arch.yaml|prob/conv1d+oc.prob.yaml|map/conv1d+oc-3level-bypass.map.yaml"
            + "|ref-output/bypass",
        "04-model-conv1d+oc-3levelspatial|arch/3levelspatial.arch.yaml|prob/conv1d+oc+ic.prob.yaml"
            + "|map/conv1d+oc+ic-3levelspatial-cp-ws.map.yaml|ref-output/cp",
        "04-model-conv1d+oc-3levelspatial|arch/3levelspatial.arch.yaml|prob/conv1d+oc+ic.prob.yaml"
            + "|map/conv1d+oc+ic-3levelspatial-kp-ws.map.yaml|ref-output/kp",
    })
    void modelEqualsTheOracleOnEveryTutorialRun(String exercise, String arch, String problem, String mapping, String ref)
            throws IOException {
        TimeloopReader.Inputs in = read(exercise, arch, problem, mapping, ref);
        assertAgree(in, exercise + " " + mapping);
    }

    /**
     * Random mappings of the tutorial's problems: every rank's size split over the levels (and the
     * fan-out where the architecture has one), loops in random order per level, random bypass at
     * the inner levels.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "02-model-conv1d+oc-2level|arch/2level.arch.yaml|prob/conv1d+oc.prob.yaml|map/conv1d+oc-2level-os.map.yaml"
            + "|ref-output/no-tiling",
        "03-model-conv1d+oc-3level|arch/3level.arch.yaml|prob/conv1d+oc.prob.yaml|map/conv1d+oc-3level.map.yaml"
            + "|ref-output/no-bypass",
        "04-model-conv1d+oc-3levelspatial|arch/3levelspatial.arch.yaml|prob/conv1d+oc+ic.prob.yaml"
            + "|map/conv1d+oc+ic-3levelspatial-kp-ws.map.yaml|ref-output/kp",
    })
    void modelEqualsTheOracleOnRandomMappings(String exercise, String arch, String problem, String mapping, String ref)
            throws IOException {
        TimeloopReader.Inputs in = read(exercise, arch, problem, mapping, ref);
        SplittableRandom random = new SplittableRandom(exercise.hashCode());
        for (int n = 0; n < 150; n++) {
            TimeloopReader.Inputs drawn = new TimeloopReader.Inputs(in.cascade(), in.sizes(), in.architecture(),
                draw(in, random), in.blockWords(), in.leakPj(), in.readWriteBandwidth());
            assertAgree(drawn, exercise + " random mapping " + n + ": " + drawn.mapping().levels());
        }
    }

    private static Mapping.EinsumMapping draw(TimeloopReader.Inputs in, SplittableRandom random) {
        List<Mapping.LevelLoops> levels = in.mapping().levels();
        int spatialLevel = -1; // the level whose fan-out the given mapping uses, if any
        for (int i = 0; i < levels.size(); i++) {
            if (!levels.get(i).spatialRows().isEmpty() || !levels.get(i).spatialCols().isEmpty()) {
                spatialLevel = i;
            }
        }
        Map<Integer, List<Mapping.Loop>> temporal = new LinkedHashMap<>();
        Map<Integer, List<Mapping.Loop>> spatial = new LinkedHashMap<>();
        for (int i = 0; i < levels.size(); i++) {
            temporal.put(i, new ArrayList<>());
            spatial.put(i, new ArrayList<>());
        }
        Set<String> ranks = new java.util.TreeSet<>(); // the problem's dimensions, as the given mapping names them
        for (Mapping.LevelLoops l : levels) {
            for (var loops : List.of(l.temporal(), l.spatialRows(), l.spatialCols())) {
                loops.forEach(loop -> ranks.add(loop.rank()));
            }
        }
        for (String name : ranks) {
            // Each prime factor to a random slot: a level's temporal loop or the fan-out.
            for (long p : primes(in.sizes().get(name.toUpperCase(java.util.Locale.ROOT)))) {
                int slot = random.nextInt(levels.size() + (spatialLevel >= 0 ? 1 : 0));
                var into = slot == levels.size() ? spatial.get(spatialLevel) : temporal.get(slot);
                int at = -1;
                for (int j = 0; j < into.size(); j++) {
                    at = into.get(j).rank().equals(name) ? j : at;
                }
                if (at < 0) {
                    into.add(new Mapping.Loop(name, p, null));
                } else {
                    into.set(at, new Mapping.Loop(name, into.get(at).factor() * p, null));
                }
            }
        }
        List<Mapping.LevelLoops> drawn = new ArrayList<>();
        List<String> tensors = new ArrayList<>(in.cascade().tensors().keySet());
        for (int i = 0; i < levels.size(); i++) {
            List<Mapping.Loop> t = temporal.get(i);
            Collections.shuffle(t, new java.util.Random(random.nextLong()));
            Set<String> keep = null;
            if (i > 0) { // the outermost level holds everything; an inner one each tensor with probability 3/4
                keep = new LinkedHashSet<>();
                for (String tensor : tensors) {
                    if (random.nextInt(4) > 0) {
                        keep.add(tensor);
                    }
                }
            }
            Mapping.LevelLoops given = levels.get(i);
            drawn.add(new Mapping.LevelLoops(given.level(), List.copyOf(t), List.copyOf(spatial.get(i)), List.of(), keep,
                given.pos()));
        }
        Mapping.EinsumMapping m = in.mapping();
        return new Mapping.EinsumMapping(m.output(), m.unit(), drawn, m.pos(), m.unitPos());
    }

    private static List<Long> primes(long n) {
        List<Long> out = new ArrayList<>();
        for (long p = 2; p * p <= n; p++) {
            while (n % p == 0) {
                out.add(p);
                n /= p;
            }
        }
        if (n > 1) {
            out.add(n);
        }
        return out;
    }

    /** The model's per-instance figures equal the oracle's at every level, for every tensor it keeps. */
    static void assertAgree(TimeloopReader.Inputs in, String what) {
        Map<String, Map<String, TimeloopNestOracle.Counts>> oracle = TimeloopNestOracle.count(in);
        TimeloopModel.Stats model = TimeloopModel.run(in);
        for (var level : oracle.entrySet()) {
            for (var t : level.getValue().entrySet()) {
                TimeloopModel.TensorStats m = model.levels().get(level.getKey()).tensors().get(t.getKey());
                TimeloopNestOracle.Counts c = t.getValue();
                assertEquals(List.of(c.partitionSize(), c.utilizedCapacity(), c.reads(), c.fills(), c.updates()),
                    List.of(m.partitionSize(), m.utilizedCapacity(), m.readsPerInstance(), m.fillsPerInstance(),
                        m.updatesPerInstance()),
                    what + ", " + level.getKey() + " " + t.getKey() + ": partition, capacity, reads, fills, updates");
            }
            assertEquals(level.getValue().keySet(), model.levels().get(level.getKey()).tensors().keySet(), what);
        }
    }
}
